/// What the controller makes of the events of the container it watches, as a pure value: a
/// death that the engine's own restart policy restarts is the engine's business; only a death
/// the engine leaves ends the controller's wait (and counts as one crash).
///
/// The recorder keeps the contract's `on-failure` policy (it is in the config hash). Podman
/// decides about each death and says so in its event stream, in the same order on Podman 4.3
/// and 5.4 (measured; only the pace differs, about 0.16 s and 0.25 s a retry):
///
/// ```
/// died → restart → init → start    Podman restarts it (one of its own retries)
/// died → cleanup                   Podman is done with it: the run has ended
/// kill → died → cleanup            killed through the API: never restarted
/// ```
///
/// So no rule here depends on how fast an engine retries: the engine's own word decides. A
/// death the engine cannot restart by its policy is judged at once without waiting for that word
/// (a kill or stop through the API, exit code 0 under `on-failure`, the retries spent since the
/// controller's own start — which resets Podman's count). When the word does not come (events
/// lost), ``awaitingEngine`` asks the caller to look after ``engineGrace``: ``noWord(running:)``.
package struct ContainerWatch: Sendable, Equatable {
    /// The engine's restart policy of the container.
    package enum RestartPolicy: Sendable, Equatable {
        /// Never restarted by the engine.
        case never
        /// Restarted after a non-zero exit, up to `maxRetries` times after each start through the
        /// API (0: without limit).
        case onFailure(maxRetries: Int)
        /// Restarted after any exit the API did not cause.
        case always

        /// The policy of a spec's `restart_policy` name and retries (as Podman reads them).
        package init(name: String, maxRetries: Int) {
            switch name {
            case "on-failure": self = .onFailure(maxRetries: max(0, maxRetries))
            case "always", "unless-stopped": self = .always
            default: self = .never
            }
        }
    }

    /// An event of the watched container, as the engine reports it.
    package enum Event: Sendable, Equatable {
        /// `start`: it runs (again).
        case started
        /// `kill` or `stop` through the API: the death that follows is not restarted.
        case stopRequested
        /// `died`: its main process exited with this code.
        case died(exitCode: Int)
        /// `restart`: the engine's policy restarts it.
        case engineRestarting
        /// `cleanup`: the engine has finished with the dead container.
        case cleanedUp
        /// `remove`: it is gone.
        case removed
        /// The grace after a death passed without the engine's word: whether it runs now.
        case noWord(running: Bool)
    }

    /// What an event means for the controller.
    package enum Verdict: Sendable, Equatable {
        /// Nothing changes: it runs, or nothing is pending.
        case watching
        /// It died and the engine decides: the caller waits for the engine's next word, and
        /// after ``ContainerWatch/engineGrace`` without one reports ``Event/noWord(running:)``.
        case awaitingEngine
        /// The engine restarts it, its `count`th restart since the controller's own start (`nil`:
        /// an adopted container, whose count is unknown): not a crash; the wait goes on until it
        /// runs (after ``ContainerWatch/engineGrace`` without a start, ``Event/noWord(running:)``).
        case restartedByEngine(count: Int?)
        /// The engine is done with it: the run has ended (`nil`: no exit code was seen).
        case ended(exitCode: Int?)
    }

    /// How long the engine's word on a death may take before the caller looks for itself.
    /// Podman's comes within milliseconds of the death (its `cleanup` within about 0.2 s); this
    /// only covers events that were lost.
    package static let engineGrace = Duration.seconds(5)

    package let policy: RestartPolicy
    /// The engine's restarts since the controller started the container through the API (which
    /// resets Podman's count); `nil` for a container the controller adopted.
    package private(set) var engineRestarts: Int?
    /// A kill or stop through the API was seen since it last started.
    private var stopRequested = false
    /// The exit code of a death the engine has not yet decided on.
    package private(set) var pendingDeath: Int?
    /// The engine said it restarts the container, and it has not started yet.
    package private(set) var restarting = false

    /// - Parameters:
    ///   - policy: the container's restart policy.
    ///   - startedByController: the controller started it through the API (the engine's count
    ///     starts at zero); `false` for an adopted container.
    package init(policy: RestartPolicy, startedByController: Bool) {
        self.policy = policy
        engineRestarts = startedByController ? 0 : nil
    }

    /// Whether the engine's policy restarts a death with `exitCode` now.
    private func engineWillRestart(exitCode: Int) -> Bool {
        guard !stopRequested else { return false }
        switch policy {
        case .never:
            return false
        case .always:
            return true
        case .onFailure(let maxRetries):
            guard exitCode != 0 else { return false }
            guard maxRetries > 0, let done = engineRestarts else { return true }
            return done < maxRetries
        }
    }

    /// Takes in one event of the watched container and says what it means.
    package mutating func observe(_ event: Event) -> Verdict {
        switch event {
        case .started:
            pendingDeath = nil
            restarting = false
            stopRequested = false
            return .watching
        case .stopRequested:
            stopRequested = true
            return pendingDeath.map { .ended(exitCode: $0) } ?? .watching
        case .died(let code):
            restarting = false
            guard engineWillRestart(exitCode: code) else {
                pendingDeath = nil
                return .ended(exitCode: code)
            }
            pendingDeath = code
            return .awaitingEngine
        case .engineRestarting:
            pendingDeath = nil
            restarting = true
            engineRestarts = engineRestarts.map { $0 + 1 }
            return .restartedByEngine(count: engineRestarts)
        case .cleanedUp, .removed:
            guard let code = pendingDeath else {
                guard restarting, event == .removed else { return .watching }
                restarting = false
                return .ended(exitCode: nil)
            }
            pendingDeath = nil
            return .ended(exitCode: code)
        case .noWord(let running):
            guard pendingDeath != nil || restarting else { return .watching }
            let code = pendingDeath
            pendingDeath = nil
            restarting = false
            return running ? .watching : .ended(exitCode: code)
        }
    }
}
