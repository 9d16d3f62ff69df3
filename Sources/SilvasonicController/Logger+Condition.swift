import ControllerCore
import Logging
import Synchronization

/// A ``PersistentCondition`` on the continuous clock, behind a lock: for a condition seen from a
/// `@Sendable` callback (a stream's observer) rather than from an actor.
final class SharedCondition: Sendable {
    private let state = Mutex(PersistentCondition<ContinuousClock.Instant>())

    func occurred() -> PersistentCondition<ContinuousClock.Instant>.Say? {
        state.withLock { $0.occurred(now: .now) }
    }

    func cleared() -> PersistentCondition<ContinuousClock.Instant>.Say? {
        state.withLock { $0.cleared(now: .now) }
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
