import ControllerCore
import Synchronization

/// The ends of the container a DeviceActor's container child watches, as its ``DeviceMachine``
/// decided them (a death the engine leaves, the heartbeat child's verdict), in order.
///
/// A lock and one continuation rather than an `AsyncStream`: the container child waits here for
/// as long as its container runs, on thousands of devices at once, and a task keeps the stack
/// it once needed; this wait needs one small frame.
final class EndInbox: Sendable {
    private struct State {
        var queue: [DeviceMachine.RunEnd] = []
        var waiter: CheckedContinuation<DeviceMachine.RunEnd?, Never>?
        var finished = false
    }

    private let state = Mutex(State())

    /// Delivers an end; dropped once the inbox is finished.
    func yield(_ end: DeviceMachine.RunEnd) {
        let waiter: CheckedContinuation<DeviceMachine.RunEnd?, Never>? = state.withLock { state in
            guard !state.finished else { return nil }
            guard let waiter = state.waiter else {
                state.queue.append(end)
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: end)
    }

    /// No more ends: a waiter gets `nil`.
    func finish() {
        state.withLock { state in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }?.resume(returning: nil)
    }

    /// The next end; `nil` once finished or when the waiting task is cancelled. One reader.
    func next() async -> DeviceMachine.RunEnd? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<DeviceMachine.RunEnd?, Never>) in
                let ready: DeviceMachine.RunEnd?? = state.withLock { state in
                    if !state.queue.isEmpty { return .some(state.queue.removeFirst()) }
                    if state.finished || Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            finish()
        }
    }
}

/// The container a DeviceActor's companions (heartbeat, logs) watch: the one its container
/// child runs now, and the companions waiting for the next one. Beside the actor, under a
/// lock, so that a companion waits for it in one small frame.
final class RunningBoard: Sendable {
    private struct State {
        var current: RunningContainer?
        var waiters: [UInt64: CheckedContinuation<RunningContainer?, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    /// The container that runs now (`nil`: none); waiters get a running one.
    func set(_ running: RunningContainer?) {
        let waiters: [CheckedContinuation<RunningContainer?, Never>] = state.withLock { state in
            state.current = running
            guard running != nil else { return [] }
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: running) }
    }

    /// The container that runs now, or the next one to; `nil` when the waiting task is
    /// cancelled first.
    func next() async -> RunningContainer? {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<RunningContainer?, Never>) in
                let ready: RunningContainer?? = state.withLock { state in
                    if let current = state.current { return .some(current) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(returning: nil)
        }
    }
}
