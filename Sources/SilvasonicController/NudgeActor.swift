public import ControllerCore
import Foundation
public import Logging
public import SilvasonicRedis

/// Subscribes to `silvasonic:nudge` and turns each `reconcile` into a reconcile request; any
/// other payload is counted and said once (summarised while it lasts). Nudges sent while the
/// subscription was down are lost, so every (re)subscription asks for a reconcile itself.
public actor NudgeActor {
    /// The channel the web interface nudges on.
    public static let channel = "silvasonic:nudge"

    private let subscribe: @Sendable ([String]) -> AsyncStream<RedisSubscriptionEvent>
    private let reconcile: @Sendable (_ reason: ReconcileReason) async -> Void
    private let subscribed: @Sendable (Bool) -> Void
    private let metrics: ControllerMetrics
    private let logger: Logger
    private var garbage = PersistentCondition<ContinuousClock.Instant>()
    /// The subscription down: said when it starts, summarised once a minute, said when it ends.
    private let outage: StreamOutage
    /// Nudges whose payload was not `reconcile`.
    public private(set) var ignored = 0

    /// - Parameters:
    ///   - subscribe: a resubscribing subscription (``RedisClient/subscribe(to:)``, or an in-memory Redis's).
    ///   - subscribed: told whether the subscription stands, for the health report.
    ///   - reconcile: asks the ``Reconciler`` for a run, with a reason.
    public init(subscribe: @escaping @Sendable ([String]) -> AsyncStream<RedisSubscriptionEvent>,
                metrics: ControllerMetrics = ControllerMetrics(), logger: Logger,
                subscribed: @escaping @Sendable (Bool) -> Void = { _ in },
                reconcile: @escaping @Sendable (_ reason: ReconcileReason) async -> Void) {
        self.subscribe = subscribe
        self.reconcile = reconcile
        self.subscribed = subscribed
        self.metrics = metrics
        self.logger = logger
        outage = StreamOutage("nudge channel", logger: logger)
    }

    /// Whether a nudge asks for a reconcile: its payload is exactly `reconcile`, byte for byte.
    public static func asksForReconcile(_ message: RedisMessage) -> Bool {
        message.payload.elementsEqual("reconcile".utf8)
    }

    /// Follows the channel until cancelled. An outage is said once when it starts, summarised at
    /// most once a minute with the reconnect attempts while it lasts, and said when it ends with
    /// how long it lasted; each attempt only at debug.
    public func run() async throws {
        for await event in subscribe([Self.channel]) {
            switch event {
            case .subscribed:
                subscribed(true)
                outage.subscribed()
                await reconcile(.nudgeChannelSubscribed)
            case .element(let message):
                if Self.asksForReconcile(message) {
                    metrics.nudge(ignored: false)
                    logger.say(garbage.cleared(now: .now), at: .info, ended: "nudges are 'reconcile' again", counted: "ignored")
                    await reconcile(.nudge)
                } else {
                    metrics.nudge(ignored: true)
                    ignored += 1
                    logger.say(garbage.occurred(now: .now), at: .info, started: "nudge ignored: the payload is not 'reconcile'",
                               ongoing: "nudges still ignored: payloads that are not 'reconcile'",
                               counted: "ignored", metadata: ["payload": "\(message.text.prefix(80).debugDescription)"])
                }
            case .interrupted(let error, let retryIn):
                subscribed(false)
                metrics.streamInterrupted("nudges")
                outage.interrupted(error, retryIn: retryIn)
            }
        }
        try Task.checkCancellation()
    }
}
