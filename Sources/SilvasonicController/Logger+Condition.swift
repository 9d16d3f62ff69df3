import ControllerCore
import Logging
import Synchronization

/// A subscription's outage (Redis's nudge channel, Podman's event stream) as a persistent
/// condition: `<subject> interrupted` once when it starts, `<subject> still interrupted` at most
/// once a minute with the reconnect attempts, `<subject> back` with the attempts and how long it
/// lasted; each attempt only at debug. Behind a lock, so that an actor and a stream's `@Sendable`
/// observer can both keep one.
final class StreamOutage: Sendable {
    private let subject: String
    private let logger: Logger
    private let state = Mutex(PersistentCondition<ContinuousClock.Instant>())

    init(_ subject: String, logger: Logger) {
        self.subject = subject
        self.logger = logger
    }

    /// A reconnect attempt failed; the next comes after `retryIn`.
    func interrupted(_ error: any Error, retryIn: Duration) {
        let metadata: Logger.Metadata = ["error": "\(error)", "retry.in": "\(retryIn)"]
        logger.debug("\(subject): reconnecting", metadata: metadata)
        logger.say(state.withLock { $0.occurred(now: .now) }, started: "\(subject) interrupted",
                   ongoing: "\(subject) still interrupted", counted: "attempts", metadata: metadata)
    }

    /// Subscribed (again): an outage, if there was one, is over.
    func subscribed() {
        logger.say(state.withLock { $0.cleared(now: .now) }, ended: "\(subject) back", counted: "attempts")
    }
}

extension Logger {
    /// Logs what a ``PersistentCondition`` says, if anything: `started` when it begins, `ongoing`
    /// with the count (under `counted`) and how long it has lasted at most once per summary
    /// interval, `ended` with the count and its duration when it is over (at notice when the
    /// condition was a warning). `metadata` names what the condition is about. A call after
    /// `occurred` names `started` and `ongoing`, one after `cleared` names `ended`.
    func say<Instant>(_ say: PersistentCondition<Instant>.Say?, at level: Logger.Level = .warning,
                      started: Logger.Message = "", ongoing: Logger.Message = "", ended: Logger.Message = "",
                      counted: String, metadata: Logger.Metadata = [:]) {
        switch say {
        case .started?:
            log(level: level, started, metadata: metadata)
        case .ongoing(let count, let lasting)?:
            log(level: level, ongoing, metadata: metadata.merging([counted: "\(count)", "for": "\(lasting)"]) { $1 })
        case .ended(let count, let lasting)?:
            log(level: level == .warning ? .notice : level, ended,
                metadata: metadata.merging([counted: "\(count)", "after": "\(lasting)"]) { $1 })
        case nil:
            break
        }
    }
}
