import Foundation
import Hummingbird

/// Queues and traffic: depth, waits, shedding, the organic/synthetic mix and miners' load,
/// refreshed in place every few seconds (the page fetches `/console/traffic/live`).
extension OperatorConsole {
    /// Rounds the mix is computed over.
    static let mixRounds = 200

    struct TrafficView: Sendable {
        struct Queue: Sendable {
            let endpoint, queued, flows, admitted, waited, meanWait, maxWait, shed, shedDetail, shedRate, left, meanService: String
        }
        struct MinerLoad: Sendable {
            let uid, hotkeyShort, href, state, stateLabel: String
            let inFlight, capacity: Int
        }
        let time: String
        let sampleCount: Int
        let liveChart: SVGMarkup
        let queues: [Queue]
        let mixRounds: Int
        let organicShare, syntheticShare: String
        let mixChart: SVGMarkup
        let miners: [MinerLoad]
        let refreshSeconds = OperatorConsole.refreshSeconds
    }

    func trafficView() async throws -> TrafficView {
        let statuses = subnets.flatMap { $0.selector.queueStatuses() }
        let now = clock.now()
        let samples = trafficHistory.record(.init(time: now, organicWaiting: statuses.map(\.queuedOrganic).reduce(0, +),
                                                  syntheticWaiting: statuses.map(\.queuedSynthetic).reduce(0, +),
                                                  inFlight: subnets.flatMap { $0.selector.statuses() }.map(\.inFlight).reduce(0, +)))
        let timeStyle = Date.ISO8601FormatStyle(timeZone: .gmt).time(includingFractionalSeconds: false).timeSeparator(.colon)
        let liveChart = SVGChart(title: "Requests waiting and in flight", summary: "One point per refresh, oldest first: organic and synthetic requests waiting in the queues, and requests in flight at miners.",
                                 labels: samples.map { $0.time.formatted(timeStyle) },
                                 series: [.init(name: "waiting (organic)", values: samples.map { Double($0.organicWaiting) }),
                                          .init(name: "waiting (synthetic)", values: samples.map { Double($0.syntheticWaiting) }),
                                          .init(name: "in flight", values: samples.map { Double($0.inFlight) })],
                                 style: .line, integral: true).render(id: "live-load")
        let queues = statuses.sorted { $0.endpoint < $1.endpoint }.map { queue in
            let shed = queue.shedQueueFull + queue.shedDeadline + queue.shedOverloaded
            let admitted = queue.admittedImmediately + queue.admittedAfterWait
            return TrafficView.Queue(
                endpoint: queue.endpoint, queued: "\(queue.queuedOrganic) / \(queue.queuedSynthetic)", flows: "\(queue.waitingFlows)",
                admitted: "\(admitted)", waited: "\(queue.admittedAfterWait)", meanWait: ConsoleFormat.seconds(queue.meanWaitSeconds),
                maxWait: ConsoleFormat.seconds(queue.maxWaitSeconds), shed: "\(shed)",
                shedDetail: "queue full \(queue.shedQueueFull), deadline \(queue.shedDeadline), overloaded \(queue.shedOverloaded)",
                shedRate: ConsoleFormat.share(shed, of: admitted + shed), left: "\(queue.cancelled + queue.disconnected)",
                meanService: ConsoleFormat.seconds(queue.meanServiceSeconds))
        }
        let rounds = try await store.recentRounds(limit: Self.mixRounds)
        let organic = rounds.filter(\.isOrganic).count
        let endpoints = Set(rounds.map(\.endpoint)).sorted()
        let mixChart = SVGChart(title: "Organic and synthetic rounds by endpoint",
                                summary: "Of the latest \(rounds.count) scored rounds, per endpoint: organic and synthetic, stacked.",
                                labels: endpoints,
                                series: [true, false].map { isOrganic in
                                    .init(name: isOrganic ? "organic" : "synthetic", values: endpoints.map { endpoint in
                                        Double(rounds.filter { $0.endpoint == endpoint && $0.isOrganic == isOrganic }.count)
                                    })
                                }, style: .stackedBars, integral: true).render(id: "mix")
        var miners: [TrafficView.MinerLoad] = []
        for subnet in subnets {
            for status in subnet.selector.statuses().sorted(by: { $0.uid < $1.uid }) {
                let state = status.state == .healthy ? "healthy" : "cooling down until \(ConsoleFormat.time(status.coolingUntil))"
                miners.append(.init(uid: "\(status.uid)", hotkeyShort: ConsoleFormat.hotkey(status.hotkey), href: minerPath(status.hotkey, subnet: subnet),
                                    state: status.state.rawValue, stateLabel: state, inFlight: status.inFlight,
                                    capacity: max(status.endpoints.map(\.capacity).reduce(0, +), 1)))
            }
        }
        return TrafficView(time: ConsoleFormat.time(now), sampleCount: samples.count, liveChart: liveChart, queues: queues, mixRounds: rounds.count,
                           organicShare: ConsoleFormat.share(organic, of: rounds.count),
                           syntheticShare: ConsoleFormat.share(rounds.count - organic, of: rounds.count), mixChart: mixChart, miners: miners)
    }

    func trafficPage(_ request: Request) async throws -> Response {
        let session = try session(request)
        return try page("traffic", title: "Queues and traffic", section: .traffic, session: session, body: try await trafficView())
    }

    /// The refreshing part alone, for the page's script.
    func trafficFragment(_ request: Request) async throws -> Response {
        _ = try session(request)
        return ConsoleRenderer.html(try renderer.render("traffic-live", try await trafficView()))
    }
}
