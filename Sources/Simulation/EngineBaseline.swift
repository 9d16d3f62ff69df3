import ControllerCore
import Foundation
import SilvasonicController
import SilvasonicPodman

/// The container engine's own time for the work of a mass plug and unplug, without the
/// controller: N recorder containers created and started, then stopped and removed, at most
/// `parallelism` calls at a time (the controller's Podman connections), each container's calls
/// in order. What the controller's figures are compared with, in the same run.
struct EngineBaseline {
    let engine: any ContainerEngine
    let settings: StationSettings
    let parallelism: Int

    /// Runs it for `count` containers; returns how long until all ran and until all were gone.
    func run(count: Int) async throws -> (running: Duration, removed: Duration) {
        // Another owner: the controller still running beside it would take these for orphans of
        // its own and remove them under the baseline's feet.
        var settings = settings
        settings.owner += "-baseline"
        let specs = (0..<count).map { index -> Tier2Spec in
            let id = String(format: "BASELINE-SIM%05d", index)
            return StationSpecs.recorder(device: .init(id: id, workspaceName: String(format: "baseline-%05d", index),
                                                       alsaDevice: "hw:\(index % 32),0"),
                                         profileSlug: "generic_usb", profile: RecorderProfileConfig(sampleRate: 48_000),
                                         settings: settings)
        }
        for spec in specs {
            for mount in spec.mounts where !mount.readOnly {
                try FileManager.default.createDirectory(atPath: mount.controllerSource ?? mount.source, withIntermediateDirectories: true)
            }
        }
        let began = ContinuousClock.now
        let ids = try await bounded(specs) { spec in
            let id = try await engine.create(spec.podmanSpec)
            try await engine.start(id)
            return id
        }
        let running = began.duration(to: .now)
        let stopping = ContinuousClock.now
        _ = try await bounded(ids) { id in
            try await engine.stop(id, timeoutSeconds: 10)
            try await engine.remove(id, force: true)
            return id
        }
        return (running, stopping.duration(to: .now))
    }

    /// `work` for every element, at most `parallelism` at a time; the results in order.
    private func bounded<T: Sendable>(_ elements: [T], _ work: @escaping @Sendable (T) async throws -> String) async throws -> [String] {
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            var results = [String](repeating: "", count: elements.count)
            var next = 0
            func add() {
                guard next < elements.count else { return }
                let index = next, element = elements[index]
                group.addTask { (index, try await work(element)) }
                next += 1
            }
            for _ in 0..<max(1, parallelism) { add() }
            while let (index, result) = try await group.next() {
                results[index] = result
                add()
            }
            return results
        }
    }
}
