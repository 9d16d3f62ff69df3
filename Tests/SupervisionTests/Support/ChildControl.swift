import Supervision
import Synchronization

/// A child whose every run waits until the test tells it to exit or fail, and which honours
/// cancellation unless it was made to ignore it.
final class ChildControl: Sendable {
    enum Command: Sendable { case exit, fail(String) }

    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    private struct State {
        var starts = 0
        var running = 0
        var run: UInt64 = 0
        var cancelledRun: UInt64?
        var current: CheckedContinuation<Command?, Never>?
        var queued: [Command] = []
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let id: ChildID
    let ignoresCancellation: Bool
    private let state = Mutex(State())

    init(_ id: ChildID, ignoresCancellation: Bool = false) {
        self.id = id
        self.ignoresCancellation = ignoresCancellation
    }

    var starts: Int { state.withLock { $0.starts } }
    /// Runs in progress (0 or 1 unless an abandoned run is still going).
    var running: Int { state.withLock { $0.running } }

    func spec(restart: RestartType = .permanent, shutdown: Shutdown = .timeout(.seconds(5)),
              significant: Bool = false) -> ChildSpec {
        ChildSpec(id: id, restart: restart, shutdown: shutdown, significant: significant) { try await self.run() }
    }

    /// Returns once no run of this child is in progress.
    func waitUntilIdle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state in
                if state.running == 0 { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    func exit() { send(.exit) }
    func fail(_ message: String = "boom") { send(.fail(message)) }

    private func send(_ command: Command) {
        let continuation = state.withLock { state in
            guard let current = state.current else {
                state.queued.append(command)
                return nil as CheckedContinuation<Command?, Never>?
            }
            state.current = nil
            return current
        }
        continuation?.resume(returning: command)
    }

    func run() async throws {
        let run = state.withLock { state in
            state.starts += 1
            state.running += 1
            state.run += 1
            return state.run
        }
        defer {
            let waiters = state.withLock { state in
                state.running -= 1
                guard state.running == 0 else { return [CheckedContinuation<Void, Never>]() }
                defer { state.idleWaiters.removeAll() }
                return state.idleWaiters
            }
            for waiter in waiters { waiter.resume() }
        }
        let ignores = ignoresCancellation
        let command: Command? = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Command?, Never>) in
                let immediate: Command?? = state.withLock { state in
                    if !state.queued.isEmpty { return .some(state.queued.removeFirst()) }
                    if !ignores, state.cancelledRun == run { return .some(nil) }
                    state.current = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            guard !ignores else { return }
            let continuation = state.withLock { state in
                state.cancelledRun = run
                defer { state.current = nil }
                return state.current
            }
            continuation?.resume(returning: nil)
        }
        switch command {
        case nil: throw CancellationError()
        case .exit: return
        case .fail(let message): throw Failure(message: message)
        }
    }
}

/// Reads a supervisor's events in order and waits for the ones a test expects.
struct EventWatcher {
    private var iterator: AsyncStream<SupervisionEvent>.Iterator
    /// How often each child was started, among the events read so far.
    private(set) var starts: [ChildID: Int] = [:]

    init(_ events: SupervisionEvents) {
        iterator = events.subscribe(bufferSize: 100_000).makeAsyncIterator()
    }

    /// The next event.
    mutating func next() async -> SupervisionEvent? {
        let event = await iterator.next()
        if let event, event.kind == .started, let child = event.child { starts[child, default: 0] += 1 }
        return event
    }

    /// Skips events until one matches, and returns the events up to and including it.
    @discardableResult
    mutating func until(_ match: (SupervisionEvent) -> Bool) async -> [SupervisionEvent] {
        var seen: [SupervisionEvent] = []
        while let event = await next() {
            seen.append(event)
            if match(event) { return seen }
        }
        return seen
    }

    /// Waits for `kind` from `child` (any supervisor).
    @discardableResult
    mutating func until(_ kind: SupervisionEvent.Kind, _ child: ChildID?) async -> [SupervisionEvent] {
        await until { $0.kind == kind && $0.child == child }
    }
}

extension SupervisionEvent {
    /// `child:kind` for compact assertions, e.g. `c2:started`.
    var short: String {
        // The kinds without values compare with `==`; the others are told by their values.
        let name: String = switch kind {
        case .started: "started"
        case .exitedNormally: "exited"
        case .stopped: "stopped"
        case .escalated: "escalated"
        case .shutDown: "shutDown"
        case _ where kind.failure != nil: "failed"
        case _ where kind.restartDelay != nil: "restarting"
        case _ where kind.abandonedAfter != nil: "abandoned"
        case _ where kind.retryInterval != nil: "crashLooping"
        case _ where kind.intensity != nil: "gaveUp"
        default: "\(kind)"
        }
        return "\(child ?? supervisor):\(name)"
    }
}
