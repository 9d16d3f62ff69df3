import PropertyBased
import Supervision
import SupervisionTesting
import Testing

@Suite("Restart intensity: a sliding window over restart times")
struct RestartWindowTests {
    typealias Window = RestartWindow<ManualClock.Instant>
    func record(_ window: inout Window, _ now: ManualClock.Instant) -> Bool { window.recordRestart(at: now) }
    func at(_ seconds: Double) -> ManualClock.Instant { ManualClock.Instant(offset: .seconds(seconds)) }

    @Test("Exactly maxRestarts restarts within the period are allowed; one more is not")
    func atAndPastTheLimit() {
        var window = Window(intensity: RestartIntensity(maxRestarts: 3, within: .seconds(10)))
        #expect(record(&window, at(0)))
        #expect(record(&window, at(1)))
        #expect(record(&window, at(2)))
        #expect(!record(&window, at(3)))
    }

    @Test("Restarts older than the period leave the window, so the window slides")
    func sliding() {
        var window = Window(intensity: RestartIntensity(maxRestarts: 2, within: .seconds(5)))
        #expect(record(&window, at(0)))
        #expect(record(&window, at(4)))
        // At 5 s the restart at 0 is exactly one period old and no longer counts.
        #expect(record(&window, at(5)))
        #expect(window.restarts == [at(4), at(5)])
        #expect(!record(&window, at(8.9)))
    }

    @Test("OTP's default allows one restart in five seconds")
    func otpDefault() {
        var window = Window(intensity: .otpDefault)
        #expect(record(&window, at(0)))
        #expect(!record(&window, at(4.999)))
        var later = Window(intensity: .otpDefault)
        #expect(record(&later, at(0)))
        #expect(record(&later, at(5)))
    }

    @Test("An intensity of zero gives up on the first restart")
    func zeroIntensity() {
        var window = Window(intensity: RestartIntensity(maxRestarts: 0, within: .seconds(1)))
        #expect(!record(&window, at(0)))
    }

    @Test("Property: the verdict equals counting the restarts of the last period by brute force")
    func bruteForce() async {
        await propertyCheck(count: 300, input: Gen.int(in: 0...5), Gen.int(in: 1...20),
                            Gen.int(in: 0...6).array(of: 1...40)) { maxRestarts, period, gaps in
            var window = Window(intensity: RestartIntensity(maxRestarts: maxRestarts, within: .milliseconds(period)))
            var times: [Int] = []
            var now = 0
            for gap in gaps {
                now += gap
                times.append(now)
                let inWindow = times.filter { now - $0 < period }.count
                #expect(record(&window, ManualClock.Instant(offset: .milliseconds(now))) == (inWindow <= maxRestarts))
                #expect(window.restarts.count == inWindow)
            }
        }
    }
}

/// A small seeded generator, so property tests are reproducible.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("The timeline of the restart-intensity article")
struct RestartIntensityArticleTests {
    @Test("3 in 10 s: failures at 0, 2, 6, 12, 13 are allowed; the one at 14 gives up")
    func articleTimeline() {
        var window = RestartWindow<ManualClock.Instant>(intensity: RestartIntensity(maxRestarts: 3, within: .seconds(10)))
        var verdicts: [Bool] = []
        for second in [0, 2, 6, 12, 13, 14] {
            verdicts.append(window.recordRestart(at: ManualClock.Instant(offset: .seconds(second))))
        }
        #expect(verdicts == [true, true, true, true, true, false])
    }

    @Test("The backoff timeline: 1, 2, 4, 8, 8 s, and attempt 1 again after a stable run")
    func backoffTimeline() {
        let policy = BackoffPolicy(initial: .seconds(1), multiplier: 2, maximum: .seconds(8), jitter: 0.2,
                                   resetAfter: .seconds(60))
        #expect((1...5).map { policy.delay(forAttempt: $0, randomUnit: 0.5) }
            == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8)])
        #expect(policy.nextAttempt(after: 2, uptime: .seconds(195)) == 1)
    }
}
