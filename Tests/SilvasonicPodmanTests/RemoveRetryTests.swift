@testable import SilvasonicPodman
import Testing

@Suite("Which refusals of a remove are tried once more")
struct RemoveRetryTests {
    @Test("Podman 4.3's refusal while an exit is cleaned up is retried; other conflicts are not")
    func exitSettling() {
        // Podman's own answer, as a CI run met it right after a container's `cleanup` event.
        let settling = PodmanError(
            code: .conflict,
            message: "remove 0531: cannot remove container 0531 as it could not be stopped: sending SIGKILL to container 0531: container state improper: stopped",
            status: 500)
        #expect(settling.isExitSettling)
        #expect(!PodmanError(code: .conflict, message: "remove x: container state improper: running", status: 500).isExitSettling)
        #expect(!PodmanError(code: .conflict, message: "remove x: name is already in use", status: 409).isExitSettling)
        #expect(!PodmanError(code: .requestFailed, message: "container state improper: stopped", status: 500).isExitSettling)
    }
}
