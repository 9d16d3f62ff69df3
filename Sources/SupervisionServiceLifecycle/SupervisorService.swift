public import ServiceLifecycle
public import Supervision

/// A supervisor as a swift-service-lifecycle `Service`, to run in a `ServiceGroup`.
///
/// A graceful shutdown of the group (SIGTERM, say) asks the supervisor to stop its children in
/// reverse start order, each within its shutdown; cancellation does the same.
///
/// A supervisor that shuts down on its own (``Supervisor/shutdown()``, auto-shutdown) returns
/// normally; give it `successTerminationBehavior: .gracefullyShutdownGroup` so that the group
/// takes that as a reason to end rather than an unexpected exit.
///
/// ```swift
/// let group = ServiceGroup(configuration: .init(
///     services: [.init(service: SupervisorService(supervisor),
///                      successTerminationBehavior: .gracefullyShutdownGroup)],
///     gracefulShutdownSignals: [.sigterm, .sigint],
///     logger: logger))
/// try await group.run()
/// ```
public struct SupervisorService<C: Clock>: Service where C.Duration == Duration {
    /// The supervisor this service runs.
    public let supervisor: Supervisor<C>

    /// Wraps `supervisor`.
    public init(_ supervisor: Supervisor<C>) {
        self.supervisor = supervisor
    }

    /// Runs the supervisor until the group shuts down gracefully, its task is cancelled, or it
    /// ends on its own (returns) or gives up (throws).
    public func run() async throws {
        let supervisor = self.supervisor
        try await withGracefulShutdownHandler {
            try await supervisor.run()
        } onGracefulShutdown: {
            Task { await supervisor.shutdown() }
        }
    }
}

extension ChildSpec {
    /// A child that runs a swift-service-lifecycle `Service`.
    ///
    /// The supervisor stops it by cancellation, which every well-behaved service honours; its
    /// `run()` returning is a normal exit and throwing a failure, as for any child.
    public static func service(
        id: ChildID,
        restart: RestartType = .permanent,
        shutdown: Shutdown = .timeout(.seconds(5)),
        _ service: some Service
    ) -> ChildSpec {
        ChildSpec(id: id, restart: restart, shutdown: shutdown) { try await service.run() }
    }
}
