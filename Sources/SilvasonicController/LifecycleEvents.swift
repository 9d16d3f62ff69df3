import Foundation
public import SilvasonicIO
import Synchronization

/// Lifecycle events, published as JSON on `silvasonic:events`, fire-and-forget: device
/// appeared and gone, container created, started, adopted, died, restarting, crash-looping,
/// recovered, engine errors, and each reconcile.
///
/// ```json
/// {"event": "container_started", "timestamp": 1763762400.123, "device_id": "0869-0389-ABC034F", "service": "recorder", "container_id": "…"}
/// ```
/// Emitting never waits: events queue in a bounded buffer (the newest 1,024 kept, the rest
/// counted as dropped) that the station's `publisher` child drains; a Redis outage loses
/// events, never blocks the tree.
public final class LifecycleEvents: Sendable {
    /// The channel events are published on.
    public static let channel = "silvasonic:events"

    private let continuation: AsyncStream<JSONValue>.Continuation
    /// What the publisher drains.
    public let stream: AsyncStream<JSONValue>
    private let droppedCount = Mutex(0)

    public init(bufferLimit: Int = 1024) {
        (stream, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(bufferLimit))
    }

    /// Events lost to a full buffer or a Redis outage.
    package var dropped: Int { droppedCount.withLock { $0 } }

    func countDropped() { droppedCount.withLock { $0 += 1 } }

    /// Queues one event.
    package func emit(_ event: LifecycleEvent) {
        var object = event.fields
        object["event"] = .string(event.name)
        object["timestamp"] = .double((Date().timeIntervalSince1970 * 1000).rounded() / 1000)
        if case .dropped = continuation.yield(.object(object)) { countDropped() }
    }
}
