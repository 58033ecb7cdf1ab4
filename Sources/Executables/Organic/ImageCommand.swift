import ArgumentParser
import Foundation
import OrganicPluginAPI
import VisionPlugin

/// `organic image`: image tools for operators and miners.
struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image", abstract: "Image tools: perceptual hashes and the organic jitter.",
        subcommands: [ImageHashCommand.self, ImageJitterCommand.self])
}

/// `organic image hash FILE...`: the four imagehash hashes per file.
struct ImageHashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Print average, perceptual, difference and colour hashes as Python's imagehash prints them.")

    @Argument(help: "PNG (any colour type and bit depth) or JPEG (grey, colour, CMYK, YCCK) files.") var files: [String]
    @Flag(help: "One JSON object per line instead of a table.") var json = false

    func run() throws {
        var failed = false
        for file in files {
            do {
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
                let image = try ImageCodec.decode(bytes, limits: imageToolLimits)
                let h = ImageHashSet.of(image)
                if json {
                    let object: [String: String] = ["file": file, "average_hash": h.average, "phash": h.perceptual,
                                                    "dhash": h.difference, "colorhash": h.color]
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    print("\(file)\taverage_hash=\(h.average)\tphash=\(h.perceptual)\tdhash=\(h.difference)\tcolorhash=\(h.color)")
                }
            } catch {
                failed = true
                FileHandle.standardError.write(Data("\(file): \(error)\n".utf8))
            }
        }
        if failed { throw ExitCode(1) }
    }
}

/// `organic image jitter IN OUT`: the organic jitter applied to embedding requests.
struct ImageJitterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jitter",
        abstract: "Change 1-3 random pixels by one step per colour channel and write a lossless PNG (what miners receive).",
        discussion: """
            A PNG keeps its colour type, bit depth, palette, transparency and colour chunks; alpha is never \
            changed. A JPEG becomes a lossless PNG of its decoded pixels (grey stays grey; CMYK and YCCK \
            become RGB the way Pillow converts them).
            """)

    @Argument(help: "Input PNG (any colour type and bit depth) or JPEG (grey, colour, CMYK, YCCK).") var input: String
    @Argument(help: "Output PNG.") var output: String
    @Option(help: "Random seed; omit for a fresh random jitter.") var seed: UInt64?

    func run() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: input)))
        var random = seed.map(OrganicRandom.init(seed:)) ?? OrganicRandom()
        let jittered = try PixelJitter.jitter(bytes, limits: imageToolLimits, fast: false, random: &random)
        try Data(jittered.png).write(to: URL(fileURLWithPath: output))
        for change in jittered.changes {
            print("pixel (\(change.x), \(change.y)): \(change.deltas.map { $0 > 0 ? "+1" : "-1" }.joined(separator: " "))")
        }
    }
}

/// Operators' own files may be larger than what the node accepts from callers.
let imageToolLimits = ImageLimits(maxEncodedBytes: 256 << 20, maxPixels: 8192 * 8192, maxDimension: 16384)
