import Benchmark
import BenchmarkSupport
import Supervision

// Benchmark names carry no spaces: package-benchmark writes threshold files with spaces turned
// into underscores but looks them up by the raw name, so a name with a space is never checked.

/// Allocations per restart, and the pure rules' cost per decision. Mallocs are exact on any
/// machine; thresholds for them are kept in Thresholds/.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.instructions, .mallocCountTotal, .wallClock],
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 200,
        // The harness itself allocates a little, varying by a few between runs: allow 8 more
        // than the recorded p90 (per 1,000 calls in the kilo-scaled suites) before failing.
        thresholds: [.mallocCountTotal: .init(absolute: [.p90: 8])]
    )

    Benchmark("restart-of-a-failing-child-one-for-one") { benchmark in
        let (supervisor, counter) = try crashLoopSupervisor(restarts: benchmark.scaledIterations.count)
        benchmark.startMeasurement()
        let run = Task { try await supervisor.run() }
        await counter.wait()
        benchmark.stopMeasurement()
        run.cancel()
        try await run.value
    }

    Benchmark("restart-window-decision") { benchmark in
        var window = RestartWindow<ContinuousClock.Instant>(
            intensity: RestartIntensity(maxRestarts: 10, within: .seconds(1)))
        var now = ContinuousClock.now
        for _ in benchmark.scaledIterations {
            now = now.advanced(by: .milliseconds(150))
            blackHole(window.recordRestart(at: now))
        }
    }

    Benchmark("backoff-delay") { benchmark in
        let policy = BackoffPolicy()
        var attempt = 0
        for _ in benchmark.scaledIterations {
            attempt = policy.nextAttempt(after: attempt % 12, uptime: .seconds(1))
            blackHole(policy.delay(forAttempt: attempt, randomUnit: 0.3))
        }
    }
}
