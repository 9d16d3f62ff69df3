package import Supervision

/// What a subscription stream reports: each (re)subscription, each element, each interruption.
///
/// PostgreSQL's LISTEN and Redis's SUBSCRIBE both lose whatever was sent while the connection was
/// down, so a consumer treats ``subscribed`` as "re-read the state the messages would have told".
public enum SubscriptionEvent<Element: Sendable, Failure: Error & Sendable>: Sendable {
    /// Subscribed, on a new connection.
    case subscribed
    /// A message.
    case element(Element)
    /// The connection broke or could not be made; the next attempt follows after `retryIn`.
    case interrupted(Failure, retryIn: Duration)
}

extension SubscriptionEvent: Equatable where Element: Equatable, Failure: Equatable {}

/// Where a subscription session reports to its stream.
package struct SubscriptionSink<Element: Sendable, Failure: Error & Sendable>: Sendable {
    let emit: @Sendable (SubscriptionEvent<Element, Failure>) -> Bool
    let markSubscribed: @Sendable () -> Void

    /// The session is subscribed (after connecting and subscribing).
    package func subscribed() {
        markSubscribed()
        _ = emit(.subscribed)
    }

    /// A message arrived; returns false when the stream's buffer was full and it was dropped.
    @discardableResult
    package func deliver(_ element: Element) -> Bool {
        emit(.element(element))
    }
}

/// Builds streams that keep a subscription alive: run a session, and when it fails, wait out
/// the backoff and run a new one, until the consumer stops iterating.
package enum Resubscription {
    /// A stream of `session`'s events, renewed after every failure.
    /// - Parameters:
    ///   - backoff: the waits between attempts; a session that stayed subscribed for
    ///     `backoff.resetAfter` starts the count again, one that fails at once keeps backing off.
    ///   - bufferLimit: how many events may wait for a slow consumer before new ones are
    ///     dropped (``SubscriptionSink/deliver(_:)`` then returns false); `nil`: no limit.
    ///   - failure: turns any error a session throws into the stream's failure type.
    ///   - session: connects, subscribes, calls `sink.subscribed()`, delivers messages, and
    ///     returns only by throwing (the connection broke, or the task was cancelled).
    public static func stream<Element: Sendable, Failure: Error & Sendable>(
        backoff: BackoffPolicy,
        bufferLimit: Int? = nil,
        failure: @escaping @Sendable (any Error) -> Failure,
        session: @escaping @Sendable (SubscriptionSink<Element, Failure>) async throws -> Void
    ) -> AsyncStream<SubscriptionEvent<Element, Failure>> {
        AsyncStream(bufferingPolicy: bufferLimit.map { .bufferingOldest($0) } ?? .unbounded) { continuation in
            let task = Task {
                var schedule = ReconnectSchedule<ContinuousClock.Instant>(backoff: backoff)
                var random = SystemRandomNumberGenerator()
                while !Task.isCancelled {
                    let subscribedAt = SubscribedInstant()
                    let sink = SubscriptionSink<Element, Failure>(
                        emit: { if case .enqueued = continuation.yield($0) { true } else { false } },
                        markSubscribed: { subscribedAt.set(.now) })
                    do {
                        try await session(sink)
                        throw SessionEnded()
                    } catch {
                        if Task.isCancelled || error is CancellationError { break }
                        let now = ContinuousClock.now
                        if let since = subscribedAt.get(), since.duration(to: now) >= backoff.resetAfter {
                            schedule.connected()
                        }
                        let next = schedule.attemptFailed(at: now, randomUnit: BackoffPolicy.randomUnit(using: &random))
                        continuation.yield(.interrupted(failure(error), retryIn: now.duration(to: next)))
                        do { try await Task.sleep(until: next, clock: .continuous) } catch { break }
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// A session that returned instead of throwing: treated as a broken connection, never as a
/// reason to resubscribe in a hot loop.
package struct SessionEnded: Error, CustomStringConvertible {
    public var description: String { "the subscription ended" }
}

/// The instant a session subscribed, set from the session's task and read from the stream's.
private final class SubscribedInstant: Sendable {
    private let value = Mutex<ContinuousClock.Instant?>(nil)
    func set(_ instant: ContinuousClock.Instant) { value.withLock { $0 = instant } }
    func get() -> ContinuousClock.Instant? { value.withLock { $0 } }
}

import Synchronization
