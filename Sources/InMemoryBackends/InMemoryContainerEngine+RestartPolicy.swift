import SilvasonicPodman

/// The in-memory engine's restart policy, as Podman's: `on-failure:N` restarts a non-zero exit up
/// to N times after each start through the API (0: without limit), with the events `died`,
/// `restart`, `init`, `start`; a death caused by the API is never restarted; a death it does not
/// restart is followed by `cleanup` (`RestartPolicyContractTests` runs the same sequence on both).
extension InMemoryContainerEngine {
    /// The main process of `id` exited with `code`: `died`, then the restart policy's restart
    /// (and, while its image crashes at once, the next death) or `cleanup`.
    func finish(_ id: String, code: Int) {
        var code = code
        while true {
            containers[id]?.status = "exited"
            containers[id]?.exitCode = code
            emit(.died(exitCode: code), for: id)
            guard policyRestarts(id) else {
                emit(.cleanup, for: id)
                return
            }
            containers[id]?.restartCount += 1
            emit(.restart, for: id)
            emit(.initialize, for: id)
            containers[id]?.status = "running"
            emit(.start, for: id)
            guard let next = crashCode(id) else { return }
            code = next
        }
    }

    /// A container that just started dies at once while its name is among the crashing ones.
    func crashWhileItMust(_ id: String) {
        if let code = crashCode(id) { finish(id, code: code) }
    }

    /// The code the just-started `id` exits with at once, if its name is among the crashing
    /// ones. Not under a policy that would retry it without end (`on-failure:0`, `always`): such
    /// a container is left running rather than looping here for ever.
    private func crashCode(_ id: String) -> Int? {
        guard let container = containers[id], let code = crashingNames[container.spec.name] else { return nil }
        switch container.spec.restartPolicy {
        case .no: return code
        case .onFailure(let maxRetries): return maxRetries == 0 && code != 0 ? nil : code
        case .always, .unlessStopped: return nil
        }
    }

    /// Whether the restart policy restarts the exited container `id`, as Podman's does.
    private func policyRestarts(_ id: String) -> Bool {
        guard let container = containers[id], !container.stoppedByUser else { return false }
        switch container.spec.restartPolicy {
        case .no: return false
        case .always, .unlessStopped: return true
        case .onFailure(let maxRetries):
            return container.exitCode != 0 && (maxRetries == 0 || container.restartCount < maxRetries)
        }
    }
}
