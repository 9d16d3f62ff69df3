import Synchronization

/// Something that happened in a supervision tree, for logs, metrics and status views.
public struct SupervisionEvent: Sendable, Hashable {
    /// What happened.
    public enum Kind: Sendable, Hashable {
        /// The child's task started.
        case started
        /// The child returned.
        case exitedNormally
        /// The child threw; the error, described.
        case failed(String)
        /// The child will be started again after this delay.
        case restartScheduled(after: Duration)
        /// The supervisor stopped the child (terminate, shutdown, or a sibling's restart).
        case stopped
        /// The child did not end within its shutdown timeout after cancellation; it was
        /// abandoned (its task may still be running).
        case abandoned(after: Duration)
        /// Too many restarts: the supervisor gives up on `child` and fails.
        case gaveUp(maxRestarts: Int, within: Duration)
        /// Too many restarts, under ``IntensityPolicy/retryAtCap``: `child` is crash-looping and
        /// is restarted every `retryEvery` until a run of it is stable. Reported once per loop.
        case crashLooping(maxRestarts: Int, within: Duration, retryEvery: Duration)
        /// The supervisor failed and passes the failure to its own supervisor.
        case escalated
        /// The supervisor stopped all its children and ended.
        case shutDown
    }

    /// The path of the supervisor that reports it, such as `root/devices`.
    public var supervisor: String
    /// The child concerned; `nil` for events about the supervisor itself.
    public var child: ChildID?
    /// What happened.
    public var kind: Kind

    /// Creates an event; supervisors emit these.
    public init(supervisor: String, child: ChildID?, kind: Kind) {
        self.supervisor = supervisor
        self.child = child
        self.kind = kind
    }
}

/// A broadcast of ``SupervisionEvent``s: every subscriber gets every event from the moment it
/// subscribes. One instance can be shared by a whole tree, so one subscription sees it all.
public final class SupervisionEvents: Sendable {
    private struct State {
        var next: UInt64 = 0
        var subscribers: [UInt64: AsyncStream<SupervisionEvent>.Continuation] = [:]
    }

    private let state = Mutex(State())
    private let observer: (@Sendable (SupervisionEvent) -> Void)?

    /// Creates a broadcast with no subscribers yet.
    public init() {
        observer = nil
    }

    /// Creates a broadcast whose `observer` sees every event synchronously, before any
    /// subscriber: called by the emitting supervisor, in the order of that supervisor's events,
    /// before it acts on them (a `restartScheduled` is observed before the restarted child
    /// starts). Keep it short and never blocking: it runs on the supervisor's executor.
    ///
    /// Use it where events must be ordered with what the children themselves report, such as a
    /// per-child journal; use ``subscribe(bufferSize:)`` for everything else.
    public init(observer: @escaping @Sendable (SupervisionEvent) -> Void) {
        self.observer = observer
    }

    /// A new stream of events. It keeps the newest `bufferSize` events when its reader falls
    /// behind; it ends when the subscriber's iteration is cancelled.
    public func subscribe(bufferSize: Int = 4096) -> AsyncStream<SupervisionEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: SupervisionEvent.self,
                                                            bufferingPolicy: .bufferingNewest(bufferSize))
        let id = state.withLock { state in
            state.next += 1
            state.subscribers[state.next] = continuation
            return state.next
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Whether anything sees the events: an observer, or a subscriber.
    var isObserved: Bool {
        observer != nil || state.withLock { !$0.subscribers.isEmpty }
    }

    /// Sends `event` to every subscriber.
    public func emit(_ event: SupervisionEvent) {
        observer?(event)
        // Yielding never blocks (each stream buffers), so it is done under the lock: no copy of
        // the subscriber list per event.
        state.withLock { state in
            for subscriber in state.subscribers.values { subscriber.yield(event) }
        }
    }
}
