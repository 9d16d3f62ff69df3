public import Supervision

/// The rules a DeviceActor's container child follows, as pure values: what to do with the
/// container the engine reports. Which deaths end a run is ``ContainerWatch``'s; the restarting
/// itself — backoff, the crash-looping label, the reset after a stable run — is the `Supervision`
/// library's, run by the DeviceActor's supervisor with ``RecorderPolicy/supervisorOptions``.
///
/// - A running container whose config hash matches is adopted untouched; a stopped one with a
///   matching hash is started again; one with another hash is stopped and removed before its
///   replacement is created (contract §3).
/// - The container keeps Podman's `on-failure` restart policy, which restarts it at once, while
///   the controller is away too. Podman's own retries are the engine's business: one start by the
///   controller plus Podman's retries is one crash (``ContainerWatch``).
package enum RecorderRules {
    /// What a container child does with the container the engine reports.
    package enum Step: Sendable, Equatable {
        /// It runs with the wanted hash: kept untouched.
        case adopt(containerID: String)
        /// It exists with the wanted hash but does not run: started again, not recreated.
        case start(containerID: String)
        /// It has another hash: stopped and removed (config drift), then created anew.
        case replace(containerID: String)
        /// There is none: created from the spec, then started.
        case create
    }

    /// The step for the device's container (`nil`: none exists), given the hash it should have.
    package static func step(for existing: ExistingContainer?, wantedHash: String) -> Step {
        guard let existing else { return .create }
        guard existing.configHash == wantedHash else { return .replace(containerID: existing.containerID) }
        return existing.running ? .adopt(containerID: existing.containerID) : .start(containerID: existing.containerID)
    }
}

/// A device's container as the engine reports it.
package struct ExistingContainer: Sendable, Equatable {
    package var containerID: String
    /// Its `io.silvasonic.config_hash` label.
    public var configHash: String?
    public var running: Bool

    public init(containerID: String, configHash: String?, running: Bool) {
        self.containerID = containerID
        self.configHash = configHash
        self.running = running
    }
}

/// How a DeviceActor restarts its recorder: the settings' intensity and backoff, as the
/// supervisor options of its rest-for-one supervisor, and the engine's own backoff.
///
/// Data capture first: the first restart after a crash is immediate, the later ones wait along
/// the backoff (about ×2 with jitter, to its cap, 60 s by default); past the intensity the
/// recorder is *labelled* crash-looping (``IntensityPolicy/markCrashLooping``), which changes no
/// wait, and it is never given up: a fault that clears is recorded again within the current wait.
public struct RecorderPolicy: Sendable, Hashable {
    /// The jitter of the controller's recorder backoff (±10 %): enough to spread many recorders'
    /// restarts apart, small enough that each wait is at least 0.9 of the plain doubling (an
    /// always-crashing recorder is started at most 7 times in its first minute, as measured).
    public static let jitter = 0.1

    /// Restarts allowed within its period before the recorder is labelled crash-looping.
    public var intensity: RestartIntensity
    /// Delays between restarts; its `resetAfter` is the stable run that starts the backoff over
    /// and ends the crash-looping label.
    public var backoff: BackoffPolicy

    /// A policy the supervisor accepts whatever the settings say: negative values become zero,
    /// an initial delay above the maximum becomes the maximum (every restart then waits the
    /// maximum), and the multiplier and jitter are kept in their ranges.
    public init(intensity: RestartIntensity = RestartIntensity(maxRestarts: 5, within: .seconds(300)),
                backoff: BackoffPolicy = BackoffPolicy(initial: .seconds(1), maximum: .seconds(60), jitter: RecorderPolicy.jitter,
                                                       immediateFirstRestart: true)) {
        self.intensity = RestartIntensity(maxRestarts: max(0, intensity.maxRestarts), within: max(.zero, intensity.period))
        var backoff = backoff
        backoff.maximum = max(.zero, backoff.maximum)
        backoff.initial = min(max(.zero, backoff.initial), backoff.maximum)
        backoff.resetAfter = max(.zero, backoff.resetAfter)
        backoff.multiplier = backoff.multiplier.isFinite ? max(1, backoff.multiplier) : 2
        backoff.jitter = backoff.jitter.isFinite ? min(1, max(0, backoff.jitter)) : 0
        self.backoff = backoff
    }

    /// Rest-for-one over container, heartbeat and logs: a crash of the container restarts its
    /// watchers with it; past the intensity, labelled crash-looping and restarted as before.
    package var supervisorOptions: SupervisorOptions {
        SupervisorOptions(strategy: .restForOne, intensity: intensity, backoff: backoff, intensityPolicy: .markCrashLooping)
    }

    /// Errors of the engine itself (unreachable, a failed create) are waited out on this backoff
    /// inside the container child: never a crash of the recorder. No immediate first retry, and
    /// capped at 30 s at most.
    package var engineBackoff: BackoffPolicy {
        var engine = backoff
        engine.immediateFirstRestart = false
        engine.maximum = min(backoff.maximum, .seconds(30))
        return engine
    }
}
