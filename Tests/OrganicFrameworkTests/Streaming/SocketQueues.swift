import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The kernel's queues of this process's TCP sockets (Linux only): the node, the reference miners
/// and the test's callers all run in the test process.
enum SocketQueues {
    /// Bytes waiting in the send and receive queues of this process's IPv4 TCP sockets that have
    /// one of `ports` at either end, and how many such sockets there were; nil where the kernel
    /// does not say. Each socket is asked on its own (`/proc/net/tcp`, read in pieces, can leave
    /// a socket out while others open and close).
    static func queuedBytes(ports: Set<Int>) -> (bytes: Int, sockets: Int)? {
        #if os(Linux)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return nil }
        var total = 0
        var sockets = 0
        for entry in entries {
            guard let descriptor = Int32(entry), let local = port(of: descriptor, peer: false), let remote = port(of: descriptor, peer: true),
                  ports.contains(local) || ports.contains(remote) else { continue }
            var unsent: Int32 = 0
            var unread: Int32 = 0
            guard ioctl(descriptor, UInt(TIOCOUTQ), &unsent) == 0, ioctl(descriptor, UInt(FIONREAD), &unread) == 0 else { continue }
            total += Int(unsent) + Int(unread)
            sockets += 1
        }
        return (total, sockets)
        #else
        return nil
        #endif
    }

    /// The local (or peer) port of an IPv4 socket; nil for anything else.
    private static func port(of descriptor: Int32, peer: Bool) -> Int? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                peer ? getpeername(descriptor, $0, &length) : getsockname(descriptor, $0, &length)
            }
        }
        guard result == 0, address.sin_family == sa_family_t(AF_INET) else { return nil }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
