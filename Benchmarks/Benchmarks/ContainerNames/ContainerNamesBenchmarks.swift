import Benchmark
import ControllerCore

/// Naming runs for every device on every reconcile, so its cost per device matters at 10,000
/// simulated devices. Counted in instructions and mallocs, which hold on a noisy machine.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.instructions, .mallocCountTotal, .wallClock],
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 1_000
    )

    Benchmark("Workspace name from a USB serial") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(ContainerNames.workspaceName(profileSlug: "ultramic_384_evo", serial: "ABC034F",
                                                   busPath: "1-3.2", cardIndex: 2))
        }
    }

    Benchmark("Workspace name from a bus path") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(ContainerNames.workspaceName(profileSlug: "generic_usb", serial: nil,
                                                   busPath: "1-3.2", cardIndex: 1))
        }
    }
}
