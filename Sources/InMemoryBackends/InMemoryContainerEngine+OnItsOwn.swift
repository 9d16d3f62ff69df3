package import SilvasonicPodman

/// What a real engine does on its own, driven by tests and the simulation — a process exits,
/// an image crashes at every start, a container prints, the engine goes away — and its restart
/// policy, as Podman's: `on-failure:N` restarts a non-zero exit up to N times after each start
/// through the API (0: without limit), with the events `died`, `restart`, `init`, `start`; a
/// death caused by the API is never restarted; a death it does not restart is followed by
/// `cleanup` (`RestartPolicyContractTests` runs the same sequence on both).
extension InMemoryContainerEngine {
    /// The container's main process exits with `code` (0: it ended, else it crashed): a `died`
    /// event, then the restart policy's restart or `cleanup`.
    public func exit(_ nameOrID: String, code: Int) throws {
        let id = try resolve(nameOrID, "exit")
        guard containers[id]?.status == "running" else { return }
        finish(id, code: code)
    }

    /// From now on, the main process of the container named `name` exits with `exitCode` at once
    /// on every start (a broken image, a microphone that fails at open), through the API or by
    /// the restart policy; `nil`: it runs again. A running one is not touched until it next starts.
    public func crashOnStart(_ name: String, exitCode: Int?) {
        crashingNames[name] = exitCode
    }

    /// The container prints a line.
    public func log(_ nameOrID: String, _ text: String, stream: LogLine.Stream = .stdout) throws {
        let id = try resolve(nameOrID, "log")
        let line = LogLine(stream: stream, text: text, timestamp: tick())
        containers[id]?.logs.append(line)
        for watcher in logWatchers.values where watcher.id == id {
            _ = watcher.sink.yield(.element(line))
        }
    }

    /// Makes the engine reachable or not: going down interrupts every stream, coming back
    /// resubscribes them (as the real client's followers do after a reconnect).
    package func setReachable(_ value: Bool) {
        guard value != reachable else { return }
        reachable = value
        guard !value else {
            for watcher in eventWatchers.values { watcher.sink.yield(.subscribed) }
            for watcher in logWatchers.values { watcher.sink.yield(.subscribed) }
            return
        }
        let outage = PodmanError(code: .unreachable, message: "the in-memory engine is down")
        for watcher in eventWatchers.values { watcher.sink.yield(.interrupted(outage, retryIn: .zero)) }
        for watcher in logWatchers.values { watcher.sink.yield(.interrupted(outage, retryIn: .zero)) }
    }

    /// Returns once at least `count` streams follow the log of `nameOrID` (for tests: a line
    /// logged after this reaches them).
    package func waitForLogFollowers(_ nameOrID: String, count: Int = 1) async {
        let id = (try? resolve(nameOrID, "wait")) ?? nameOrID
        if followerCount(id) >= count { return }
        await withCheckedContinuation { followerWaiters.append((id, count, $0)) }
    }

    // MARK: The restart policy

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
