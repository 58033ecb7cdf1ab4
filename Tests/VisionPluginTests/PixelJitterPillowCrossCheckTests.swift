import Foundation
import OrganicPluginAPI
import Testing
@testable import VisionPlugin

/// Jitters the encoded fixture images of every mode and has Pillow (an independent decoder)
/// compare input and output: the output must be a valid PNG in the same mode (a palette may
/// become RGB/RGBA, a JPEG a PNG) that differs in at most 3 pixels by at most 1 per channel,
/// alpha untouched.
@Suite("Jitter checked by Pillow",
       .enabled(if: ImagehashFixtures.available && PillowPeer.python != nil,
                "needs ORGANIC_PYTHON and ORGANIC_IMAGEHASH_FIXTURES"))
struct PixelJitterPillowCrossCheckTests {
    struct Verdict: Decodable {
        let `in`: String
        let out: String
        let changed: Int
        let maxdiff: Int
        let alpha_same: Bool
    }

    @Test("every fixture mode: same mode, 1-3 pixels, at most 1 per channel, alpha untouched")
    func everyMode() throws {
        let records = try ImagehashFixtures.records().filter { $0.source != nil }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("organic-jitter-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var arguments: [String] = []
        var kinds: [String] = []
        var names: [String] = []
        for (n, record) in records.enumerated() {
            guard let bytes = try ImagehashFixtures.encoded(record), let source = record.source,
                  let input = ImagehashFixtures.file(source) else { continue }
            var random = OrganicRandom(seed: UInt64(n))
            let output = directory.appendingPathComponent("\(n).png")
            try Data(PixelJitter.jitter(bytes, limits: ImageLimits(), fast: true, random: &random).png).write(to: output)
            arguments += [input.path, output.path]
            kinds.append(record.kind ?? "")
            names.append(record.name)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(PillowPeer.python))
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/check_jitter_with_pillow.py")
        process.arguments = [script.path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let verdicts = try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try JSONDecoder().decode(Verdict.self, from: Data($0.utf8))
        }
        try #require(verdicts.count == kinds.count)
        var unchangedInPillowView = 0
        for (index, verdict) in verdicts.enumerated() {
            let kind = kinds[index]
            // One step at 1, 2 and 4 bits is 255, 85 and 17 levels in Pillow's 8-bit view.
            let step = kind.hasPrefix("grey1") && !kind.hasPrefix("grey16") ? 255
                : kind.hasPrefix("grey2") ? 85 : kind.hasPrefix("grey4") ? 17 : 1
            #expect(verdict.changed <= 3 && verdict.maxdiff <= step && verdict.alpha_same, "\(kind): \(verdict)")
            if kind.hasPrefix("palette") {
                #expect(["P", "RGB", "RGBA"].contains(verdict.out), "\(kind): \(verdict.out)")
            } else if !kind.hasPrefix("jpeg") {
                #expect(verdict.in == verdict.out, "\(kind): \(verdict.in) became \(verdict.out)")
            }
            // Pillow reads 16-bit colour as its high byte, so a one-step change may not show; a
            // 1x1 image keyed by tRNS on its only pixel is invisible and cannot change.
            if verdict.changed == 0 {
                if kind.contains("16") { unchangedInPillowView += 1 }
                #expect(kind.contains("16") || (kind.contains("trns") && names[index].hasSuffix("_1x1")),
                        "\(names[index]): nothing changed")
            }
        }
        print("jitter checked by Pillow: \(verdicts.count) images, \(unchangedInPillowView) unchanged in Pillow's 8-bit view of 16-bit samples")
    }
}

/// The Python with Pillow and imagehash that scripts/test.sh prepares.
enum PillowPeer {
    static let python: String? = ProcessInfo.processInfo.environment["ORGANIC_PYTHON"].flatMap {
        FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil
    }
}
