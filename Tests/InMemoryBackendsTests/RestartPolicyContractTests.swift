import Foundation
import InMemoryBackends
import SilvasonicIO
import SilvasonicPodman
import Supervision
import TestSupport
import Testing

/// One restart policy, two engines: the in-memory engine restarts, or leaves, a container's
/// death as Podman does (on-failure:N, a start through the API resets the count, a kill or stop
/// through the API is never restarted), with the same events in the same order, so a device's
/// tests on the double see what a station sees.
@Suite("The restart policy, against Podman and the in-memory engine", .timeLimit(.minutes(2)))
struct RestartPolicyContractTests {
    /// The events that bear on a container's life (`init`, `attach`, `mount`, ... left out).
    static let lifeEvents: Set<String> = ["start", "died", "restart", "cleanup", "kill", "remove"]

    /// How a test makes one engine's container crash or die.
    struct Faults: Sendable {
        /// The command of a container that runs until stopped.
        var runs: [String]
        /// The command of a container that exits with 3 at once on every start.
        var crashes: [String]
        /// Called once the crashing container exists (the in-memory engine is told its fate).
        var prepareCrashing: @Sendable (ContainerSpec) async -> Void
        /// Kills the main process from outside the API (as the OOM killer would).
        var killProcess: @Sendable (ContainerInspection) async throws -> Void
    }

    static func action(_ event: ContainerEventFollow, of id: String) -> String? {
        guard case .element(let container) = event, container.containerID == id else { return nil }
        let name = switch container.action {
        case .died(let code): "died(\(code))"
        default: "\(container.action)"
        }
        return lifeEvents.contains(name.hasPrefix("died") ? "died" : name) ? name : nil
    }

    /// Reads `id`'s life events until one satisfies `last`.
    static func events(of id: String, _ stream: inout AsyncStream<ContainerEventFollow>.Iterator,
                       until last: (String) -> Bool) async -> [String] {
        var seen: [String] = []
        while let event = await stream.next() {
            guard let action = action(event, of: id) else { continue }
            seen.append(action)
            if last(action) { break }
        }
        return seen
    }

    static func checkRestartPolicy(_ engine: some ContainerEngine, image: String, faults: Faults) async throws {
        let owner = TestServices.uniqueName("restart-contract")
        let labels = ["io.silvasonic.owner": owner]
        var stream = engine.followEvents(labels: labels, backoff: BackoffPolicy()).makeAsyncIterator()
        #expect(await stream.next() == .subscribed)

        // Exits 3 at once on every start, on-failure:2: two retries of Podman's, then left.
        let crashing = ContainerSpec(name: TestServices.uniqueName("silvasonic-crashing"), image: image, labels: labels,
                                     command: faults.crashes, restartPolicy: .onFailure(maxRetries: 2))
        let crasher = try await engine.create(crashing)
        await faults.prepareCrashing(crashing)
        let burst = ["start", "died(3)", "restart", "start", "died(3)", "restart", "start", "died(3)", "cleanup"]
        for round in 1...2 {
            try await engine.start(crasher)   // the second start through the API resets the count
            #expect(await events(of: crasher, &stream, until: { $0 == "cleanup" }) == burst, "round \(round)")
            let left = try await engine.inspect(crasher)
            #expect(!left.running && left.exitCode == 3 && left.restartCount == 2)
        }
        try await engine.remove(crasher, force: true)

        let running = ContainerSpec(name: TestServices.uniqueName("silvasonic-running"), image: image, labels: labels,
                                    command: faults.runs, restartPolicy: .onFailure(maxRetries: 2))
        let id = try await engine.create(running)
        // A kill through the API is never restarted.
        try await engine.start(id)
        #expect(await events(of: id, &stream, until: { $0 == "start" }) == ["start"])
        try await engine.kill(id, signal: "SIGKILL")
        #expect(await events(of: id, &stream, until: { $0 == "cleanup" }) == ["kill", "died(137)", "cleanup"])
        #expect(try await engine.inspect(id).running == false)
        // A death from outside the API (kill -9 of its process) is the policy's to restart.
        try await engine.start(id)
        #expect(await events(of: id, &stream, until: { $0 == "start" }) == ["start"])
        try await faults.killProcess(try await engine.inspect(id))
        #expect(await events(of: id, &stream, until: { $0 == "start" }) == ["died(137)", "restart", "start"])
        let restarted = try await engine.inspect(id)
        #expect(restarted.running && restarted.restartCount == 1)
        // A stop through the API is never restarted (the process exits 0 on SIGTERM).
        try await engine.stop(id, timeoutSeconds: 10)
        #expect(await events(of: id, &stream, until: { $0 == "cleanup" }) == ["died(0)", "cleanup"])
        #expect(try await engine.inspect(id).running == false)
        try await engine.remove(id, force: true)
    }

    @Test("Podman restarts and leaves deaths by its on-failure policy")
    func podman() async throws {
        _ = try TestServices.require("SILVASONIC_CONTAINER_SOCKET")
        let podman = PodmanClient(configuration: PodmanConfiguration(environment: TestServices.environment))
        let faults = Faults(
            runs: ["/bin/sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"],
            crashes: ["/bin/sh", "-c", "exit 3"],
            prepareCrashing: { _ in },
            killProcess: { inspection in
                #expect(Foundation.kill(pid_t(inspection.pid), SIGKILL) == 0, "the container's process, seen from the host")
            })
        try await Self.checkRestartPolicy(podman, image: try TestServices.require("SILVASONIC_TEST_IMAGE"), faults: faults)
    }

    @Test("The in-memory engine restarts and leaves deaths as Podman does")
    func inMemory() async throws {
        let engine = InMemoryContainerEngine()
        let faults = Faults(
            runs: [], crashes: [],
            prepareCrashing: { spec in await engine.crashOnStart(spec.name, exitCode: 3) },
            killProcess: { inspection in try await engine.exit(inspection.id, code: 137) })
        try await Self.checkRestartPolicy(engine, image: "localhost/any:latest", faults: faults)
    }
}
