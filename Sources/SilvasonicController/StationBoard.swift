public import ControllerCore
import Synchronization

/// The facts the station's children record as they work (subscriptions up or down, the last
/// reconcile), read by `/healthy`, the heartbeat and `/status`. A lock, not an actor: writers
/// are on hot paths and never wait.
package final class StationBoard: Sendable {
    private let facts: Mutex<HealthReport.Facts<ContinuousClock.Instant>>

    public init(startedAt: ContinuousClock.Instant = .now) {
        facts = Mutex(HealthReport.Facts(startedAt: startedAt))
    }

    /// A copy of the facts now.
    var snapshot: HealthReport.Facts<ContinuousClock.Instant> { facts.withLock { $0 } }

    /// Changes the facts.
    package func update(_ change: (inout HealthReport.Facts<ContinuousClock.Instant>) -> Void) {
        facts.withLock { change(&$0) }
    }
}
