import Synchronization

/// Tells a waiter that a child's task has ended; a wait can be cancelled, unlike
/// `await task.value`, so a shutdown timeout can give up on a child that ignores cancellation.
final class ExitSignal: Sendable {
    private struct State {
        var finished = false
        var nextWaiter: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        var cancelledBeforeWaiting: Set<UInt64> = []
        var callbacks: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())

    var isFinished: Bool { state.withLock { $0.finished } }

    /// Marks the task ended and wakes every waiter.
    func finish() {
        let (waiters, callbacks) = state.withLock { state in
            state.finished = true
            defer {
                state.waiters.removeAll()
                state.callbacks.removeAll()
            }
            return (Array(state.waiters.values), state.callbacks)
        }
        for waiter in waiters { waiter.resume(returning: true) }
        for callback in callbacks { callback() }
    }

    /// Waits for the end; `true` when it came, `false` when the waiting task was cancelled first.
    func wait() async -> Bool {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let immediate: Bool? = state.withLock { state in
                    if state.finished { return true }
                    if state.cancelledBeforeWaiting.remove(id) != nil { return false }
                    state.waiters[id] = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
                if !state.finished { state.cancelledBeforeWaiting.insert(id) }
                return nil
            }
            waiter?.resume(returning: false)
        }
    }

    /// Waits for the end up to `limit` on `clock`; `true` when it came in time.
    func wait<C: Clock>(upTo limit: Duration, on clock: C) async -> Bool where C.Duration == Duration {
        if isFinished { return true }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.wait() }
            group.addTask {
                do {
                    try await clock.sleep(for: limit)
                } catch {
                    return false  // cancelled after the child ended: the group has its answer already
                }
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// A signal that finishes when every one of `signals` has.
    static func all(_ signals: [ExitSignal]) -> ExitSignal {
        let combined = ExitSignal()
        let remaining = Mutex(signals.count)
        guard !signals.isEmpty else {
            combined.finish()
            return combined
        }
        for signal in signals {
            signal.onFinish {
                if remaining.withLock({ count in
                    count -= 1
                    return count == 0
                }) { combined.finish() }
            }
        }
        return combined
    }

    /// Runs `action` once the signal finishes (at once if it has).
    func onFinish(_ action: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state in
            if state.finished { return true }
            state.callbacks.append(action)
            return false
        }
        if runNow { action() }
    }
}
