import Benchmark
import Logging
import Supervision
import BenchmarkSupport

struct Crash: Error {}

let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })

/// Allocations per restart, and the pure rules' cost per decision. Mallocs are exact on any
/// machine; thresholds for them are kept in Thresholds/.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.instructions, .mallocCountTotal, .wallClock],
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 200
    )

    Benchmark("Restart of a child that fails at once (one-for-one)") { benchmark in
        let restarts = benchmark.scaledIterations.count
        let counter = StartCounter(target: restarts + 1)
        let supervisor = try Supervisor(
            name: "bench",
            options: .init(intensity: RestartIntensity(maxRestarts: restarts * 2, within: .seconds(3600))),
            children: [ChildSpec(id: "crasher") {
                counter.started()
                throw Crash()
            }],
            logger: quiet)
        benchmark.startMeasurement()
        let run = Task { try await supervisor.run() }
        await counter.wait()
        benchmark.stopMeasurement()
        run.cancel()
        try await run.value
    }

    Benchmark("Restart-intensity decision (sliding window)") { benchmark in
        var window = RestartWindow<ContinuousClock.Instant>(
            intensity: RestartIntensity(maxRestarts: 10, within: .seconds(1)))
        var now = ContinuousClock.now
        for _ in benchmark.scaledIterations {
            now = now.advanced(by: .milliseconds(150))
            blackHole(window.recordRestart(at: now))
        }
    }

    Benchmark("Backoff delay") { benchmark in
        let policy = BackoffPolicy()
        var attempt = 0
        for _ in benchmark.scaledIterations {
            attempt = policy.nextAttempt(after: attempt % 12, uptime: .seconds(1))
            blackHole(policy.delay(forAttempt: attempt, randomUnit: 0.3))
        }
    }
}
