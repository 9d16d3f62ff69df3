/// Delays before restarts: exponential, capped, with jitter, reset after a stable period.
///
/// Restarting a container costs about 100 ms, not a microsecond, and a child that crashes at
/// once should not be restarted in a hot loop. The policy is pure: ``delay(forAttempt:randomUnit:)``
/// is a function of the attempt and a random number the caller supplies.
public struct BackoffPolicy: Sendable, Hashable {
    /// The delay before the first restart after a stable run.
    public var initial: Duration
    /// Each further consecutive restart waits this many times longer; at least 1.
    public var multiplier: Double
    /// The longest delay.
    public var maximum: Duration
    /// Spread, from 0 (none) to 1: the delay is scaled by a random factor in `1 ± jitter`.
    public var jitter: Double
    /// A child that ran at least this long before failing starts again from `initial`.
    public var resetAfter: Duration
    /// Whether the first restart after a stable run comes at once, with `initial` before the
    /// second: one failure is restarted without delay (a container killed once records again
    /// at once), and only repeated failures back off.
    public var immediateFirstRestart: Bool

    /// Creates a policy; the defaults suit restarting a container: 100 ms doubling up to 30 s,
    /// ±20 % jitter, reset after a minute up.
    public init(
        initial: Duration = .milliseconds(100),
        multiplier: Double = 2,
        maximum: Duration = .seconds(30),
        jitter: Double = 0.2,
        resetAfter: Duration = .seconds(60),
        immediateFirstRestart: Bool = false
    ) {
        self.initial = initial
        self.multiplier = multiplier
        self.maximum = maximum
        self.jitter = jitter
        self.resetAfter = resetAfter
        self.immediateFirstRestart = immediateFirstRestart
    }

    /// The delay before restart number `attempt` (1 for the first consecutive restart): zero
    /// for the first with ``immediateFirstRestart``, else `initial` times `multiplier` for each
    /// earlier consecutive restart that waited, capped at `maximum`, scaled by the jitter.
    /// - Parameters:
    ///   - attempt: the consecutive restart this delay precedes, from 1.
    ///   - randomUnit: a random number in `0..<1`; 0.5 gives the delay without jitter.
    public func delay(forAttempt attempt: Int, randomUnit: Double) -> Duration {
        var waited = max(attempt, 1) - 1
        if immediateFirstRestart {
            guard waited > 0 else { return .zero }
            waited -= 1
        }
        let base = initial.seconds * pow(multiplier, Double(waited))
        let capped = min(base, maximum.seconds)
        let factor = 1 + jitter * (2 * min(max(randomUnit, 0), 1) - 1)
        let seconds = min(capped * factor, maximum.seconds)
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    /// A number in `0..<1` from the top 53 bits of one draw of `generator`: the `randomUnit`
    /// that supervisors pass to ``delay(forAttempt:randomUnit:)``.
    public static func randomUnit(using generator: inout some RandomNumberGenerator) -> Double {
        Double(generator.next() >> 11) * 0x1p-53
    }

    /// The attempt number of the next restart, given the previous one and how long the child ran.
    public func nextAttempt(after previous: Int, uptime: Duration) -> Int {
        uptime >= resetAfter ? 1 : previous + 1
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}

/// `pow` for `Double` without Foundation: repeated squaring over an integral exponent, which is
/// all a backoff needs.
private func pow(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    var factor = base
    var remaining = Int(exponent)
    while remaining > 0 {
        if remaining & 1 == 1 { result *= factor }
        factor *= factor
        remaining >>= 1
        if result.isInfinite { return result }
    }
    return result
}
