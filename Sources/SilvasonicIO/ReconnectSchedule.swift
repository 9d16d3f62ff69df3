package import Supervision

/// When a client that lost its server may try to connect again: a pure value.
///
/// The first attempt after a loss is immediate; each failed attempt pushes the next one back by
/// the ``BackoffPolicy`` (exponential, capped, jittered), and a success resets the count. The
/// clients keep one of these and ask it before each attempt, so a caller during the wait is told
/// at once when the next attempt is due instead of being held.
package struct ReconnectSchedule<Instant: InstantProtocol<Duration>>: Sendable {
    /// The delays between failed attempts.
    public let backoff: BackoffPolicy
    /// Failed attempts since the last success.
    public private(set) var failures = 0
    /// The earliest instant of the next attempt; `nil` when one may start now.
    public private(set) var nextAttempt: Instant?

    /// A schedule that allows an attempt at once.
    public init(backoff: BackoffPolicy) {
        self.backoff = backoff
    }

    /// Whether an attempt may start at `now`.
    package func mayAttempt(at now: Instant) -> Bool {
        guard let nextAttempt else { return true }
        return now >= nextAttempt
    }

    /// Records a failed attempt and returns the instant of the next one.
    /// - Parameter randomUnit: a number in `0..<1` for the jitter (0.5: none).
    @discardableResult
    package mutating func attemptFailed(at now: Instant, randomUnit: Double) -> Instant {
        failures += 1
        let next = now.advanced(by: backoff.delay(forAttempt: failures, randomUnit: randomUnit))
        nextAttempt = next
        return next
    }

    /// Records a successful connection: the next loss may reconnect at once.
    package mutating func connected() {
        failures = 0
        nextAttempt = nil
    }
}
