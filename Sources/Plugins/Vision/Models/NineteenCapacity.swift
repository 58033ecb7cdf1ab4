import Foundation
import OrganicPluginAPI

/// nineteen's capacity probe: the validator posts its task configs, the miner answers the volume
/// it offers this validator per task (`{"proteus-text-to-image": 80.0, ..., "miner_type": "image"}`).
///
/// Volumes are diffusion steps per scoring period; the node schedules concurrent requests, so a
/// volume becomes `ceil(volume / volumePerRequest)` requests (a positive volume is at least one).
/// Tasks map back to the node's scheduling keys (`text-to-image/proteus-text-to-image`,
/// `inpaint`, ...); unknown tasks and non-numeric values are ignored.
struct NineteenCapacity: Sendable {
    let tasks: [NineteenTask]
    let volumePerRequest: Double
    /// Timeout in seconds per endpoint, stated in the task configs.
    let timeouts: [String: Double]

    /// One entry of `task_configs`, with the keys nineteen's miners read.
    struct TaskConfig: Codable, Sendable, Hashable {
        var task: String
        var taskType: String
        var maxCapacity: Double
        var modelConfig: [String: String]
        var endpoint: String
        var weight: Double
        var timeout: Double

        enum CodingKeys: String, CodingKey {
            case task, endpoint, weight, timeout
            case taskType = "task_type"
            case maxCapacity = "max_capacity"
            case modelConfig = "model_config"
        }
    }

    struct Body: Codable, Sendable, Hashable {
        var taskConfigs: [TaskConfig]
        enum CodingKeys: String, CodingKey { case taskConfigs = "task_configs" }
    }

    /// `{"task_configs": [...]}`: every task, equal weights, the volume of the node's largest trust.
    func requestBody(maxRequests: Int = 64) -> Body {
        let weight = tasks.isEmpty ? 0 : 1 / Double(tasks.count)
        return Body(taskConfigs: tasks.map { task in
            TaskConfig(task: task.name, taskType: "image", maxCapacity: volumePerRequest * Double(maxRequests), modelConfig: [:],
                       endpoint: "/" + task.endpoint, weight: weight, timeout: timeouts[task.endpoint] ?? 15)
        })
    }

    var declaration: CapacityDeclaration {
        let body = (try? Self.sortedEncoder.encode(requestBody())).map { Array($0) } ?? Array("{}".utf8)
        // nineteen's miners scale the volume they declare by the asking validator's stake.
        return CapacityDeclaration(minerPath: "/capacity", requestBody: body, scaledToValidatorStake: true, decode: decode, encode: encode)
    }

    /// A miner's answer as concurrent requests per scheduling key.
    @Sendable func decode(_ body: [UInt8]) throws -> [String: Int] {
        let answer = try JSONDecoder().decode([String: Value].self, from: Data(body))
        var result: [String: Int] = [:]
        for task in tasks {
            guard case .number(let volume)? = answer[task.name] else { continue }
            guard volume.isFinite else { throw MalformedAnswer(task: task.name) }
            result[task.schedulingKey, default: 0] += requests(forVolume: volume)
        }
        return result
    }

    /// A reference miner's answer: each endpoint's concurrent requests as volume for each of its tasks.
    @Sendable func encode(_ capacities: [String: Int]) throws -> [UInt8] {
        var answer: [String: Value] = ["miner_type": .text("image")]
        for task in tasks {
            guard let requests = capacities[task.schedulingKey] ?? capacities[task.endpoint] else { continue }
            answer[task.name] = .number(Double(requests) * volumePerRequest)
        }
        return Array(try Self.sortedEncoder.encode(answer))
    }

    /// Negative volumes stay negative, so that the node refuses the declaration.
    func requests(forVolume volume: Double) -> Int {
        guard volume > 0 else { return volume < 0 ? -1 : 0 }
        return Int(min((volume / volumePerRequest).rounded(.up), Double(Int32.max)))
    }

    /// A value in a capacity answer: a volume, or text such as `miner_type`.
    enum Value: Codable, Sendable, Hashable {
        case number(Double)
        case text(String)
        case other

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let number = try? c.decode(Double.self) {
                self = .number(number)
            } else if let text = try? c.decode(String.self) {
                self = .text(text)
            } else {
                self = .other
            }
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .number(let n): try c.encode(n)
            case .text(let t): try c.encode(t)
            case .other: try c.encodeNil()
            }
        }
    }

    struct MalformedAnswer: Error, CustomStringConvertible {
        var task: String
        var description: String { "capacity for \(task) is not a finite number" }
    }

    static var sortedEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
