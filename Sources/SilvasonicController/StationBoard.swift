package import ControllerCore
package import Logging
import Synchronization

/// The facts the station's children record as they work (subscriptions up or down, the
/// desired state read or not, the last reconcile), read by `/healthy`, the heartbeat and
/// `/status`. A lock, not an actor: writers are on hot paths and never wait.
///
/// Each component turns healthy at its first success and unhealthy when it fails, so the
/// status follows at once; when a change turns it (`ok` for the first time, or between `ok`
/// and `error` later), that is said in one line.
package final class StationBoard: Sendable {
    private struct State {
        var facts: HealthReport.Facts<ContinuousClock.Instant>
        /// The status last said; `nil` before the first `ok`.
        var said: String?
    }
    private let state: Mutex<State>
    private let logger: Logger?
    private let progressDeadline: Duration

    /// - Parameters:
    ///   - logger: where a turn of the status is said; `nil`: said nowhere.
    ///   - progressDeadline: as for ``HealthReport/judge(_:now:progressDeadline:)``.
    public init(startedAt: ContinuousClock.Instant = .now, logger: Logger? = nil, progressDeadline: Duration = .seconds(30)) {
        state = Mutex(State(facts: HealthReport.Facts(startedAt: startedAt)))
        self.logger = logger
        self.progressDeadline = progressDeadline
    }

    /// A copy of the facts now.
    var snapshot: HealthReport.Facts<ContinuousClock.Instant> { state.withLock { $0.facts } }

    /// Changes the facts; says the status when the change turned it.
    package func update(_ change: (inout HealthReport.Facts<ContinuousClock.Instant>) -> Void) {
        let turned: HealthReport? = state.withLock { state in
            change(&state.facts)
            guard logger != nil else { return nil }
            let report = HealthReport.judge(state.facts, now: .now, progressDeadline: progressDeadline)
            guard report.status != state.said, state.said != nil || report.status == "ok" else { return nil }
            state.said = report.status
            return report
        }
        guard let turned, let logger else { return }
        if turned.status == "ok" {
            logger.notice("healthy: the database read, Podman and Redis answering")
        } else {
            let failing = turned.components.filter { $0.value.required && !$0.value.healthy }
                .sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.details)" }
            logger.warning("not healthy; every recorder keeps running", metadata: ["failing": "\(failing.joined(separator: "; "))"])
        }
    }
}
