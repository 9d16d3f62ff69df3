import ControllerCore

/// What the container child's run ended with, thrown to its supervisor.
enum RecorderExit: Error, CustomStringConvertible {
    /// Its main process exited (`nil`: it went while the controller was not watching).
    case died(containerID: String, exitCode: Int?)
    /// No heartbeat and no progress in its workspace: stopped and removed.
    case heartbeatLost(containerID: String)

    var description: String {
        switch self {
        case .died(let id, let code?): "container \(id.prefix(12)) exited with code \(code)"
        case .died(let id, nil): "container \(id.prefix(12)) is no longer running"
        case .heartbeatLost(let id): "container \(id.prefix(12)) lost its heartbeat and its workspace shows no progress"
        }
    }
}

/// An engine call that failed: waited out by the container child, never a crash.
struct EngineFailure: Error, CustomStringConvertible {
    var what: String
    var error: any Error
    var description: String { "\(what): \(error)" }
}

/// The container the companions watch, and what they need of its spec.
struct RunningContainer: Sendable {
    var containerID: String
    var name: String
    var labels: [String: String]
    /// Where the controller sees its workspace, if it does.
    var workspace: String?
    var segmentDuration: Duration

    init(containerID: String, spec: Tier2Spec?) {
        self.containerID = containerID
        name = spec?.name ?? containerID
        labels = spec?.labels ?? [:]
        workspace = spec?.controllerWorkspace
        segmentDuration = spec?.segmentDuration ?? .seconds(10)
    }
}
