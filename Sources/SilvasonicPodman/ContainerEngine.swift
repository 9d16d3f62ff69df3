public import SilvasonicIO
public import Supervision

/// The container engine as the controller sees it: what ``PodmanClient`` does against the real
/// Podman, and what an in-memory engine does for tests and the simulation, so both drive the
/// same actors unchanged.
public protocol ContainerEngine: Sendable {
    /// Whether the engine answers.
    func ping() async throws -> Bool
    /// Creates a container and returns its id.
    func create(_ spec: ContainerSpec) async throws -> String
    /// Starts a created or stopped container.
    func start(_ nameOrID: String) async throws
    /// Stops a container: SIGTERM, then SIGKILL after `timeoutSeconds`.
    func stop(_ nameOrID: String, timeoutSeconds: Int) async throws
    /// Sends a signal to the container's main process.
    func kill(_ nameOrID: String, signal: String) async throws
    /// Removes a container; `force` kills a running one first.
    func remove(_ nameOrID: String, force: Bool) async throws
    /// The container's state, labels and applied settings.
    func inspect(_ nameOrID: String) async throws -> ContainerInspection
    /// Containers in every state carrying all of `labels`, optionally only in `statuses`.
    func list(labels: [String: String], statuses: [String]) async throws -> [ContainerSummary]
    /// Follows a container's log (see ``PodmanClient/followLogs(_:since:bufferLimit:maximumLineBytes:backoff:)``).
    func followLogs(_ nameOrID: String, since: LogTimestamp?, bufferLimit: Int, maximumLineBytes: Int,
                    backoff: BackoffPolicy) -> AsyncStream<LogFollowEvent>
    /// Follows the events of containers carrying all of `labels` (see ``PodmanClient/followEvents(labels:backoff:)``).
    func followEvents(labels: [String: String], backoff: BackoffPolicy) -> AsyncStream<ContainerEventFollow>
}

extension PodmanClient: ContainerEngine {}
