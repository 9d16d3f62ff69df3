import SilvasonicIO
import SilvasonicPodman
import Supervision
import TestSupport
import Testing

@Suite("Podman's streams across a restart of the API service, on a service of the test's own")
struct PodmanReconnectTests {
    @Test("The event stream resubscribes after the service restarts and catches up on what happened meanwhile")
    func eventsResume() async throws {
        let server = try await ScratchServer(.podman)
        let socket = try #require(server.environment["SILVASONIC_CONTAINER_SOCKET"])
        let cli = try #require(server.environment["SILVASONIC_DEV_PODMAN"])
        let podman = PodmanClient(configuration: PodmanConfiguration(socketPath: socket))
        let owner = TestServices.uniqueName("owner")
        var events = podman.followEvents(labels: ["io.silvasonic.owner": owner],
                                         backoff: BackoffPolicy(initial: .milliseconds(50), maximum: .milliseconds(300)))
            .makeAsyncIterator()
        #expect(await events.next() == .subscribed)
        let before = try await podman.create(ContainerSpec(name: "before", image: ScratchServer.podmanImage,
                                                           labels: ["io.silvasonic.owner": owner], command: ["/bin/true"]))
        guard case .element(let first) = await events.next() else { Issue.record("no create event"); return }
        #expect(first.containerID == before)

        // While the API service is down, a container is made with the CLI: the resumed stream
        // must deliver its event, and not the one it delivered before.
        try await server.run("stop-service")
        let request = await #expect(throws: PodmanError.self) { try await podman.ping() }
        #expect(request?.code == .unreachable)
        let made = try await Subprocess.run(cli, ["create", "--name", "meanwhile", "--label", "io.silvasonic.owner=\(owner)",
                                                  ScratchServer.podmanImage, "/bin/true"])
        #expect(made.status == 0)
        try await server.run("start-service")

        #expect(await StreamHelpers.awaitResubscription(&events))
        guard case .element(let caughtUp) = await events.next() else { Issue.record("no event after resuming"); return }
        #expect(caughtUp.name == "meanwhile")
        #expect(caughtUp.action == .create)
        #expect(try await podman.ping(), "requests reach the restarted service without any reconnect step")
        try await server.stop()
    }
}
