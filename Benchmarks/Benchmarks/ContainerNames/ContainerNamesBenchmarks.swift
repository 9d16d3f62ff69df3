import Benchmark
import ControllerCore

// Benchmark names carry no spaces: package-benchmark writes threshold files with spaces turned
// into underscores but looks them up by the raw name, so a name with a space is never checked.

/// Naming runs for every device on every reconcile, so its cost per device matters at 10,000
/// simulated devices. Counted in instructions and mallocs, which hold on a noisy machine.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.instructions, .mallocCountTotal, .wallClock],
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 1_000,
        // The harness itself allocates a little, varying by a few between runs: allow 8 more
        // than the recorded p90 (per 1,000 calls in the kilo-scaled suites) before failing.
        thresholds: [.mallocCountTotal: .init(absolute: [.p90: 8])]
    )

    Benchmark("workspace-name-from-serial") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(ContainerNames.workspaceName(profileSlug: "ultramic_384_evo", serial: "ABC034F",
                                                   busPath: "1-3.2", cardIndex: 2))
        }
    }

    Benchmark("workspace-name-from-bus-path") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(ContainerNames.workspaceName(profileSlug: "generic_usb", serial: nil,
                                                   busPath: "1-3.2", cardIndex: 1))
        }
    }
}
