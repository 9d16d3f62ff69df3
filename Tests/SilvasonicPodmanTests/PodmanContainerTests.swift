import Foundation
import SilvasonicPodman
import TestSupport
import Synchronization
import Testing

@Suite("Podman's REST API over its Unix socket, against the service of the test run")
struct PodmanContainerTests {
    @Test("The service answers its ping and names its version")
    func pingAndVersion() async throws {
        let podman = try testClient()
        #expect(try await podman.ping())
        let version = try await podman.version()
        #expect(version.version.hasPrefix("4.") || version.version.hasPrefix("5."))
    }

    @Test("A spec with mounts, devices, groups, limits, oom score and restart policy is applied as written")
    func specIsApplied() async throws {
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent(TestServices.uniqueName("ws")).path
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let owner = uniqueOwner()
        let spec = ContainerSpec(
            name: TestServices.uniqueName("silvasonic-spec"), image: try testImage(),
            labels: ["io.silvasonic.owner": owner, "io.silvasonic.service": "recorder"],
            environment: ["SILVASONIC_INSTANCE_ID": "mic-1", "PULSE_SERVER": ""],
            command: ["/bin/sh", "-c", "echo $SILVASONIC_INSTANCE_ID > /app/workspace/id"],
            mounts: [.init(source: workspace, destination: "/app/workspace", options: ["z"])],
            devices: ["/dev/null"], groups: ["audio"], privileged: true,
            memoryLimitBytes: 512 * 1024 * 1024, cpuQuotaMicroseconds: 100_000, oomScoreAdjust: 500,
            restartPolicy: .onFailure(maxRetries: 5))
        try await withContainer(spec, start: false) { podman, id in
            let inspection = try await podman.inspect(id)
            #expect(inspection.status == "created")
            #expect(inspection.labels["io.silvasonic.owner"] == owner)
            #expect(inspection.host.memoryBytes == 512 * 1024 * 1024)
            #expect(inspection.host.cpuQuota == 100_000)
            #expect(inspection.host.cpuPeriod == 100_000)
            #expect(inspection.host.oomScoreAdjust == 500)
            #expect(inspection.host.privileged)
            #expect(inspection.host.restartPolicy == "on-failure")
            #expect(inspection.host.restartRetries == 5)
            #expect(inspection.host.groups == ["audio"])
            #expect(inspection.host.binds.contains { $0.hasPrefix("\(workspace):/app/workspace") })
            // The container runs and writes its environment through the bind mount.
            try await podman.start(id)
            #expect(try await testClient().wait(id, condition: "stopped") == 0)
            #expect(try String(contentsOfFile: workspace + "/id", encoding: .utf8) == "mic-1\n")
        }
    }

    @Test("A stop that waits out its timeout holds up no other request of the same client: another container is created, started and removed meanwhile")
    func concurrentRequests() async throws {
        let owner = uniqueOwner()
        // PID 1 without a handler ignores SIGTERM: its stop waits the whole timeout, then kills.
        let stubborn = ContainerSpec(name: TestServices.uniqueName("silvasonic-stubborn"), image: try testImage(),
                                     labels: ["io.silvasonic.owner": owner], command: ["/bin/sleep", "300"])
        try await withContainer(stubborn) { podman, stubbornID in
            let stopReturned = Mutex(false)
            let stop = Task {
                try await podman.stop(stubbornID, timeoutSeconds: 10)
                stopReturned.withLock { $0 = true }
            }
            // Asking while the stop is in flight is the first proof: a serial client would answer
            // only after the stop, when the container has exited.
            var state = try await podman.inspect(stubbornID).status
            while state == "running" { state = try await podman.inspect(stubbornID).status }
            #expect(state == "stopping")
            let other = ContainerSpec(name: TestServices.uniqueName("silvasonic-other"), image: try testImage(),
                                      labels: ["io.silvasonic.owner": owner], command: ["/bin/sleep", "300"])
            let otherID = try await podman.create(other)
            try await podman.start(otherID)
            #expect(try await podman.inspect(otherID).running)
            try await podman.remove(otherID, force: true)
            #expect(!stopReturned.withLock { $0 }, "the other container came and went while the stop waited")
            try await stop.value
            #expect(try await podman.inspect(stubbornID).running == false)
        }
    }

