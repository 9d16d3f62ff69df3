import ControllerCore
import Supervision
import Testing

@Suite("The container child's rules, as pure values")
struct RecorderRulesTests {
    @Test("A running container with the wanted hash is adopted untouched; a stopped one is started, not recreated")
    func adoptOrStart() {
        #expect(RecorderRules.step(for: ExistingContainer(containerID: "a", configHash: "h1", running: true), wantedHash: "h1")
                == .adopt(containerID: "a"))
        #expect(RecorderRules.step(for: ExistingContainer(containerID: "a", configHash: "h1", running: false), wantedHash: "h1")
                == .start(containerID: "a"))
    }

    @Test("A container with another hash (or none) is replaced: stopped and removed before its successor is created")
    func replaceOrCreate() {
        #expect(RecorderRules.step(for: ExistingContainer(containerID: "a", configHash: "h0", running: true), wantedHash: "h1")
                == .replace(containerID: "a"))
        #expect(RecorderRules.step(for: ExistingContainer(containerID: "a", configHash: nil, running: false), wantedHash: "h1")
                == .replace(containerID: "a"))
        #expect(RecorderRules.step(for: nil, wantedHash: "h1") == .create)
    }

    /// The controller's own starts of an always-crashing recorder over `span`, by the default
    /// policy's backoff: each start is followed by a burst of `burst` (the container's first run
    /// plus Podman's five retries), then the wait for the next attempt; `randomUnit` fixes the jitter.
    static func controllerStarts(burst: Duration, randomUnit: Double, span: Duration = .seconds(180)) -> [Duration] {
        let backoff = RecorderPolicy().backoff
        var starts: [Duration] = [.zero]
        var attempt = 0
        while true {
            attempt = backoff.nextAttempt(after: attempt, uptime: burst)
            let next = starts.last! + burst + backoff.delay(forAttempt: attempt, randomUnit: randomUnit)
            guard next < span else { return starts }
            starts.append(next)
        }
    }

    @Test("An always-crashing recorder on the default policy: growing intervals from about 1 s to the 60 s cap, at most 42 container starts in the first minute and 12 in any later one, whatever the jitter and Podman's pace")
    func crashTimeline() {
        // Podman 4.3 retries about every 0.16 s, 5.4 about every 0.25 s: a controller start and
        // its five retries take about 1.0 s and 1.5 s. The first restart is at once.
        for burst in [Duration.milliseconds(800), .milliseconds(1000), .milliseconds(1500)] {
            for unit in [0.0, 0.5, 0.999] {
                let starts = Self.controllerStarts(burst: burst, randomUnit: unit)
                let intervals = zip(starts.dropFirst(), starts).map { $0 - $1 }
                for (earlier, later) in zip(intervals, intervals.dropFirst()) {
                    #expect(later >= earlier * 0.7, "never a much shorter wait: \(intervals)")
                }
                #expect(intervals.last! >= intervals.first! * 1.5)
                #expect(intervals.allSatisfy { $0 <= .seconds(60) + burst }, "never more than the cap")
                // Six container starts per controller start (its own and Podman's five retries).
                let firstMinute = starts.filter { $0 < .seconds(60) }.count * 6
                #expect(firstMinute <= 45, "\(firstMinute) container starts in the first minute")
                for minute in stride(from: 60, to: 120, by: 5) {
                    let window = Duration.seconds(minute)..<Duration.seconds(minute + 60)
                    #expect(starts.filter { window.contains($0) }.count * 6 <= 15)
                }
            }
        }
        // Plain doubling, as the docs draw it: 0, 1, 3, 6, 11, 20, 37, 70, 131 s with a 1 s burst.
        #expect(Self.controllerStarts(burst: .seconds(1), randomUnit: 0.5) == [0, 1, 3, 6, 11, 20, 37, 70, 131].map { .seconds($0) })
    }

    @Test("Five rapid kills of a healthy recorder: back at once, then after 1, 2, 4 and 8 s; none waits longer than 16 s")
    func rapidKills() {
        let backoff = RecorderPolicy().backoff
        var attempt = 0
        var waits: [Duration] = []
        for _ in 1...5 {
            attempt = backoff.nextAttempt(after: attempt, uptime: .milliseconds(300))
            waits.append(backoff.delay(forAttempt: attempt, randomUnit: 0.5))
        }
        #expect(waits == [.zero, .seconds(1), .seconds(2), .seconds(4), .seconds(8)])
        #expect(backoff.delay(forAttempt: 5, randomUnit: 0.999) <= .seconds(16))
    }

    @Test("The policy: rest-for-one, labelled crash-looping past the intensity with its waits unchanged (never given up); engine errors on their own capped backoff")
    func policy() throws {
        let policy = RecorderPolicy(backoff: BackoffPolicy(initial: .seconds(1), maximum: .seconds(300), immediateFirstRestart: true))
        let options = policy.supervisorOptions
        #expect(options.strategy == .restForOne)
        #expect(options.intensityPolicy == .markCrashLooping)
        #expect(RecorderPolicy().backoff.maximum == .seconds(60), "the cap is a minute by default")
        #expect(options.backoff?.immediateFirstRestart == true)
        #expect(policy.engineBackoff.immediateFirstRestart == false, "an unreachable engine is waited for, not hammered")
        #expect(policy.engineBackoff.maximum == .seconds(30))
        #expect(RecorderState.crashLooping.name == "crash_looping")
        // Settings the library would refuse (an initial delay above the maximum) still make a valid policy.
        let odd = RecorderPolicy(backoff: BackoffPolicy(initial: .seconds(600), maximum: .seconds(300), jitter: 3))
        #expect(odd.backoff.initial == .seconds(300) && odd.backoff.jitter == 1)
        _ = try Supervisor(name: "mic", options: odd.supervisorOptions, clock: ContinuousClock())
        #expect(RecorderState.running(containerID: "a").containerID == "a")
    }
}
