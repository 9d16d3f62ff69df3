import Synchronization

/// A running supervisor's messages, in the order they were sent.
///
/// Unlike an `AsyncStream`, waiting for the next message does not end when the waiting task is
/// cancelled: the loop runs in the task that called ``Supervisor/run()``, and a cancelled
/// `run()` must go on to process the shutdown its cancellation posted.
///
/// The waiter is an unsafe continuation (a checked one allocates on every wait): it is stored
/// under the lock and taken out under the lock by exactly one of ``send(_:)`` and ``finish()``,
/// which resume it once.
final class Mailbox: Sendable {
    private struct State {
        var buffer: [SupervisorMessage] = []
        var head = 0
        var waiter: UnsafeContinuation<SupervisorMessage?, Never>?
        var finished = false
    }

    private let state = Mutex(State())

    /// Queues a message; `false` when the mailbox is finished (the message is dropped).
    @discardableResult
    func send(_ message: SupervisorMessage) -> Bool {
        let outcome: (accepted: Bool, waiter: UnsafeContinuation<SupervisorMessage?, Never>?) = state.withLock { state in
            guard !state.finished else { return (false, nil) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (true, waiter)
            }
            state.buffer.append(message)
            return (true, nil)
        }
        outcome.waiter?.resume(returning: message)
        return outcome.accepted
    }

    /// The next message; `nil` once the mailbox is finished and drained. One reader at a time.
    func next() async -> SupervisorMessage? {
        if let ready = state.withLock({ Self.take(&$0) }) { return ready }
        return await withUnsafeContinuation { continuation in
            let ready: SupervisorMessage?? = state.withLock { state in
                if let message = Self.take(&state) { return .some(message) }
                if state.finished { return .some(nil) }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
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
            return state.buffer.count > state.head ? nil : state.waiter
        }
        waiter?.resume(returning: nil)
    }

    private static func take(_ state: inout State) -> SupervisorMessage? {
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
