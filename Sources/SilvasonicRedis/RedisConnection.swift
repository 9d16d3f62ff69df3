import SilvasonicIO

/// A command connection to Redis, through hiredis.
///
/// hiredis's synchronous calls block, so the actor runs on its own ``QueueExecutor``: a slow
/// reply holds that queue's thread, never the cooperative pool. It does not reconnect;
/// ``RedisClient`` does.
package actor RedisConnection: RedisCommands {
    private let executor = QueueExecutor(label: "silvasonic.redis")
    private var context: RedisContext?
    /// The server this connection talks to; safe to log.
    public nonisolated let configuration: RedisConfiguration

    package nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    private init(configuration: RedisConfiguration) {
        self.configuration = configuration
    }

    /// Connects, authenticates and selects the database the configuration names.
    /// - Throws: ``RedisError`` `connectionFailed` with the reason.
    package static func connect(_ configuration: RedisConfiguration) async throws -> RedisConnection {
        let connection = RedisConnection(configuration: configuration)
        try await connection.open()
        return connection
    }

    private func open() throws {
        context = try RedisContext(configuration: configuration)
    }

    /// Sends one binary-safe command (`redisAppendCommandArgv`) and returns its reply.
    /// - Throws: ``RedisError``: `commandFailed` for an error reply; `connectionClosed` or
    ///   `timedOut` when the connection broke (it is then unusable).
    public func command(bytes arguments: [[UInt8]]) throws -> RedisReply {
        guard let context else {
            throw RedisError(code: .connectionClosed, message: "\(configuration): the connection is closed")
        }
        do {
            return try context.command(arguments)
        } catch let error as RedisError where error.code != .commandFailed {
            self.context = nil
            throw error
        }
    }

    /// Closes the connection.
    package func close() { context = nil }
}
