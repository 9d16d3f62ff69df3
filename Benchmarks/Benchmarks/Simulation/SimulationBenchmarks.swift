import Benchmark
import Foundation
import Simulation
import Synchronization

// Allocations per event in the controller's tree (the real inventory, reconciler, device
// supervisor and DeviceActors on the in-memory backends), with 1,000 recorders already running:
// one microphone plugged until its recorder's start returned, and one periodic reconcile of a
// quiet station. Counted in mallocs, which hold on a noisy machine; a cost that grew with the number of
// devices would show here as it grows with the iterations. Names carry no spaces.

/// Where the recorders' workspace directories go (in memory, as in `simulate`); removed after
/// each benchmark.
let workspace = (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
    + "/silvasonic-benchmark-\(getpid())"

/// The running station's tree, stopped by each benchmark's teardown.
let runningTree = Mutex<Task<Void, any Error>?>(nil)

/// A station with `running` microphones plugged and recording, its tree running with a
/// periodic reconcile that never comes (the benchmark drives the reconciles itself).
func makeStation(running: Int) async -> SimulatedStation {
    var options = SimulationOptions(devices: running, scenario: .events)
    options.reconcileInterval = .seconds(3600)
    let station = SimulatedStation(options: options, backends: InMemorySimulationBackends(options: options, workspace: workspace))
    runningTree.withLock { $0 = Task { try await station.run() } }
    await station.plug(0..<running)
    await station.engine.started(atLeast: running)
    return station
}

/// Stops the station's tree and removes its workspace.
func tearDown() async {
    let tree = runningTree.withLock { $0.take() }
    tree?.cancel()
    _ = await tree?.result
    try? FileManager.default.removeItem(atPath: workspace)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.instructions, .mallocCountTotal, .wallClock],
        maxDuration: .seconds(3),
        maxIterations: 500,
        thresholds: [.mallocCountTotal: .init(absolute: [.p90: 40])]
    )

    Benchmark("event-plug-one-microphone-1000-running") { (benchmark: Benchmark, station: SimulatedStation) async in
        var next = 1_000
        for _ in benchmark.scaledIterations {
            // Returns once the inventory wrote the row and the device's reconcile started the recorder.
            await station.plugAndAwaitStart(next)
            next += 1
        }
    } setup: {
        await makeStation(running: 1_000)
    } teardown: {
        await tearDown()
    }

    Benchmark("periodic-reconcile-quiet-1000-devices") { (benchmark: Benchmark, station: SimulatedStation) async in
        for _ in benchmark.scaledIterations {
            await station.reconciler.reconcile(reason: .tick)
        }
    } setup: { () async -> SimulatedStation in
        let station = await makeStation(running: 1_000)
        await station.reconciler.reconcile(reason: .tick)
        return station
    } teardown: {
        await tearDown()
    }
}
