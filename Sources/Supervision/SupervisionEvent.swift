import Synchronization

/// Something that happened in a supervision tree, for logs, metrics and status views.
public struct SupervisionEvent: Sendable, Hashable {
    /// What happened: one of the values below. A later release may add kinds, so a `switch`
    /// over one needs a `default` (it is a struct, not an enum, for that reason); compare with
    /// `==` and read a kind's values through its properties:
    ///
    /// ```swift
    /// if event.kind == .started { ... }
    /// if let delay = event.kind.restartDelay { ... }
    /// switch event.kind {
    /// case .started, .stopped: ...
    /// default: ...
    /// }
    /// ```
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Value: Sendable, Hashable {
            case started, exitedNormally, stopped, escalated, shutDown
            case failed(String)
            case restartScheduled(after: Duration)
            case abandoned(after: Duration)
            case gaveUp(maxRestarts: Int, within: Duration)
            case crashLooping(maxRestarts: Int, within: Duration, retryEvery: Duration)
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// The child's task started.
        public static let started = Kind(.started)
        /// The child returned.
        public static let exitedNormally = Kind(.exitedNormally)
        /// The child threw; the error, described (``failure``).
        public static func failed(_ description: String) -> Kind { Kind(.failed(description)) }
        /// The child will be started again after this delay (``restartDelay``).
        public static func restartScheduled(after delay: Duration) -> Kind { Kind(.restartScheduled(after: delay)) }
        /// The supervisor stopped the child (terminate, shutdown, or a sibling's restart).
        public static let stopped = Kind(.stopped)
        /// The child did not end within its shutdown timeout after cancellation; it was
        /// abandoned (its task may still be running) (``abandonedAfter``).
        public static func abandoned(after timeout: Duration) -> Kind { Kind(.abandoned(after: timeout)) }
        /// Too many restarts: the supervisor gives up on the child and fails (``intensity``).
        public static func gaveUp(maxRestarts: Int, within: Duration) -> Kind {
            Kind(.gaveUp(maxRestarts: maxRestarts, within: within))
        }
        /// Too many restarts, under ``IntensityPolicy/retryAtCap`` or ``IntensityPolicy/markCrashLooping``:
        /// the child is crash-looping until a run of it is stable; `retryEvery` is the delay of
        /// the restart that began the loop (under `retryAtCap` the cap, every later one's too;
        /// under `markCrashLooping` the backoff's, which goes on growing to its cap). Reported
        /// once per loop (``intensity``, ``retryInterval``).
        public static func crashLooping(maxRestarts: Int, within: Duration, retryEvery: Duration) -> Kind {
            Kind(.crashLooping(maxRestarts: maxRestarts, within: within, retryEvery: retryEvery))
        }
        /// The supervisor failed and passes the failure to its own supervisor.
        public static let escalated = Kind(.escalated)
        /// The supervisor stopped all its children and ended.
        public static let shutDown = Kind(.shutDown)

        /// The child's error, described, for ``failed(_:)``.
        public var failure: String? {
            if case .failed(let description) = value { description } else { nil }
        }

        /// The delay before the restart, for ``restartScheduled(after:)``.
        public var restartDelay: Duration? {
            if case .restartScheduled(let delay) = value { delay } else { nil }
        }

        /// The shutdown timeout that passed, for ``abandoned(after:)``.
        public var abandonedAfter: Duration? {
            if case .abandoned(let timeout) = value { timeout } else { nil }
        }

        /// The restart intensity that was passed, for ``gaveUp(maxRestarts:within:)`` and
        /// ``crashLooping(maxRestarts:within:retryEvery:)``.
        public var intensity: RestartIntensity? {
            switch value {
            case .gaveUp(let maxRestarts, let within), .crashLooping(let maxRestarts, let within, _):
                RestartIntensity(maxRestarts: maxRestarts, within: within)
            default: nil
            }
        }

        /// The delay of the restart that began a crash loop, for ``crashLooping(maxRestarts:within:retryEvery:)``.
        public var retryInterval: Duration? {
            if case .crashLooping(_, _, let every) = value { every } else { nil }
        }

        /// As Swift prints an enum case: `started`, `failed("boom")`, `restartScheduled(after: 1.0 seconds)`.
        public var description: String {
            String(describing: value)
        }
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
