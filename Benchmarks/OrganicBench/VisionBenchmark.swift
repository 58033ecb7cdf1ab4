import ArgumentParser
import Foundation
import OrganicPluginAPI
import VisionPlugin

/// `organic-bench vision`: the vision plugin's codec and hash paths against Pillow + imagehash,
/// on the same file in the same run (Benchmarks/vision_compare.py drives the Python side).
struct VisionBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vision",
        abstract: "Decode+jitter+re-encode a 1024x1024 PNG and the four perceptual hashes, vs Pillow and imagehash.")

    @Option(help: "Repetitions of each measurement (the median is reported).") var iterations = 15
    @Option(help: "Python with Pillow and imagehash; default $ORGANIC_PYTHON or python3 on PATH.") var python: String?
    @Option(help: "Path of Benchmarks/vision_compare.py.") var script = "Benchmarks/vision_compare.py"
    @Option(help: "Side of the test image.") var size = 1024

    func run() async throws {
        let directory = try BenchScratch.directory()
        var image = ProceduralImageGenerator().render(prompt: "a lighthouse on a cliff at dusk, oil painting", negativePrompt: "",
                                                      seed: 19, steps: 30, cfgScale: 7, width: size, height: size)
        ProceduralImageGenerator.addHardwareNoise(&image, noiseSeed: 1)
        let file = directory.appendingPathComponent("bench.png")
        let png = try ImageCodec.encodePNG(image, fast: false)
        try Data(png).write(to: file)

        var random = OrganicRandom(seed: 1)
        func codec(fast: Bool) {
            guard var decoded = try? ImageCodec.decode(png) else { return }
            PixelJitter.apply(&decoded, random: &random)
            _ = try? ImageCodec.encodePNG(decoded, fast: fast)
        }
        let codecFast = Self.median(iterations) { codec(fast: true) }
        let codecDefault = Self.median(iterations) { codec(fast: false) }
        let hashes = Self.median(iterations) { _ = ImageHashSet.of(image) }

        print("vision benchmark: \(size)x\(size) PNG (\(png.count) bytes), median of \(iterations)")
        print(String(format: "  swift  decode+jitter+encode (PNG fast)    %8.2f ms", codecFast * 1000))
        print(String(format: "  swift  decode+jitter+encode (PNG default) %8.2f ms", codecDefault * 1000))
        print(String(format: "  swift  four hashes                        %8.2f ms", hashes * 1000))

        let configured = python ?? ProcessInfo.processInfo.environment["ORGANIC_PYTHON"]
        let interpreter = configured ?? "/usr/bin/env"
        let arguments = (configured == nil ? ["python3"] : []) + [script, file.path, String(iterations)]
        guard let output = Self.runProcess(interpreter, arguments),
              let result = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Double],
              let pilCodec = result["codec"], let pilHashes = result["hashes"]
        else {
            print("  (Pillow/imagehash comparison skipped: `\(interpreter) \(arguments.joined(separator: " "))` failed)")
            return
        }
        print(String(format: "  python decode+jitter+encode (Pillow)      %8.2f ms", pilCodec * 1000))
        print(String(format: "  python four hashes (imagehash)            %8.2f ms", pilHashes * 1000))
        print(String(format: "  ratio codec  Pillow/Swift: %.2fx (fast PNG), %.2fx (default PNG)", pilCodec / codecFast, pilCodec / codecDefault))
        print(String(format: "  ratio hashes imagehash/Swift: %.2fx", pilHashes / hashes))
    }

    static func median(_ n: Int, _ body: () -> Void) -> Double {
        body()  // warm-up
        let clock = ContinuousClock()
        var times: [Double] = []
        for _ in 0..<max(n, 1) {
            let elapsed = clock.measure(body)
            times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        return times.sorted()[times.count / 2]
    }

    static func runProcess(_ executable: String, _ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
