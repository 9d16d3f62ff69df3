import Synchronization

/// Counts a child's starts and says when the `target`-th has come (as OTP's half of the
/// comparison does with an atomic counter and a message), so no event consumer runs while
/// restarts are measured.
public final class StartCounter: Sendable {
    private let count = Atomic(0)
    private let waiter = Mutex<CheckedContinuation<Void, Never>?>(nil)
    public let target: Int

    public init(target: Int) { self.target = target }

    public func started() {
        if count.add(1, ordering: .relaxed).newValue == target {
            waiter.withLock { $0.take() }?.resume()
        }
    }

    public func wait() async {
        await withCheckedContinuation { continuation in
            waiter.withLock { $0 = continuation }
            if count.load(ordering: .relaxed) >= target { waiter.withLock { $0.take() }?.resume() }
        }
    }
}
