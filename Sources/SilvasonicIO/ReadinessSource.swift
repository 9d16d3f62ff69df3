import Dispatch

/// Calls a handler on a serial queue whenever a socket has data to read, without holding a thread.
///
/// The clients' subscription connections (PostgreSQL's LISTEN, Redis's SUBSCRIBE) are idle
/// almost always: instead of a blocking read, each registers its socket here, on its own
/// ``QueueExecutor``'s queue, so the handler runs isolated to the connection's actor.
package final class ReadinessSource {
    private let source: any DispatchSourceRead

    /// Starts watching `descriptor`.
    /// - Parameters:
    ///   - descriptor: an open socket; the caller keeps it open until after ``cancel()``.
    ///   - executor: the executor whose queue runs `handler`.
    ///   - handler: called each time the socket becomes readable (or reaches end of file).
    public init(descriptor: Int32, executor: QueueExecutor, handler: @escaping @Sendable () -> Void) {
        source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: executor.queue)
        source.setEventHandler(handler: handler)
        source.activate()
    }

    /// Stops watching; the handler is not called again once the queue has passed this point.
    public func cancel() {
        source.cancel()
    }

    deinit { source.cancel() }
}

/// A connection actor's pending wait for pushed messages (PostgreSQL notifications, Redis
/// pub/sub): its socket watch, its suspended caller and where each message goes.
///
/// The actor keeps it while the wait runs and calls ``finish(throwing:)`` exactly once, from its
/// own queue, when the connection breaks or the caller is cancelled.
package final class ReadinessWait<Message: Sendable> {
    private let source: ReadinessSource
    private let continuation: CheckedContinuation<Void, any Error>
    /// Where each message goes.
    package let deliver: @Sendable (Message) -> Void

    public init(source: ReadinessSource, continuation: CheckedContinuation<Void, any Error>,
                deliver: @escaping @Sendable (Message) -> Void) {
        self.source = source
        self.continuation = continuation
        self.deliver = deliver
    }

    /// Stops watching the socket and resumes the waiting caller with `error`.
    public func finish(throwing error: any Error) {
        source.cancel()
        continuation.resume(throwing: error)
    }
}
