import Supervision
import SupervisionTesting
import Testing

@Suite("Backoff: exponential, capped, jittered, reset after a stable run")
struct BackoffTests {
    let policy = BackoffPolicy(initial: .milliseconds(100), multiplier: 2, maximum: .seconds(1),
                               jitter: 0.5, resetAfter: .seconds(60))

    @Test("Without jitter (random 0.5) the delays double up to the cap")
    func sequence() {
        let delays = (1...6).map { policy.delay(forAttempt: $0, randomUnit: 0.5) }
        #expect(delays == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800),
                           .seconds(1), .seconds(1)])
    }

    @Test("Jitter scales a delay within 1 ± jitter, and never past the cap")
    func jitterBounds() {
        #expect(policy.delay(forAttempt: 1, randomUnit: 0) == .milliseconds(50))
        #expect(policy.delay(forAttempt: 1, randomUnit: 1) == .milliseconds(150))
        #expect(policy.delay(forAttempt: 5, randomUnit: 1) == .seconds(1))
    }

    @Test("A child that ran at least resetAfter starts again from the first attempt")
    func reset() {
        #expect(policy.nextAttempt(after: 4, uptime: .seconds(59)) == 5)
        #expect(policy.nextAttempt(after: 4, uptime: .seconds(60)) == 1)
    }

    @Test("A fixed random source gives a fixed jitter")
    func fixedRandom() {
        var random = FixedRandom(unit: 0.25)
        let unit = BackoffPolicy.randomUnit(using: &random)
        #expect(abs(unit - 0.25) < 1e-9)
    }

    @Test("With an immediate first restart, the first comes at once and the second waits `initial`")
    func immediateFirst() {
        var immediate = policy
        immediate.immediateFirstRestart = true
        let delays = (1...6).map { immediate.delay(forAttempt: $0, randomUnit: 0.5) }
        #expect(delays == [.zero, .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1)])
        #expect(immediate.delay(forAttempt: 1, randomUnit: 1) == .zero, "no jitter on nothing")
    }

    @Test("Huge attempt numbers stay at the cap")
    func hugeAttempt() {
        #expect(policy.delay(forAttempt: 10_000, randomUnit: 0.5) == .seconds(1))
    }
}
