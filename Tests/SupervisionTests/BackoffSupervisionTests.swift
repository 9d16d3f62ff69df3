import Supervision
import SupervisionTesting
import Testing

@Suite("Backoff between restarts, on a manual clock")
struct BackoffSupervisionTests {
    let backoff = BackoffPolicy(initial: .seconds(1), multiplier: 2, maximum: .seconds(8), jitter: 0.5,
                                resetAfter: .seconds(60))

    @Test("Consecutive failures wait 1, 2, 4, 8, 8 seconds; nothing starts before its time")
    func sequence() async throws {
        let worker = ChildControl("worker")
        var harness = try Harness(options: .init(intensity: RestartIntensity(maxRestarts: 100, within: .seconds(3600)),
                                                 backoff: backoff),
                                  children: [worker.spec()])
        await harness.waitForStarts(["worker"])
        var delays: [Duration] = []
        for round in 1...5 {
            worker.fail()
            let seen = await harness.events.until { $0.kind.restartDelay != nil }
            if let delay = seen.last?.kind.restartDelay { delays.append(delay) }
            await harness.clock.waitForSleepers(atLeast: 1)
            harness.clock.advance(by: delays.last! - .milliseconds(1))
            #expect(harness.starts(["worker"]) == [round], "no start before the delay has passed")
            harness.clock.advance(by: .milliseconds(1))
            await harness.events.until(.started, "worker")
        }
        #expect(delays == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8)])
        _ = await harness.stop()
    }

    @Test("With an immediate first restart, one failure restarts at once and the next waits `initial`")
    func immediateFirstRestart() async throws {
        let worker = ChildControl("worker")
        var policy = backoff
        policy.immediateFirstRestart = true
        var harness = try Harness(options: .init(intensity: RestartIntensity(maxRestarts: 100, within: .seconds(3600)),
                                                 backoff: policy),
                                  children: [worker.spec()])
        await harness.waitForStarts(["worker"])
        worker.fail()
        await harness.events.until(.restartScheduled(after: .zero), "worker")
        await harness.events.until(.started, "worker")
        #expect(harness.starts(["worker"]) == [2], "restarted without the clock moving")
        worker.fail()
        await harness.events.until(.restartScheduled(after: .seconds(1)), "worker")
        _ = await harness.stop()
    }

    @Test("A fixed random source gives the jittered delay exactly")
    func jitter() async throws {
        let worker = ChildControl("worker")
        var harness = try Harness(options: .init(backoff: backoff), children: [worker.spec()],
                                  random: FixedRandom(unit: 0.75))
        await harness.waitForStarts(["worker"])
        worker.fail()
        await harness.events.until(.restartScheduled(after: .milliseconds(1250)), "worker")
        _ = await harness.stop()
    }

    @Test("A child that ran for the stable period starts its backoff over")
    func stableReset() async throws {
        let worker = ChildControl("worker")
        var harness = try Harness(options: .init(intensity: RestartIntensity(maxRestarts: 100, within: .seconds(1)),
                                                 backoff: backoff),
                                  children: [worker.spec()])
        await harness.waitForStarts(["worker"])
        for expected in [Duration.seconds(1), .seconds(2)] {
            worker.fail()
            await harness.events.until(.restartScheduled(after: expected), "worker")
            await harness.clock.waitForSleepers(atLeast: 1)
            harness.clock.advance(by: expected)
            await harness.events.until(.started, "worker")
        }
        harness.clock.advance(by: .seconds(60))
        worker.fail()
        await harness.events.until(.restartScheduled(after: .seconds(1)), "worker")
        _ = await harness.stop()
    }

    @Test("A shutdown during a backoff delay cancels the restart")
    func restartRacingShutdown() async throws {
        let worker = ChildControl("worker")
        var harness = try Harness(options: .init(backoff: backoff), children: [worker.spec()])
        await harness.waitForStarts(["worker"])
        worker.fail()
        await harness.events.until(.restartScheduled(after: .seconds(1)), "worker")
        await harness.clock.waitForSleepers(atLeast: 1)
        let result = await harness.stop()
        #expect((try? result.get()) != nil)
        harness.clock.advance(by: .seconds(10))
        #expect(harness.starts(["worker"]) == [1])
        #expect(harness.clock.sleeperCount == 0)
        #expect(await harness.supervisor.whichChildren().map(\.state) == [.stopped])
    }
}
