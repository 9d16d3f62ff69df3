import SilvasonicIO

/// A command connection to Redis, through hiredis.
///
/// hiredis's synchronous calls block, so the actor runs on its own ``QueueExecutor``.
public actor RedisConnection {
    private let executor = QueueExecutor(label: "silvasonic.redis")
    private var context: RedisContext?
    /// The server this connection talks to; safe to log.
    public nonisolated let configuration: RedisConfiguration

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    private init(configuration: RedisConfiguration) {
        self.configuration = configuration
    }

    /// Connects, authenticates and selects the database the configuration names.
    public static func connect(_ configuration: RedisConfiguration) async throws -> RedisConnection {
        let connection = RedisConnection(configuration: configuration)
        try await connection.open()
        return connection
    }

    private func open() throws {
        context = try RedisContext(configuration: configuration)
    }

    /// Sends one command, binary-safe (`redisCommandArgv`), and returns its reply.
    /// - Throws: ``RedisError``: `commandFailed` for an error reply, `connectionClosed` when the
    ///   connection broke (it is then unusable).
    public func command(_ arguments: [String]) throws -> RedisReply {
        guard let context else {
            throw RedisError(code: .connectionClosed, message: "the connection is closed")
        }
        do {
            return try context.command(arguments)
        } catch let error as RedisError where error.code == .connectionClosed {
            self.context = nil
            throw error
        }
    }

    /// `PUBLISH channel message`; returns how many subscribers received it.
    @discardableResult
    public func publish(_ message: String, to channel: String) throws -> Int {
        guard case .integer(let receivers) = try command(["PUBLISH", channel, message]) else { return 0 }
        return receivers
    }

    /// Closes the connection.
    public func close() { context = nil }
}