    @Test("A network is created, joined and removed")
    func network() async throws {
        let podman = try testClient()
        let network = TestServices.uniqueName("silvasonic-net")
        #expect(try await !podman.networkExists(network))
        try await podman.createNetwork(network)
        #expect(try await podman.networkExists(network))
        let spec = ContainerSpec(name: TestServices.uniqueName("silvasonic-net-member"), image: try testImage(),
                                 command: ["/bin/sleep", "300"], networks: [network])
        let joined = try await withContainer(spec) { podman, id in try await podman.inspect(id).running }
        #expect(joined)
        try await podman.removeNetwork(network)
        #expect(try await !podman.networkExists(network))
    }

    @Test("List filters by label and by status, in every state")
    func listFilters() async throws {
        let owner = uniqueOwner()
        let labels = ["io.silvasonic.owner": owner]
        let podman = try testClient()
        let running = try await podman.create(ContainerSpec(name: TestServices.uniqueName("silvasonic-run"),
            image: try testImage(), labels: labels, command: ["/bin/sleep", "300"]))
        let created = try await podman.create(ContainerSpec(name: TestServices.uniqueName("silvasonic-created"),
            image: try testImage(), labels: labels, command: ["/bin/sleep", "300"]))
        try await podman.start(running)
        let all = try await podman.list(labels: labels)
        #expect(Set(all.map(\.id)) == [running, created])
        #expect(try await podman.list(labels: labels, statuses: ["running"]).map(\.id) == [running])
        #expect(try await podman.list(labels: labels, statuses: ["created"]).map(\.id) == [created])
        #expect(try await podman.list(labels: ["io.silvasonic.owner": uniqueOwner()]).isEmpty)
        try await podman.remove(running, force: true)
        try await podman.remove(created, force: true)
    }

    @Test("Stop with a timeout, kill with a signal, wait for the exit code, remove")
    func stopKillWait() async throws {
        let spec = ContainerSpec(name: TestServices.uniqueName("silvasonic-kill"), image: try testImage(),
                                 command: ["/bin/sh", "-c", "trap 'exit 7' TERM; while true; do sleep 1 & wait $!; done"])
        try await withContainer(spec) { podman, id in
            try await podman.stop(id, timeoutSeconds: 5)
            let stopped = try await podman.inspect(id)
            #expect(!stopped.running)
            #expect(stopped.exitCode == 7)
            try await podman.stop(id, timeoutSeconds: 1)  // already stopped: not an error

            try await podman.start(id)
            try await podman.kill(id, signal: "SIGKILL")
            #expect(try await testClient().wait(id, condition: "stopped") == 137)
            let error = await #expect(throws: PodmanError.self) { try await podman.kill(id) }
            #expect(error?.code == .conflict)
        }
    }

    @Test("Errors carry the status and Podman's message: unknown container or image, name taken")
    func typedErrors() async throws {
        let podman = try testClient()
        let missing = await #expect(throws: PodmanError.self) {
            try await podman.start(TestServices.uniqueName("silvasonic-absent"))
        }
        #expect(missing?.code == .notFound)
        #expect(missing?.status == 404)
        #expect(missing?.message.contains("no such container") == true)

        let spec = ContainerSpec(name: TestServices.uniqueName("silvasonic-twice"), image: try testImage(),
                                 command: ["/bin/sleep", "300"])
        try await withContainer(spec, start: false) { podman, _ in
            let taken = await #expect(throws: PodmanError.self) { try await podman.create(spec) }
            #expect(taken?.code == .conflict)
            #expect(taken?.message.contains("already in use") == true)
        }
        let badImage = await #expect(throws: PodmanError.self) {
            try await podman.create(ContainerSpec(name: TestServices.uniqueName("silvasonic-noimage"),
                                                  image: "localhost/silvasonic-no-such-image:latest"))
        }
        #expect(badImage?.code == .notFound)
    }

    @Test("A missing socket is reported as unreachable, naming the socket's problem")
    func missingSocket() async throws {
        let podman = PodmanClient(configuration: PodmanConfiguration(socketPath: "/nonexistent/podman.sock"))
        let error = await #expect(throws: PodmanError.self) { try await podman.ping() }
        #expect(error?.code == .unreachable)
    }
}
