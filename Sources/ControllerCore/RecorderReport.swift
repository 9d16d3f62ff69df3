/// Lifecycle news of one device's container, for logs, metrics, `silvasonic:events` and tests.
package enum RecorderReport: Sendable, Equatable {
    case adopted(containerID: String)
    case created(containerID: String)
    case started(containerID: String)
    /// The recorder died (or lost its heartbeat) and is started again after this delay
    /// (zero: at once); `restartCount` counts its crashes since the device's actor was made (or
    /// since it last recovered from a crash loop).
    case restarting(after: Duration, restartCount: Int)
    /// More than the intensity's restarts within its period: labelled crash-looping until a run
    /// is stable. A label only: its restarts go on along the backoff, whose waits grow to
    /// `longestWait` (the cap). Never given up.
    case crashLooping(restarts: Int, within: Duration, longestWait: Duration)
    /// A crash-looping recorder ran stably again.
    case recovered(restarts: Int)
    /// The container is being stopped (and removed), for this reason.
    case stopping(containerID: String, reason: StopReason)
    /// The engine failed a lookup, create, start or stop; the container child waits and tries again.
    case engineError(String)
}

/// Where a device's recorder stands, as `/status` and the metrics name it.
public enum RecorderState: Sendable, Equatable {
    /// Nothing is wanted and nothing of it runs.
    case idle
    /// Asking the engine for the device's container.
    case inspecting
    /// A create is in flight.
    case creating
    case starting(containerID: String)
    /// Recording.
    case running(containerID: String)
    /// A stop (and remove) is in flight.
    case stopping(containerID: String)
    /// Waiting out a backoff before the next attempt: after a crash, or after an engine error.
    case backingOff
    /// Past the restart intensity: retried at the backoff's cap until a retry runs stably.
    case crashLooping

    /// The state's name in metrics and `/status`.
    public var name: String {
        switch self {
        case .idle: "idle"
        case .inspecting: "inspecting"
        case .creating: "creating"
        case .starting: "starting"
        case .running: "running"
        case .stopping: "stopping"
        case .backingOff: "backing_off"
        case .crashLooping: "crash_looping"
        }
    }

    /// Every state's name, for gauges that show zero as well.
    public static let names = ["idle", "inspecting", "creating", "starting", "running", "backing_off", "crash_looping", "stopping"]

    /// The container the state names, if any.
    package var containerID: String? {
        switch self {
        case .starting(let id), .running(let id), .stopping(let id): id
        case .idle, .inspecting, .creating, .backingOff, .crashLooping: nil
        }
    }
}
