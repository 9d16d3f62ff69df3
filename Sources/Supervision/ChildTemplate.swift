/// One spec for many children that differ only in an argument: OTP's `simple_one_for_one`.
///
/// A device supervisor, say, starts one child per microphone from the same template:
///
/// ```swift
/// let device = ChildTemplate<DeviceID>(restart: .transient, shutdown: .timeout(.seconds(10))) { id in
///     try await DeviceActor(id: id).run()
/// }
/// try await devices.startChild(from: device, id: deviceID.rawValue, argument: deviceID)
/// ```
///
/// Pair it with `shutdownOrder: .concurrent` when the children are independent of each other.
public struct ChildTemplate<Argument: Sendable>: Sendable {
    /// When each child is started again after it ends.
    public var restart: RestartType
    /// How each child is stopped.
    public var shutdown: Shutdown
    /// Worker or supervisor.
    public var kind: ChildKind
    /// Runs one child for its argument.
    public var start: @Sendable (Argument) async throws -> Void

    /// Creates a template; the defaults match ``ChildSpec``'s.
    public init(
        restart: RestartType = .permanent,
        shutdown: Shutdown = .timeout(.seconds(5)),
        kind: ChildKind = .worker,
        start: @escaping @Sendable (Argument) async throws -> Void
    ) {
        self.restart = restart
        self.shutdown = shutdown
        self.kind = kind
        self.start = start
    }

    /// The spec of the child with this id and argument.
    public func spec(id: ChildID, argument: Argument) -> ChildSpec {
        let start = self.start
        return ChildSpec(id: id, restart: restart, shutdown: shutdown, kind: kind) { try await start(argument) }
    }
}

extension Supervisor {
    /// Starts a child made from `template` for `argument` (OTP's `start_child` on a
    /// `simple_one_for_one` supervisor); see ``startChild(_:)``.
    public func startChild<Argument: Sendable>(from template: ChildTemplate<Argument>, id: ChildID,
                                               argument: Argument) async throws {
        try await startChild(template.spec(id: id, argument: argument))
    }
}
