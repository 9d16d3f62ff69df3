import SilvasonicIO

/// A message that arrived on a subscribed channel.
public struct RedisMessage: Sendable, Equatable {
    public var channel: String
    public var payload: [UInt8]

    public init(channel: String, payload: [UInt8]) {
        self.channel = channel
        self.payload = payload
    }

    /// The payload decoded as UTF-8 (bad bytes repaired).
    public var text: String { String(decoding: payload, as: UTF8.self) }
}

/// A dedicated pub/sub connection: once subscribed, Redis only pushes messages on it.
///
/// Each read blocks this actor's own queue up to the wait it is given, never the cooperative pool.
public actor RedisSubscriber {
    private let executor = QueueExecutor(label: "silvasonic.redis.subscriber")
    private var context: RedisContext?

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    private init() {}

    /// Connects and subscribes to `channels`, returning once Redis has confirmed each one.
    public static func subscribe(_ configuration: RedisConfiguration, to channels: [String]) async throws -> RedisSubscriber {
        let subscriber = RedisSubscriber()
        try await subscriber.open(configuration, channels)
        return subscriber
    }

    private func open(_ configuration: RedisConfiguration, _ channels: [String]) throws {
        let context = try RedisContext(configuration: configuration)
        try context.append(["SUBSCRIBE"] + channels)
        for _ in channels { _ = try context.readReply() }
        self.context = context
    }

    private func requireContext() throws -> RedisContext {
        guard let context else { throw RedisError(code: .connectionClosed, message: "the subscription is closed") }
        return context
    }

    /// Waits up to `seconds` for the next message.
    ///
    /// hiredis's blocking reader cannot resume after a timeout, so a wait that runs out ends the
    /// subscription: it throws `timedOut`, and later calls throw `connectionClosed`.
    /// - Throws: ``RedisError`` `timedOut` or `connectionClosed`.
    public func nextMessage(waitingUpTo seconds: Double) throws -> RedisMessage {
        let context = try requireContext()
        context.setReadTimeout(seconds: seconds)
        while true {
            let reply: RedisReply
            do {
                reply = try context.readReply()
            } catch {
                self.context = nil
                throw error
            }
            if case .array(let parts) = reply, parts.count == 3, parts[0].string == "message",
               let channel = parts[1].string, case .bulk(let payload) = parts[2] {
                return RedisMessage(channel: channel, payload: payload)
            }
        }
    }

    /// Closes the subscription's connection.
    public func close() { context = nil }
}
