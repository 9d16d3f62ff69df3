import Synchronization

/// A running supervisor's messages, in the order they were sent.
///
/// Unlike an `AsyncStream`, waiting for the next message does not end when the waiting task is
/// cancelled: the loop runs in the task that called ``Supervisor/run()``, and a cancelled
/// `run()` must go on to process the shutdown its cancellation posted.
///
/// Waiting (``wait()``) and taking (``take()``) are apart: the loop's waiting frames hold no
/// message, so that they stay small (a task keeps every stack slab it ever needed, and
/// thousands of supervisors wait at once).
///
/// The waiter is an unsafe continuation (a checked one allocates on every wait; with the exit
/// signals' it is part of what took a restart from 47 allocations to 11, the
/// `restart-of-a-failing-child-one-for-one` benchmark's malloc count): it is stored under the
/// lock and taken out under the lock by exactly one of ``send(_:)`` and ``finish()``, which
/// resume it once.
final class Mailbox: Sendable {
    private struct State {
        var buffer: [SupervisorMessage] = []
        var head = 0
        var waiter: UnsafeContinuation<Bool, Never>?
        var finished = false
    }

    private let state = Mutex(State())

    /// Queues a message; `false` when the mailbox is finished (the message is dropped).
    @discardableResult
    func send(_ message: SupervisorMessage) -> Bool {
        let outcome: (accepted: Bool, waiter: UnsafeContinuation<Bool, Never>?) = state.withLock { state in
            guard !state.finished else { return (false, nil) }
            state.buffer.append(message)
            defer { state.waiter = nil }
            return (true, state.waiter)
        }
        outcome.waiter?.resume(returning: true)
        return outcome.accepted
    }

    /// Waits until a message is queued (`true`: ``take()`` has one) or the mailbox is finished
    /// and drained (`false`). One reader at a time.
    @inline(never)
    func wait() async -> Bool {
        if hasMessage() { return true }
        return await withUnsafeContinuation { park($0) }
    }

    /// The next queued message, if any.
    func take() -> SupervisorMessage? {
        state.withLock { state in
            guard state.head < state.buffer.count else { return nil }
            let message = state.buffer[state.head]
            state.head += 1
            if state.head == state.buffer.count {
                state.buffer.removeAll(keepingCapacity: state.buffer.capacity <= 64)
                state.head = 0
            }
            return message
        }
    }

    /// Whether its reader waits for a message with nothing queued: it is between messages.
    var isWaitingIdle: Bool {
        state.withLock { $0.waiter != nil && $0.head == $0.buffer.count && !$0.finished }
    }

    /// Accepts no more messages; those queued are still read.
    func finish() {
        let waiter = state.withLock { state in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        // A waiter only waits with nothing queued: there is nothing left to read.
        waiter?.resume(returning: false)
    }

    private func hasMessage() -> Bool {
        state.withLock { $0.head < $0.buffer.count }
    }

    /// Leaves the reader's continuation to be resumed by the next message or the finish; resumes
    /// it at once when one of them came first.
    @inline(never)
    private func park(_ continuation: UnsafeContinuation<Bool, Never>) {
        let ready: Bool? = state.withLock { state in
            if state.head < state.buffer.count { return true }
            if state.finished { return false }
            state.waiter = continuation
            return nil
        }
        if let ready { continuation.resume(returning: ready) }
    }
}
