import Foundation
import OrganicFramework
#if canImport(Glibc)
import Glibc
#endif

/// Password for an encrypted hotkey: `ORGANIC_WALLET_PASSWORD`, else a no-echo prompt
/// when stdin is a terminal, else none.
enum PasswordPrompt {
    static func password(for path: String) throws -> String? {
        if let value = ProcessInfo.processInfo.environment[NodeHotkey.passwordVariable], !value.isEmpty { return value }
        guard isatty(STDIN_FILENO) == 1 else { return nil }
        guard let entered = getpass("Password for \(path): ") else { return nil }
        return String(cString: entered)
    }
}
