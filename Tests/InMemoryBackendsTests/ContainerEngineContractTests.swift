import InMemoryBackends
import SilvasonicIO
import SilvasonicPodman
import Supervision
import TestSupport
import Testing

/// One contract, two engines: what the controller relies on holds for the real Podman and for
/// the in-memory engine alike, so tests on the double say something about the real thing.
@Suite("The container engine contract, against Podman and the in-memory engine")
struct ContainerEngineContractTests {
    static func checkContract(_ engine: some ContainerEngine, image: String) async throws {
        let owner = TestServices.uniqueName("contract")
        let labels = ["io.silvasonic.owner": owner]
        var events = engine.followEvents(labels: labels, backoff: BackoffPolicy()).makeAsyncIterator()
        #expect(await events.next() == .subscribed)

        let spec = ContainerSpec(name: TestServices.uniqueName("silvasonic-contract"), image: image, labels: labels,
                                 command: ["/bin/sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"],
                                 memoryLimitBytes: 64 * 1024 * 1024)
        let id = try await engine.create(spec)
        #expect(try await engine.inspect(id).status == "created")
        let taken = await #expect(throws: PodmanError.self) { try await engine.create(spec) }
        #expect(taken?.code == .conflict)

        try await engine.start(spec.name)
        #expect(try await engine.list(labels: labels, statuses: ["running"]).map(\.id) == [id])
        #expect(try await engine.list(labels: labels, statuses: []).first?.name == spec.name)
        #expect(try await engine.inspect(id).host.memoryBytes == 64 * 1024 * 1024)

        try await engine.kill(id, signal: "SIGKILL")
        var actions: [ContainerEvent.Action] = []
        while let event = await events.next() {
            guard case .element(let container) = event else { continue }
            #expect(container.containerID == id)
            actions.append(container.action)
            if case .died = container.action { break }
        }
        #expect(actions.first == .create)
        #expect(actions.contains(.start))
        #expect(actions.last == .died(exitCode: 137))
        let stopped = try await engine.inspect(id)
        #expect(!stopped.running)
        #expect(stopped.exitCode == 137)

        try await engine.remove(id, force: true)
        let gone = await #expect(throws: PodmanError.self) { try await engine.inspect(id) }
        #expect(gone?.code == .notFound)
        #expect(try await engine.list(labels: labels, statuses: []).isEmpty)
    }

    @Test("Podman keeps the contract")
    func podman() async throws {
        _ = try TestServices.require("SILVASONIC_CONTAINER_SOCKET")
        let podman = PodmanClient(configuration: PodmanConfiguration(environment: TestServices.environment))
        try await Self.checkContract(podman, image: try TestServices.require("SILVASONIC_TEST_IMAGE"))
    }

    @Test("The in-memory engine keeps the contract")
    func inMemory() async throws {
        try await Self.checkContract(InMemoryContainerEngine(), image: "localhost/any:latest")
    }

    @Test("The in-memory engine's crashes, logs and outages reach the followers")
    func drivenByTests() async throws {
        let engine = InMemoryContainerEngine()
        let id = try await engine.create(ContainerSpec(name: "recorder", image: "img", labels: ["owner": "me"]))
        try await engine.start(id)
        var events = engine.followEvents(labels: ["owner": "me"], backoff: BackoffPolicy()).makeAsyncIterator()
        var logs = engine.followLogs(id, since: nil, bufferLimit: 16, maximumLineBytes: 100, backoff: BackoffPolicy()).makeAsyncIterator()
        #expect(await events.next() == .subscribed)
        #expect(await logs.next() == .subscribed)
        try await engine.log(id, "hello")
        guard case .element(let line) = await logs.next() else { Issue.record("no line"); return }
        #expect(line.text == "hello")
        try await engine.exit(id, code: 3)
        guard case .element(let died) = await events.next() else { Issue.record("no event"); return }
        #expect(died.action == .died(exitCode: 3))
        guard case .element(let cleanup) = await events.next() else { Issue.record("no cleanup"); return }
        #expect(cleanup.action == .cleanup, "no restart policy: left, and said so")
        await engine.setReachable(false)
        guard case .interrupted(let error, _) = await events.next() else { Issue.record("no interruption"); return }
        #expect(error.code == .unreachable)
        let down = await #expect(throws: PodmanError.self) { try await engine.start(id) }
        #expect(down?.code == .unreachable)
        await engine.setReachable(true)
        #expect(await events.next() == .subscribed)
    }
}
