import SilvasonicPodman
import TestSupport
import Testing

@Suite("Podman's REST API over its Unix socket, against the service of the test run")
struct PodmanSmokeTests {
    private func client() throws -> PodmanClient {
        _ = try TestServices.require("SILVASONIC_CONTAINER_SOCKET")
        return PodmanClient(configuration: PodmanConfiguration(environment: TestServices.environment))
    }

    @Test("The service answers its ping")
    func ping() async throws {
        #expect(try await client().ping())
    }

    @Test("A container is created, started, listed by label, stopped and removed")
    func lifecycle() async throws {
        let podman = try client()
        let image = try TestServices.require("SILVASONIC_TEST_IMAGE")
        let name = TestServices.uniqueName("silvasonic-smoke")
        let owner = TestServices.uniqueName("smoke-owner")
        let labels = ["io.silvasonic.owner": owner, "io.silvasonic.service": "smoke"]
        let id = try await podman.create(ContainerCreateRequest(
            name: name, image: image, labels: labels, command: ["/bin/sleep", "300"]))
        do {
            try await podman.start(name)
            let running = try await podman.list(labels: ["io.silvasonic.owner": owner])
            #expect(running.map(\.id) == [id])
            #expect(running.first?.state == "running")
            #expect(running.first?.names == [name])
            #expect(running.first?.labels["io.silvasonic.service"] == "smoke")

            try await podman.stop(name, timeoutSeconds: 1)
            let stopped = try await podman.list(labels: ["io.silvasonic.owner": owner])
            #expect(stopped.first?.state == "exited")
        } catch {
            // Leave nothing behind, but report the first failure, not the clean-up's.
            do { try await podman.remove(name, force: true) } catch { Issue.record("clean-up failed: \(error)") }
            throw error
        }
        try await podman.remove(name)
        #expect(try await podman.list(labels: ["io.silvasonic.owner": owner]).isEmpty)
    }

    @Test("An unknown container is reported as notFound")
    func notFound() async throws {
        let error = await #expect(throws: PodmanError.self) {
            try await client().start(TestServices.uniqueName("silvasonic-absent"))
        }
        #expect(error?.code == .notFound)
    }

    @Test("A missing socket is reported as unreachable, naming the socket's problem")
    func missingSocket() async throws {
        let podman = PodmanClient(configuration: PodmanConfiguration(socketPath: "/nonexistent/podman.sock"))
        let error = await #expect(throws: PodmanError.self) { try await podman.ping() }
        #expect(error?.code == .unreachable)
    }
}
