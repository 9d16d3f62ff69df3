public import SilvasonicIO
public import SilvasonicPodman
public import Supervision
import Synchronization

/// A ``ContainerEngine`` in front of another (Podman or the in-memory engine) that times every
/// call about a device's container, so a run can tell the engine's own time from the
/// controller's: for each start, when it returned, how long the engine spent on that device's
/// calls since its last start (inspect, stop, remove, create, start), and when the engine's
/// `died` event for it arrived.
public final class TimedContainerEngine: ContainerEngine {
    /// One container start that returned.
    public struct Start: Sendable {
        package var containerID: String
        package var labels: [String: String]
        /// When the start returned: the recorder runs from here.
        package var completed: ContinuousClock.Instant
        /// Time spent inside the engine on this device's calls since its previous start: the
        /// lookup of its container, the create that made it (none when it existed already), the
        /// start, and any inspect, stop or remove on the way.
        var engineTime: Duration
        /// When the engine's `died` event of the device's previous container arrived, if one did.
        var diedEventArrived: ContinuousClock.Instant?
        /// The device the recorder records, from its label.
        package var deviceID: String? { labels["io.silvasonic.device_id"] }
    }

    private struct State {
        /// Labels by container id and name (a restart starts the same container again).
        var labels: [String: [String: String]] = [:]
        /// Engine time since the last start, and `died` arrivals, by device (or by container
        /// name or id when its device is not known yet).
        var engineTime: [String: Duration] = [:]
        var died: [String: ContinuousClock.Instant] = [:]
        var starts: [Start] = []
        /// Removes that returned, since the last ``clearStarts()``.
        var removes = 0
        /// Waiters for a number of starts (``started(atLeast:)``).
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

        func device(_ nameOrID: String) -> String { labels[nameOrID]?["io.silvasonic.device_id"] ?? nameOrID }
    }

    package let base: any ContainerEngine
    private let state = Mutex(State())

    public init(_ base: any ContainerEngine) {
        self.base = base
    }

    /// Every start that returned, in order, since the last ``clearStarts()``.
    public var starts: [Start] { state.withLock { $0.starts } }

    /// How many starts returned (without copying them).
    public var startCount: Int { state.withLock { $0.starts.count } }

    /// Returns once at least `count` starts returned since the last ``clearStarts()``: a wait,
    /// not a loop of yields (a yielding loop at a higher priority starves the tree's own tasks).
    public func started(atLeast count: Int) async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                guard state.starts.count < count else { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Removes that returned since the last ``clearStarts()``.
    public var removes: Int { state.withLock { $0.removes } }

    /// Forgets the starts (and removes) recorded so far.
    func clearStarts() {
        state.withLock {
            $0.starts.removeAll(keepingCapacity: true)
            $0.removes = 0
        }
    }

    /// Runs one engine call about `nameOrID`'s container, adding its time to the device's.
    private func timed<T>(_ nameOrID: String, _ call: () async throws -> T) async throws -> T {
        let began = ContinuousClock.now
        defer {
            let duration = began.duration(to: .now)
            state.withLock { $0.engineTime[$0.device(nameOrID), default: .zero] += duration }
        }
        return try await call()
    }

    public func create(_ spec: ContainerSpec) async throws -> String {
        let device = spec.labels["io.silvasonic.device_id"] ?? spec.name
        let began = ContinuousClock.now
        let id: String
        do { id = try await base.create(spec) } catch {
            let duration = began.duration(to: .now)
            state.withLock { $0.engineTime[device, default: .zero] += duration }
            throw error
        }
        let duration = began.duration(to: .now)
        state.withLock {
            $0.labels[id] = spec.labels
            $0.labels[spec.name] = spec.labels
            $0.engineTime[device, default: .zero] += duration
        }
        return id
    }

    public func start(_ nameOrID: String) async throws {
        try await timed(nameOrID) { try await base.start(nameOrID) }
        let completed = ContinuousClock.now
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            let device = state.device(nameOrID)
            state.starts.append(Start(containerID: nameOrID, labels: state.labels[nameOrID] ?? [:], completed: completed,
                                      engineTime: state.engineTime.removeValue(forKey: device) ?? .zero,
                                      diedEventArrived: state.died.removeValue(forKey: device)))
            let count = state.starts.count
            let ready = state.waiters.filter { $0.count <= count }.map(\.continuation)
            state.waiters.removeAll { $0.count <= count }
            return ready
        }
        for waiter in ready { waiter.resume() }
    }

    public func ping() async throws -> Bool { try await base.ping() }

    public func stop(_ nameOrID: String, timeoutSeconds: Int) async throws {
        try await timed(nameOrID) { try await base.stop(nameOrID, timeoutSeconds: timeoutSeconds) }
    }

    public func kill(_ nameOrID: String, signal: String) async throws { try await base.kill(nameOrID, signal: signal) }

    public func remove(_ nameOrID: String, force: Bool) async throws {
        try await timed(nameOrID) { try await base.remove(nameOrID, force: force) }
        state.withLock { $0.removes += 1 }
    }

    public func inspect(_ nameOrID: String) async throws -> ContainerInspection {
        try await timed(nameOrID) { try await base.inspect(nameOrID) }
    }

    /// A listing for one device's container (a recorder actor looking for its container) counts
    /// as that device's engine time; a station-wide one as nobody's.
    public func list(labels: [String: String], statuses: [String]) async throws -> [ContainerSummary] {
        guard let device = labels["io.silvasonic.device_id"] else { return try await base.list(labels: labels, statuses: statuses) }
        let began = ContinuousClock.now
        defer {
            let duration = began.duration(to: .now)
            state.withLock { $0.engineTime[device, default: .zero] += duration }
        }
        return try await base.list(labels: labels, statuses: statuses)
    }

    public func followLogs(_ nameOrID: String, since: LogTimestamp?, bufferLimit: Int, maximumLineBytes: Int,
                           backoff: BackoffPolicy) -> AsyncStream<LogFollowEvent> {
        base.followLogs(nameOrID, since: since, bufferLimit: bufferLimit, maximumLineBytes: maximumLineBytes, backoff: backoff)
    }

    /// The engine's events, each `died` noted with when it arrived here.
    public func followEvents(labels: [String: String], backoff: BackoffPolicy) -> AsyncStream<ContainerEventFollow> {
        let events = base.followEvents(labels: labels, backoff: backoff)
        return AsyncStream { continuation in
            let relay = Task { [self] in
                for await event in events {
                    if case .element(let change) = event, case .died = change.action {
                        let arrived = ContinuousClock.now
                        state.withLock { $0.died[change.labels["io.silvasonic.device_id"] ?? change.containerID] = arrived }
                    }
                    continuation.yield(event)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in relay.cancel() }
        }
    }
}
