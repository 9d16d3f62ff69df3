import SilvasonicIO
package import SilvasonicPodman
package import Supervision

/// A container engine in memory, behind the same ``ContainerEngine`` protocol as the real
/// ``PodmanClient``: containers have ids, names, labels, states and logs; every state change is
/// an event on ``followEvents(labels:backoff:)``; the same typed errors come out (a taken name is
/// a `conflict`, an unknown container `notFound`).
///
/// Tests and the simulation drive what a real engine does on its own with ``exit(_:code:)``
/// (a recorder crashes), ``crashOnStart(_:exitCode:)`` (it crashes at once on every start),
/// ``log(_:_:stream:)`` (it prints) and ``setReachable(_:)`` (an outage: every call fails as
/// `unreachable` and every stream is interrupted until it ends).
///
/// The spec's restart policy is Podman's (`ContainerEngineContractTests` runs the same sequence
/// on both): `on-failure:N` restarts a non-zero exit up to N times (0: without limit) with the
/// events `died`, `restart`, `init`, `start`; a start through the API resets that count; a death
/// caused by the API (`kill`, `stop`, a forced `remove`) is never restarted; a death it does not
/// restart is followed by `cleanup`. Its retries come at once, not every 0.1–0.25 s as Podman's.
package actor InMemoryContainerEngine: ContainerEngine {
    struct Container {
        var id: String
        var spec: ContainerSpec
        var status = "created"
        var exitCode = 0
        var restartCount = 0
        /// Stopped or killed through the API since it last started: not restarted by the policy.
        var stoppedByUser = false
        var logs: [LogLine] = []
    }

    var containers: [String: Container] = [:]
    private var nextID = 1
    private var nextTick: Int64 = 1
    var reachable = true
    var eventWatchers: [Int: (labels: [String: String], sink: AsyncStream<ContainerEventFollow>.Continuation)] = [:]
    var logWatchers: [Int: (id: String, sink: AsyncStream<LogFollowEvent>.Continuation)] = [:]
    private var nextWatcher = 0
    var followerWaiters: [(id: String, count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    /// Every call made, in order (`create silvasonic-recorder-x`, `stop ...`), for assertions;
    /// empty when the engine was made with `recordsCalls: false` (the simulation's thousands).
    public private(set) var calls: [String] = []
    private let recordsCalls: Bool
    /// Names and labels to ids, so a lookup by name or label does not scan every container.
    private var byName: [String: String] = [:]
    private var byLabel: [String: Set<String>] = [:]
    /// Container names whose main process exits at once on every start, with its code.
    var crashingNames: [String: Int] = [:]
    /// How long each create and start takes, and how often one fails, for the simulation.
    private let latency: Duration
    private let failureRate: Double
    private var random: UInt64

    /// - Parameters:
    ///   - recordsCalls: keep ``calls`` (tests); off for the simulation.
    ///   - latency: how long each create and start takes (the actor takes other calls meanwhile).
    ///   - failureRate: the share of creates and starts that fail as Podman's 500 would.
    ///   - seed: for the failures.
    public init(recordsCalls: Bool = true, latency: Duration = .zero, failureRate: Double = 0,
                seed: UInt64 = 1) {
        self.recordsCalls = recordsCalls
        self.latency = latency
        self.failureRate = failureRate
        random = seed
    }

    /// How many containers are running now.
    package var runningCount: Int { containers.values.reduce(0) { $0 + ($1.status == "running" ? 1 : 0) } }

    /// Waits out the configured latency, then fails at the configured rate.
    private func simulateWork(_ what: String) async throws {
        if latency > .zero { try await Task.sleep(for: latency) }
        guard failureRate > 0 else { return }
        // SplitMix64: cheap, seeded, good enough for a failure rate.
        random &+= 0x9E37_79B9_7F4A_7C15
        var z = random
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        if Double(z >> 11) / Double(1 << 53) < failureRate {
            throw PodmanError(code: .requestFailed, message: "\(what): a simulated engine failure", status: 500)
        }
    }

    public func ping() throws -> Bool {
        try requireReachable("ping")
        return true
    }

    public func create(_ spec: ContainerSpec) async throws -> String {
        try requireReachable("create \(spec.name)")
        try await simulateWork("create \(spec.name)")
        guard byName[spec.name] == nil else {
            throw PodmanError(code: .conflict, message: "create \(spec.name): the container name \"\(spec.name)\" is already in use", status: 500)
        }
        let hex = String(nextID, radix: 16)
        let id = String(repeating: "0", count: 64 - hex.count) + hex
        nextID += 1
        containers[id] = Container(id: id, spec: spec)
        byName[spec.name] = id
        for (key, value) in spec.labels { byLabel[key + "=" + value, default: []].insert(id) }
        emit(.create, for: id)
        return id
    }

    public func start(_ nameOrID: String) async throws {
        _ = try resolve(nameOrID, "start")
        try await simulateWork("start \(nameOrID)")
        // Looked up again: the container may have gone while the work took its time.
        let id = try resolve(nameOrID, "start")
        guard containers[id]?.status != "running" else { return }
        // A start through the API resets the policy's count, as Podman's does.
        containers[id]?.restartCount = 0
        containers[id]?.stoppedByUser = false
        containers[id]?.status = "running"
        emit(.start, for: id)
        crashWhileItMust(id)
    }

    public func stop(_ nameOrID: String, timeoutSeconds: Int) throws {
        let id = try resolve(nameOrID, "stop")
        guard containers[id]?.status == "running" else { return }
        containers[id]?.stoppedByUser = true
        finish(id, code: 0)
    }

    package func kill(_ nameOrID: String, signal: String) throws {
        let id = try resolve(nameOrID, "kill")
        guard containers[id]?.status == "running" else {
            throw PodmanError(code: .conflict, message: "kill \(nameOrID): container state improper", status: 409)
        }
        containers[id]?.stoppedByUser = true
        emit(.kill, for: id)
        finish(id, code: 137)
    }

    public func remove(_ nameOrID: String, force: Bool) throws {
        let id = try resolve(nameOrID, "remove")
        if containers[id]?.status == "running" {
            guard force else {
                throw PodmanError(code: .conflict, message: "remove \(nameOrID): the container is running", status: 409)
            }
            containers[id]?.stoppedByUser = true
            finish(id, code: 137)
        }
        emit(.remove, for: id)
        for (key, watcher) in logWatchers where watcher.id == id {
            watcher.sink.finish()
            logWatchers[key] = nil
        }
        if let spec = containers[id]?.spec {
            byName[spec.name] = nil
            for (key, value) in spec.labels { byLabel[key + "=" + value]?.remove(id) }
        }
        containers[id] = nil
    }

    package func inspect(_ nameOrID: String) throws -> ContainerInspection {
        let id = try resolve(nameOrID, "inspect")
        guard let container = containers[id] else { throw notFound(nameOrID, "inspect") }
        let spec = container.spec
        return ContainerInspection(
            id: id, name: spec.name, image: spec.image, labels: spec.labels, status: container.status,
            running: container.status == "running", exitCode: container.exitCode,
            restartCount: container.restartCount,
            host: .init(memoryBytes: spec.memoryLimitBytes ?? 0, cpuQuota: spec.cpuQuotaMicroseconds ?? 0,
                        cpuPeriod: spec.cpuPeriodMicroseconds, oomScoreAdjust: spec.oomScoreAdjust ?? 0,
                        privileged: spec.privileged, groups: spec.groups,
                        binds: spec.mounts.map { "\($0.source):\($0.destination)" }))
    }

    package func list(labels: [String: String], statuses: [String]) throws -> [ContainerSummary] {
        try requireReachable("list")
        // The fewest candidates any one label allows, then every label checked.
        let candidates: [Container]
        if let narrowest = labels.map({ byLabel[$0.key + "=" + $0.value] ?? [] }).min(by: { $0.count < $1.count }) {
            candidates = narrowest.compactMap { containers[$0] }
        } else {
            candidates = Array(containers.values)
        }
        return candidates
            .filter { container in labels.allSatisfy { container.spec.labels[$0.key] == $0.value } }
            .filter { statuses.isEmpty || statuses.contains($0.status) }
            .sorted { $0.id < $1.id }
            .map { ContainerSummary(id: $0.id, names: [$0.spec.name], image: $0.spec.image, state: $0.status, labels: $0.spec.labels) }
    }

    package nonisolated func followLogs(_ nameOrID: String, since: LogTimestamp?, bufferLimit: Int, maximumLineBytes: Int,
                                       backoff: BackoffPolicy) -> AsyncStream<LogFollowEvent> {
        AsyncStream(bufferingPolicy: .bufferingOldest(bufferLimit)) { continuation in
            Task { await self.watchLogs(nameOrID, since: since, continuation) }
        }
    }

    package nonisolated func followEvents(labels: [String: String], backoff: BackoffPolicy) -> AsyncStream<ContainerEventFollow> {
        AsyncStream { continuation in
            Task { await self.watchEvents(labels, continuation) }
        }
    }

    // MARK: Internals

    func followerCount(_ id: String) -> Int {
        logWatchers.values.filter { $0.id == id }.count
    }

    private func resumeFollowerWaiters() {
        var waiting: [(id: String, count: Int, continuation: CheckedContinuation<Void, Never>)] = []
        for waiter in followerWaiters {
            if followerCount(waiter.id) >= waiter.count { waiter.continuation.resume() } else { waiting.append(waiter) }
        }
        followerWaiters = waiting
    }

    private func watchEvents(_ labels: [String: String], _ continuation: AsyncStream<ContainerEventFollow>.Continuation) {
        let key = nextWatcher
        nextWatcher += 1
        eventWatchers[key] = (labels, continuation)
        continuation.yield(.subscribed)
        continuation.onTermination = { _ in Task { await self.dropEventWatcher(key) } }
    }

    private func watchLogs(_ nameOrID: String, since: LogTimestamp?, _ continuation: AsyncStream<LogFollowEvent>.Continuation) {
        guard let id = try? resolve(nameOrID, "logs") else {
            continuation.yield(.interrupted(notFound(nameOrID, "logs"), retryIn: .zero))
            continuation.finish()
            return
        }
        let key = nextWatcher
        nextWatcher += 1
        logWatchers[key] = (id, continuation)
        continuation.yield(.subscribed)
        resumeFollowerWaiters()
        if let since {
            for line in containers[id]?.logs ?? [] where (line.timestamp ?? since) > since {
                continuation.yield(.element(line))
            }
        }
        continuation.onTermination = { _ in Task { await self.dropLogWatcher(key) } }
    }

    private func dropEventWatcher(_ key: Int) { eventWatchers[key] = nil }
    private func dropLogWatcher(_ key: Int) { logWatchers[key] = nil }

    func emit(_ action: ContainerEvent.Action, for id: String) {
        if recordsCalls { calls.append("\(action) \(containers[id]?.spec.name ?? id)") }
        guard let container = containers[id] else { return }
        let event = ContainerEvent(containerID: id, name: container.spec.name, image: container.spec.image,
                                   action: action, labels: container.spec.labels, time: tick())
        for watcher in eventWatchers.values where watcher.labels.allSatisfy({ container.spec.labels[$0.key] == $0.value }) {
            watcher.sink.yield(.element(event))
        }
    }

    /// A strictly increasing timestamp: events and lines keep their order.
    func tick() -> LogTimestamp {
        defer { nextTick += 1 }
        return LogTimestamp(nanosecondsSinceEpoch: nextTick)
    }

    func resolve(_ nameOrID: String, _ what: String) throws -> String {
        try requireReachable("\(what) \(nameOrID)")
        if containers[nameOrID] != nil { return nameOrID }
        if let match = byName[nameOrID] { return match }
        throw notFound(nameOrID, what)
    }

    func requireReachable(_ what: String) throws {
        guard reachable else { throw PodmanError(code: .unreachable, message: "\(what): the in-memory engine is down") }
    }

    private func notFound(_ nameOrID: String, _ what: String) -> PodmanError {
        PodmanError(code: .notFound, message: "\(what): no container with name or ID \"\(nameOrID)\" found: no such container", status: 404)
    }
}
