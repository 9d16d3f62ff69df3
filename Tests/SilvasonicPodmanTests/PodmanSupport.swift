import SilvasonicPodman
import TestSupport
import Testing

/// A client of the test run's Podman service.
func testClient() throws -> PodmanClient {
    _ = try TestServices.require("SILVASONIC_CONTAINER_SOCKET")
    return PodmanClient(configuration: PodmanConfiguration(environment: TestServices.environment))
}

/// The minimal image the test command builds.
func testImage() throws -> String {
    try TestServices.require("SILVASONIC_TEST_IMAGE")
}

/// Runs `body` with a container made from `spec`, and removes the container afterwards, even
/// when `body` fails (reporting the first failure, not the clean-up's).
func withContainer<Result>(_ spec: ContainerSpec, start: Bool = true,
                           _ body: (PodmanClient, String) async throws -> Result) async throws -> Result {
    let podman = try testClient()
    let id = try await podman.create(spec)
    do {
        if start { try await podman.start(id) }
        let result = try await body(podman, id)
        try await podman.remove(id, force: true)
        return result
    } catch {
        do { try await podman.remove(id, force: true) } catch { Issue.record("clean-up failed: \(error)") }
        throw error
    }
}

/// A unique owner label value, so that a test sees only its own containers and events.
func uniqueOwner() -> String {
    TestServices.uniqueName("owner")
}
