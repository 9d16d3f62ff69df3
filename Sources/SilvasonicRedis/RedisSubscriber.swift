public import SilvasonicIO

/// A message that arrived on a subscribed channel.
public struct RedisMessage: Sendable, Hashable {
    public var channel: String
    public var payload: [UInt8]

    public init(channel: String, payload: [UInt8]) {
        self.channel = channel
        self.payload = payload
    }

    /// The payload decoded as UTF-8 (bad bytes repaired).
    public var text: String { String(decoding: payload, as: UTF8.self) }

    /// The message a reply pushed on a subscribed connection carries (`message`, channel,
    /// payload); `nil` for any other reply (subscription confirmations, garbage).
    public init?(pushed reply: RedisReply) {
        guard case .array(let parts) = reply, parts.count == 3, parts[0].string == "message",
              let channel = parts[1].string, case .bulk(let payload) = parts[2] else { return nil }
        self.init(channel: channel, payload: payload)
    }
}

/// A dedicated pub/sub connection: once subscribed, Redis only pushes messages on it.
///
/// No thread waits for them: the socket is watched by a ``ReadinessSource`` on this actor's own
/// queue, and hiredis parses only what has arrived (`redisBufferRead`, `redisGetReplyFromReader`).
/// ``RedisClient/subscribe(to:)`` renews one of these after every reconnect.
package actor RedisSubscriber {
    private let executor = QueueExecutor(label: "silvasonic.redis.subscriber")
    private var context: RedisContext?
    private var wait: ReadinessWait<RedisMessage>?
    /// The server; safe to log.
    public nonisolated let configuration: RedisConfiguration

    package nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    private init(configuration: RedisConfiguration) {
        self.configuration = configuration
    }

    /// Connects and subscribes to `channels`, returning once Redis has confirmed each one.
    /// - Throws: ``RedisError``.
    public static func subscribe(_ configuration: RedisConfiguration, to channels: [String]) async throws -> RedisSubscriber {
        let subscriber = RedisSubscriber(configuration: configuration)
        try await subscriber.open(channels)
        return subscriber
    }

    private func open(_ channels: [String]) throws {
        let context = try RedisContext(configuration: configuration)
        try context.append(["SUBSCRIBE"] + channels)
        for _ in channels { _ = try context.readReply() }
        self.context = context
    }

    /// Hands every message to `deliver` until the connection breaks or the task is cancelled.
    /// - Throws: ``RedisError`` `connectionClosed`, or `CancellationError`.
    func waitForMessages(_ deliver: @escaping @Sendable (RedisMessage) -> Void) async throws {
        guard let context else {
            throw RedisError(code: .connectionClosed, message: "\(configuration): the subscription is closed")
        }
        guard wait == nil else {
            throw RedisError(code: .commandFailed, message: "this subscription already delivers its messages")
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                let source = ReadinessSource(descriptor: context.descriptor, executor: executor) { [self] in
                    self.assumeIsolated { $0.socketReadable() }
                }
                wait = ReadinessWait(source: source, continuation: continuation, deliver: deliver)
                // Messages that came with the SUBSCRIBE confirmations sit in hiredis's buffer
                // already; the socket will not signal them again.
                drainBuffered()
            }
        } onCancel: {
            executor.queue.async { [self] in
                self.assumeIsolated { $0.finish(throwing: CancellationError()) }
            }
        }
    }

    /// Closes the subscription's connection.
    package func close() {
        finish(throwing: RedisError(code: .connectionClosed, message: "\(configuration): the subscription was closed"))
        context = nil
    }

    private func socketReadable() {
        guard wait != nil, let context else { return }
        do {
            try context.readAvailable()
        } catch {
            finish(throwing: error)
            return
        }
        drainBuffered()
    }

    private func drainBuffered() {
        guard let wait, let context else { return }
        do {
            while let reply = try context.bufferedReply() {
                if let message = RedisMessage(pushed: reply) { wait.deliver(message) }
            }
        } catch {
            finish(throwing: error)
        }
    }

    private func finish(throwing error: any Error) {
        guard let wait else { return }
        self.wait = nil
        if !(error is CancellationError) { context = nil }
        wait.finish(throwing: error)
    }
}

/// What a subscription stream reports: ``SubscriptionEvent/subscribed`` after each
/// (re)connection, each message, each interruption. Messages published while the stream was
/// interrupted are lost (Redis pub/sub keeps nothing): on `subscribed`, re-read the state.
public typealias RedisSubscriptionEvent = SubscriptionEvent<RedisMessage, RedisError>

extension RedisClient {
    /// Subscribes to `channels` on a connection of its own, renewed after every reconnect, until
    /// the consuming task stops iterating.
    ///
    /// ```swift
    /// for await event in redis.subscribe(to: ["silvasonic:nudge"]) {
    ///     if case .element(let message) = event, message.text == "reconcile" { ... }
    /// }
    /// ```
    public nonisolated func subscribe(to channels: [String]) -> AsyncStream<RedisSubscriptionEvent> {
        let configuration = self.configuration
        return Resubscription.stream(
            backoff: configuration.reconnectBackoff,
            failure: { $0 as? RedisError ?? RedisError(code: .connectionClosed, message: "\($0)") },
            session: { sink in
                let subscriber = try await RedisSubscriber.subscribe(configuration, to: channels)
                do {
                    sink.subscribed()
                    try await subscriber.waitForMessages { sink.deliver($0) }
                } catch {
                    await subscriber.close()
                    throw error
                }
            })
    }
}
