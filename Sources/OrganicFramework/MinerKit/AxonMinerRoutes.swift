import OrganicFramework
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A reference miner as a Bittensor SDK ≤ 10 `Axon`: each handler whose endpoint names a
/// ``SynapseDescription`` is served at `POST /<SynapseName>`.
///
/// - Every request goes through ``AxonSynapseVerifier`` (route, signature, body hash, nonces,
///   sender's standing). A refusal is answered as the SDK's axon answers it: the status as the
///   HTTP status and in `bt_header_axon_status_code`/`_message`, `{"message": …}` as the body,
///   plus a stable `code` (`axon_stale_nonce`, …) that SDK dendrites ignore.
/// - The endpoint's miner request decodes from the synapse's own fields (the `bt.Synapse`
///   envelope aside; fields it does not know, such as the response's, are ignored).
/// - The handler's response fields are set over the request synapse and answered 200
///   (``AxonResponse/success(request:answer:processTime:)``), as the SDK's `synapse_to_response`.
/// - Unknown synapse names answer 404 with the SDK's message. Endpoints without a synapse, and
///   the capacity declaration, are not served (the SDK has no such route), which is logged.
///   A streaming handler answers whole: an SDK 10 synapse is one JSON answer.
enum AxonMinerRoutes {
    /// Serves one verified synapse.
    typealias Serve = @Sendable (_ verified: AxonSynapseVerifier.Verified) async -> AxonResponse

    static let route = "/{synapse}"

