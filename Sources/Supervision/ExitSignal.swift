import Synchronization

/// Tells a waiter that a child's task has ended; a wait can time out, unlike
/// `await task.value`, so a shutdown timeout can give up on a child that ignores cancellation.
///
/// Its waits are unsafe continuations (a checked one allocates on every wait; with the
/// mailbox's, part of what took a restart from 47 allocations to 11): each is resumed once, by
/// whichever of ``finish()`` and its timer takes it out of the state under the lock.
final class ExitSignal: Sendable {
    private struct State {
        var finished = false
        /// Its supervisor is stopping the child: the child's end needs no decision.
        var stopping = false
        var nextWaiter: UInt64 = 0
        var waiters: [UInt64: UnsafeContinuation<Bool, Never>] = [:]
        var callbacks: [@Sendable () -> Void] = []
        /// The timers of timed waits, by waiter: cancelled when the end comes first.
        var timers: [UInt64: Task<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    var isFinished: Bool { state.withLock { $0.finished } }

    /// Marks the task ended and wakes every waiter; `true` when its supervisor had begun to stop
    /// it (``markStopping()``), so that its end needs no decision.
    @discardableResult
    func finish() -> Bool {
        let (waiters, callbacks, timers, stopping) = state.withLock { state in
            state.finished = true
            defer {
                state.waiters.removeAll()
                state.callbacks.removeAll()
                state.timers.removeAll()
            }
            return (Array(state.waiters.values), state.callbacks, Array(state.timers.values), state.stopping)
        }
        for timer in timers { timer.cancel() }
        for waiter in waiters { waiter.resume(returning: true) }
        for callback in callbacks { callback() }
        return stopping
    }

    /// Its supervisor stops the child (called before the task is cancelled): when the task ends,
    /// it does not report its end (the supervisor has already decided it).
    func markStopping() {
        state.withLock { $0.stopping = true }
    }

    /// Waits for the end up to `limit` on `clock`; `true` when it came in time. The cancellation
    /// of the waiting task does not cut it short (a cancelled `run()` carries its shutdown out
    /// in the task that was cancelled); one timer task runs while it waits, and is cancelled
    /// when the end comes first.
    func wait<C: Clock>(upTo limit: Duration, on clock: C) async -> Bool where C.Duration == Duration {
        if isFinished { return true }
        // A child usually ends as soon as it is cancelled: given the chance to first, it needs no
        // timer (a task and a clock registration each, thousands at a shutdown).
        await Task.yield()
        if isFinished { return true }
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withUnsafeContinuation { (continuation: UnsafeContinuation<Bool, Never>) in
            let finished = state.withLock { state in
                if !state.finished { state.waiters[id] = continuation }
                return state.finished
            }
            if finished { return continuation.resume(returning: true) }
            let timer = Task { [self] in
                do { try await clock.sleep(for: limit) } catch { return }
                state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(returning: false)
            }
            let ended = state.withLock { state in
                if state.waiters[id] != nil { state.timers[id] = timer }
                return state.waiters[id] == nil
            }
            if ended { timer.cancel() }
        }
    }

    /// Waits for the end, however long it takes, whether or not the waiting task is cancelled.
    func waitIgnoringCancellation() async {
        if isFinished { return }
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            onFinish { continuation.resume() }
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