    static func register(_ handlers: [any MinerHandler], on router: Router<OrganicRequestContext>, state: ReferenceMinerServer.MinerState,
                         options: ReferenceMinerServer.Options, logger: Logger) {
        guard let senders = options.senders else {
            ReferenceMinerServer.serveMisconfigured("the Axon protocol needs the miner's hotkey and its validators (Options.senders)",
                                                    paths: [route], on: router, logger: logger)
            return
        }
        var served: [String: Serve] = [:]
        var synapses: [AxonSynapse] = []
        for handler in handlers {
            let descriptor = handler.endpoint.descriptor
            guard let synapse = descriptor.synapse else {
                logger.notice("not served over the Axon protocol: the endpoint names no synapse", metadata: [LogKey.endpoint: "\(descriptor.name)"])
                continue
            }
            guard served[synapse.name] == nil else {
                logger.warning("two endpoints name the same synapse; serving the first", metadata: [
                    LogKey.endpoint: "\(descriptor.name)", "synapse": "\(synapse.name)",
                ])
                continue
            }
            served[synapse.name] = serve(handler, state: state, options: options, logger: logger)
            synapses.append(AxonSynapse(synapse))
        }
        if options.capacityDeclaration != nil {
            logger.notice("the capacity declaration is not served over the Axon protocol (the SDK has no such route)")
        }
        var policy = AxonSynapseVerifier.Policy(selfHotkey: senders.hotkey, synapses: synapses)
        policy.requireValidatorPermit = senders.requireValidatorPermit
        if let stake = senders.minimumStake { policy.minimumStake = stake }
        let verifier = AxonSynapseVerifier(policy: policy, directory: senders.directory)
        let limit = options.maxRequestBytes
        router.post(RouterPath(route)) { [served] request, _ -> Response in
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: limit) } catch is NIOTooManyBytesError {
                return response(.failure(status: 413, message: "The request body exceeds the limit of \(limit) bytes."))
            }
            let headers = request.headers.map { (name: $0.name.rawName, value: $0.value) }
            let verified: AxonSynapseVerifier.Verified
            do throws(AxonRefusal) {
                verified = try verifier.verify(path: request.uri.path, headers: headers, body: Array(body.readableBytesView))
            } catch {
                return response(refusal(error))
            }
            // The verifier only knows the synapses served here.
            guard let serve = served[verified.synapse.name] else {
                return response(refusal(AxonRefusal(.unknownSynapse, "Synapse name '\(verified.synapse.name)' not found.")))
            }
            return response(await serve(verified))
        }
    }

    /// Decodes the handler's request from the synapse, runs it (with the capacity gate and the
    /// injected faults of plain mode) and answers the synapse with the response's fields set.
    static func serve<H: MinerHandler>(_ handler: H, state: ReferenceMinerServer.MinerState, options: ReferenceMinerServer.Options,
                                       logger: Logger) -> Serve {
        let name = handler.endpoint.descriptor.name
        let gate = ReferenceMinerServer.CapacityGate(capacity: options.capacity(for: name))
        return { verified in
            let started = ContinuousClock.now
            guard gate.enter() else {
                return .failure(status: 429, message: "At capacity (\(gate.capacity) requests in flight on this endpoint).")
            }
            defer { gate.leave() }
            let decoded: H.Served.MinerRequest
            do {
                decoded = try JSONDecoder().decode(H.Served.MinerRequest.self, from: Data(SynapseJSON.object(verified.requestFields).jsonBytes))
            } catch let error as DecodingError {
                return .failure(status: 400, message: "The synapse is not a valid \(name) request: \(RequestDecoding.apiError(for: error).message)")
            } catch {
                return .failure(status: 400, message: "The synapse is not a valid \(name) request.")
            }
            let (action, random) = await ReferenceMinerServer.drawFault(state: state, options: options)
            switch action {
            case .error, .stall, .truncate:
                return .failure(status: 500, message: "Injected failure.")
            case .honest, .wrong, .slow:
                break
            }
            let answer: H.Served.MinerResponse
            do {
                answer = try await handler.respond(to: decoded, context: MinerContext(answerWrongly: action == .wrong, random: random))
            } catch {
                logger.error("the handler failed", metadata: [LogKey.endpoint: "\(name)", "error": "\(String(reflecting: error))"])
                return .failure(status: 500, message: "The miner failed to answer.")
            }
            guard let bytes = try? DirectJSONEncoder().encode(answer), case .object(let fields)? = try? SynapseJSON.parse(bytes) else {
                logger.error("the handler's response is not a JSON object", metadata: [LogKey.endpoint: "\(name)"])
                return .failure(status: 500, message: "The miner's answer is not a JSON object.")
            }
            let elapsed = ContinuousClock.now - started
            return .success(request: verified.request, answer: fields, processTime: elapsed.seconds)
        }
    }

    /// The SDK's refusal with this package's stable code added to the body.
    static func refusal(_ refusal: AxonRefusal) -> AxonResponse {
        var answer = AxonResponse.refusal(refusal)
        answer.body = SynapseJSON.object(SynapseJSON.Object([("message", .string(refusal.message)), ("code", .string(refusal.reason.code))])).jsonBytes
        return answer
    }

    static func response(_ answer: AxonResponse) -> Response {
        var fields = HTTPFields()
        for header in answer.headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        return Response(status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}

extension AxonRefusal.Reason {
    /// The stable code a reference miner puts next to the SDK's message.
    var code: String {
        switch self {
        case .unknownSynapse: "axon_unknown_synapse"
        case .malformedRequest: "axon_malformed"
        case .unsigned: "axon_unsigned"
        case .wrongReceiver: "axon_wrong_receiver"
        case .badSignature: "axon_bad_signature"
        case .bodyHashMismatch: "axon_body_hash_mismatch"
        case .staleNonce: "axon_stale_nonce"
        case .nonceNotIncreasing: "axon_nonce_not_increasing"
        case .nonceFromFuture: "axon_nonce_from_future"
        case .metagraphUnavailable: "axon_metagraph_unavailable"
        case .unknownSender: "axon_unknown_sender"
        case .noValidatorPermit: "axon_no_validator_permit"
        case .insufficientStake: "axon_insufficient_stake"
        case .tooManySenders: "axon_too_many_senders"
        }
    }
}
