public import ControllerCore
import Foundation
public import Logging
import SilvasonicHardware
public import SilvasonicIO
public import SilvasonicPodman
public import SilvasonicPostgres
public import SilvasonicRedis
public import Supervision

/// The controller's supervision tree, built from its settings and run until cancelled.
///
/// ```
/// root (one-for-one, backoff)
/// ├── events      Podman's event stream → each device's recorder actor; a reconnect re-inspects all
/// ├── nudges      SUBSCRIBE silvasonic:nudge → reconcile ("reconcile" only; the rest counted)
/// ├── scanner     hardware monitor → device rows → reconcile
/// ├── ticker      every SILVASONIC_RECONCILE_INTERVAL_S: retry failed writes, reconcile
/// ├── heartbeat   every SILVASONIC_HEARTBEAT_INTERVAL_S: silvasonic:status:controller
/// ├── publisher   lifecycle events → silvasonic:events, fire-and-forget
/// └── summary     after the start-up window, a summary every SILVASONIC_CONTROLLER_LOG_SUMMARY_INTERVAL_S
/// ```
/// The recorder actors themselves live in the ``DeviceRegistry`` (the device supervisor), told
/// what to run by the ``Reconciler``. Every backend reconnects forever; an outage of one never
/// stops a recorder.
public final class Station: Sendable {
    public let settings: ControllerSettings
    public let db: PostgresClient
    public let redis: RedisClient
    public let podman: PodmanClient
    public let registry: DeviceRegistry<ContinuousClock>
    public let reconciler: Reconciler<ContinuousClock>
    public let inventory: DeviceInventory<ContinuousClock>
    /// What the children record as they work: read by ``health()``.
    public let board = StationBoard()
    private let logger: Logger
    private let counters = StationCounters()

    /// Where the controller's counters and gauges go.
    public let metrics: ControllerMetrics
    /// Lifecycle events for `silvasonic:events`.
    public let events = LifecycleEvents()

    /// The level the controller's loggers follow (``LogVerbosity``): lowered to `notice` when
    /// the start-up window ends.
    public let verbosity: LogVerbosity

    /// - Parameters:
    ///   - metrics: made with the factory whose registry `/metrics` serves.
    ///   - verbosity: the level the process's log handlers follow.
    public init(settings: ControllerSettings, logger: Logger, metrics: ControllerMetrics = ControllerMetrics(),
                verbosity: LogVerbosity = LogVerbosity()) {
        self.verbosity = verbosity
        self.metrics = metrics
        self.settings = settings
        self.logger = logger
        db = PostgresClient(configuration: settings.postgres)
        redis = RedisClient(configuration: settings.redis)
        podman = PodmanClient(configuration: settings.podman)
        let repository = DeviceRepository(db: db)
        var companions = CompanionSettings(redis: redis)
        companions.heartbeatInterval = settings.recorderHeartbeatInterval
        companions.staleAfter = settings.recorderHeartbeatInterval * 3
        companions.startupGrace = settings.recorderStartupGrace
        registry = DeviceRegistry(engine: podman, clock: ContinuousClock(), owner: settings.station.owner, logger: logger,
                                  companions: companions, metrics: metrics, events: events, makeLifecycle: { settings.recorderLifecycle() })
        let presence = HardwarePresence()
        let reconciler = Reconciler(repository: repository, registry: registry, engine: podman,
                                    settings: settings.station, logger: logger, presence: presence, metrics: metrics,
                                    events: events)
        self.reconciler = reconciler
        inventory = DeviceInventory(repository: repository, clock: ContinuousClock(), grace: settings.offlineGrace,
                                    logger: logger, presence: presence, events: events,
                                    onChange: { reason, devices in await reconciler.reconcile(reason: reason, devices: devices) })
    }

    /// Nudges that were not `reconcile`.
    public var ignoredNudges: Int { counters.ignoredNudges }

    /// Builds the root supervisor.
    public func supervisor() throws -> Supervisor<ContinuousClock> {
        try Supervisor(
            name: "controller",
            options: SupervisorOptions(strategy: .oneForOne, intensity: RestartIntensity(maxRestarts: 10, within: .seconds(60)),
                                       backoff: BackoffPolicy(initial: .milliseconds(500), maximum: .seconds(30))),
            children: [
                ChildSpec(id: "events") { [self] in try await followEvents() },
                ChildSpec(id: "nudges") { [self] in try await followNudges() },
                ChildSpec(id: "scanner") { [self] in await scan() },
                ChildSpec(id: "ticker") { [self] in try await tick() },
                ChildSpec(id: "heartbeat") { [self] in try await heartbeat() },
                ChildSpec(id: "publisher") { [self] in try await publishEvents() },
                ChildSpec(id: "summary") { [self] in try await summarize() },
            ],
            clock: ContinuousClock(), logger: logger)
    }

    /// Runs the tree until the task is cancelled, then applies the shutdown policy.
    public func run() async throws {
        for problem in settings.problems { logger.warning("setting ignored", metadata: ["problem": "\(problem)"]) }
        // Before anything reads the tables; when the database is down, the ticker retries.
        // Seeded before the scanner runs, so a microphone found at start meets its profile.
        do {
            try await DatabaseSchema.apply(db)
            await seed()
        } catch {
            logger.warning("database not reachable at start; carrying on without it", metadata: ["error": "\(error)"])
        }
        let root = try supervisor()
        counters.setRoot(root)
        defer { counters.setRoot(nil) }
        try await withTaskCancellationHandler {
            try await root.run()
        } onCancel: {
            Task { await root.shutdown() }
        }
        await registry.shutdown()
        await applyShutdownPolicy()
    }

    /// Stops every owned Tier 2 container gracefully (`stop-tier2`), all at once (each recorder
    /// takes its time to finish its segment; as many stops run together as the Podman client
    /// has connections), or leaves them running (`detach`).
    public func applyShutdownPolicy() async {
        guard settings.shutdownPolicy == .stopTier2 else {
            logger.info("leaving the recorders running for the next controller (detach)")
            return
        }
        do {
            let owned = try await podman.list(labels: ["io.silvasonic.owner": settings.station.owner, "io.silvasonic.tier": "2"],
                                              statuses: ["running"])
            await withTaskGroup(of: Void.self) { group in
                for container in owned.sorted(by: { $0.name > $1.name }) {
                    group.addTask { [podman, logger] in
                        logger.info("stopping the container", metadata: [
                            "container.name": "\(container.name)", "reason": "\(StopReason.shutdownPolicy)",
                        ])
                        do { try await podman.stop(container.id, timeoutSeconds: 10) } catch {
                            logger.warning("not stopped", metadata: ["container.name": "\(container.name)", "error": "\(error)"])
                        }
                    }
                }
            }
        } catch {
            logger.warning("owned containers could not be listed at shutdown", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Children

    private func followEvents() async throws {
        var first = true
        for await event in podman.followEvents(labels: ["io.silvasonic.owner": settings.station.owner],
                                               backoff: settings.reconnectBackoff) {
            switch event {
            case .subscribed:
                board.update { $0.podmanSubscribed = true }
                if !first {
                    logger.info("Podman's event stream is back; looking at every recorder again")
                    await registry.engineReconnected()
                    await reconciler.reconcile(reason: "podman reconnected")
                }
                first = false
            case .element(let container):
                switch container.action {
                case .died(let code):
                    metrics.containerEvent("died", service: container.labels["io.silvasonic.service"] ?? "unknown")
                    events.emit("container_died", ["container_id": .string(container.containerID), "exit_code": .int(code),
                                                    "device_id": container.labels["io.silvasonic.device_id"].map(JSONValue.string) ?? .null,
                                                    "service": container.labels["io.silvasonic.service"].map(JSONValue.string) ?? .null])
                case .remove: metrics.containerEvent("removed", service: container.labels["io.silvasonic.service"] ?? "unknown")
                default: break
                }
                await registry.route(container)
            case .interrupted(let error, let retryIn):
                board.update { $0.podmanSubscribed = false }
                metrics.streamInterrupted("podman_events")
                logger.warning("Podman's event stream interrupted", metadata: ["error": "\(error)", "retry.in": "\(retryIn)"])
            }
        }
        try Task.checkCancellation()
    }

    private func followNudges() async throws {
        var first = true
        var garbage = PersistentCondition<ContinuousClock.Instant>()
        for await event in redis.subscribe(to: ["silvasonic:nudge"]) {
            switch event {
            case .subscribed:
                board.update { $0.redisSubscribed = true }
                if !first { logger.info("nudge channel subscribed again") }
                first = false
                // Nudges sent while unsubscribed are lost: a reconcile stands in for them.
                await reconciler.reconcile(reason: "nudge channel subscribed")
            case .element(let message):
                if message.text == "reconcile" {
                    metrics.nudge(ignored: false)
                    logger.say(garbage.cleared(now: .now), at: .info, ended: "nudges are 'reconcile' again", counted: "ignored")
                    await reconciler.reconcile(reason: "nudge")
                } else {
                    metrics.nudge(ignored: true)
                    counters.ignoreNudge()
                    logger.say(garbage.occurred(now: .now), at: .info, started: "nudge ignored: the payload is not 'reconcile'",
                               ongoing: "nudges still ignored: payloads that are not 'reconcile'",
                               counted: "ignored", metadata: ["payload": "\(message.text.prefix(80).debugDescription)"])
                }
            case .interrupted(let error, let retryIn):
                board.update { $0.redisSubscribed = false }
                metrics.streamInterrupted("nudges")
                logger.warning("nudge channel interrupted", metadata: ["error": "\(error)", "retry.in": "\(retryIn)"])
            }
        }
        try Task.checkCancellation()
    }

    private func scan() async {
        let roots = settings.hardwareRoots
        // Which of two microphones sharing a USB serial keeps its id after a restart: the one at
        // the stored bus path. Unknown when the database is down: then the lower bus path.
        var knownBusPaths: [String: String] = [:]
        do {
            for record in try await DeviceRepository(db: db).devices() {
                if let busPath = record.row.hardware.usbBusPath { knownBusPaths[record.row.name] = busPath }
            }
        } catch {
            logger.notice("stored bus paths not read; two microphones sharing a serial are told apart by bus path order",
                          metadata: ["error": "\(error)"])
        }
        let monitor = HardwareMonitor(scanner: DeviceScanner(roots: roots), interval: settings.scanInterval,
                                      clock: ContinuousClock(), logger: logger, knownBusPaths: knownBusPaths)
        // Kernel uevents describe the real machine: with a fixture tree only the periodic scan runs.
        let uevents: AsyncStream<UEvent>? = roots.isLive ? nil : AsyncStream { $0.finish() }
        await monitor.run(uevents: uevents) { [inventory] update in await inventory.handle(update) }
    }

    /// The live tree as JSON (``StatusTree``): the root's children, then every device's and
    /// worker's actor.
    public func statusTree() async -> JSONValue {
        let root = await counters.root?.whichChildren()
        let held = await registry.heldDevices
        var devices = await registry.statuses().map { key, status in
            var device = StatusTree.Device(key: key.hasPrefix("worker:") ? String(key.dropFirst("worker:".count)) : key,
                                           service: status.service, state: status.state.name,
                                           containerID: status.state.containerID, restarts: status.restarts,
                                           lastFailure: status.lastFailure, since: status.since, nextRetry: status.nextRetry)
            device.heldBecause = held[key]
            device.lastStop = status.lastStop
            return device
        }
        // A device held from the start has no actor yet: shown all the same.
        let shown = Set(devices.map(\.key))
        for (device, reason) in held where !shown.contains(device) {
            var entry = StatusTree.Device(key: device, service: "recorder", state: "held", containerID: nil, restarts: 0,
                                          lastFailure: nil, since: .zero)
            entry.heldBecause = reason
            devices.append(entry)
        }
        return StatusTree.json(root: root, devices: devices, health: await health())
    }

    /// The controller's health now: the board's facts and the devices' states, judged.
    public func health() async -> HealthReport {
        var facts = board.snapshot
        for (device, state) in await registry.states() where !device.hasPrefix("worker:") {
            switch state {
            case .running: facts.recording += 1
            case .crashLooping: facts.crashLoopingDevices.append(device)
            default: break
            }
        }
        return HealthReport.judge(facts, now: .now, progressDeadline: progressDeadline)
    }

    /// How long the ticker may go without completing a reconcile before the process is not live.
    public var progressDeadline: Duration { max(.seconds(30), settings.reconcileInterval * 5) }

    /// Publishes the controller's heartbeat forever: whenever Redis answers, never given up on.
    private func heartbeat() async throws {
        var resources = ResourceReader()
        var failing = false
        let ttl = ControllerHeartbeat.ttlSeconds(interval: settings.heartbeatInterval)
        while true {
            let payload = ControllerHeartbeat.payload(health: await health(), usage: resources.usage(), timestamp: Date())
            let text = String(decoding: try JSONEncoder().encode(payload), as: UTF8.self)
            do {
                try await redis.set(ControllerHeartbeat.key, text, expiresInSeconds: ttl)
                try await redis.publish(text, to: "silvasonic:status")
                if failing { logger.info("heartbeat published again") }
                failing = false
            } catch {
                if !failing { logger.warning("heartbeat not published; trying at every interval", metadata: ["error": "\(error)"]) }
                failing = true
            }
            try await Task.sleep(for: settings.heartbeatInterval)
        }
    }

    /// Ends the verbose start-up window, then logs a summary at every interval.
    private func summarize() async throws {
        try await Task.sleep(for: settings.logStartup)
        if verbosity.level < .notice {
            logger.notice("start-up over: from now on warnings, errors and a summary every interval",
                          metadata: ["interval": "\(settings.logSummaryInterval)"])
            verbosity.set(.notice)
        }
        var last = (completed: 0, failed: 0, forwarded: 0, dropped: 0)
        while true {
            let health = await health()
            let completed = await reconciler.completedRuns, failed = await reconciler.failedRuns
            let forwarded = registry.logCounters.forwarded, dropped = registry.logCounters.dropped
            logger.notice("summary", metadata: [
                "health": "\(health.status)", "devices": "\(health.components["devices"]?.details ?? "?")",
                "reconciles": "\(completed - last.completed)", "reconciles.unreadable": "\(failed - last.failed)",
                "log.forwarded": "\(forwarded - last.forwarded)", "log.dropped": "\(dropped - last.dropped)",
                "nudges.ignored": "\(ignoredNudges)", "events.dropped": "\(events.dropped)",
            ])
            last = (completed, failed, forwarded, dropped)
            try await Task.sleep(for: settings.logSummaryInterval)
        }
    }

    /// Drains the lifecycle events into `silvasonic:events`; one that cannot be published is
    /// counted and dropped.
    private func publishEvents() async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for await event in events.stream {
            do {
                try await redis.publish(String(decoding: try encoder.encode(event), as: UTF8.self), to: LifecycleEvents.channel)
            } catch {
                events.countDropped()
            }
        }
        try Task.checkCancellation()
    }

    /// Runs the seeders; insert-if-absent, so a run cut short by an outage is simply run again.
    private func seed() async {
        let report = await StationSeeder(db: db, sources: settings.seeding, logger: logger).run()
        if report.failedSteps.isEmpty { counters.markSeeded() }
    }

    private func tick() async throws {
        var schemaApplied = false
        var schemaFailing = PersistentCondition<ContinuousClock.Instant>()
        var totals = ControllerMetrics.Totals()
        while true {
            if !schemaApplied {
                do {
                    try await DatabaseSchema.apply(db)
                    schemaApplied = true
                    logger.say(schemaFailing.cleared(now: .now), ended: "schema applied",
                               counted: "failed.attempts")
                } catch {
                    logger.say(schemaFailing.occurred(now: .now), started: "schema not applied yet; retrying on every tick",
                               ongoing: "schema still not applied; retrying on every tick",
                               counted: "failed.attempts", metadata: ["error": "\(error)"])
                }
            }
            if schemaApplied, !counters.seeded { await seed() }
            await inventory.resync()
            await reconciler.reconcile(reason: "tick")
            let readable = await reconciler.lastReadSucceeded
            board.update {
                $0.lastProgress = .now
                $0.databaseReadable = readable
            }
            var byState: [String: Int] = [:]
            for (device, state) in await registry.states() where !device.hasPrefix("worker:") { byState[state.name, default: 0] += 1 }
            metrics.devices(byState: byState)
            metrics.advance(&totals, forwarded: registry.logCounters.forwarded, dropped: registry.logCounters.dropped,
                            backends: ["postgres": await db.statistics, "redis": await redis.statistics])
            try await Task.sleep(for: settings.reconcileInterval)
        }
    }
}

/// Counters shared between the children and status readers.
final class StationCounters: Sendable {
    private let rootSupervisor = Mutex<Supervisor<ContinuousClock>?>(nil)
    var root: Supervisor<ContinuousClock>? { rootSupervisor.withLock { $0 } }
    func setRoot(_ root: Supervisor<ContinuousClock>?) { rootSupervisor.withLock { $0 = root } }
    private let seededFlag = Mutex(false)
    var seeded: Bool { seededFlag.withLock { $0 } }
    func markSeeded() { seededFlag.withLock { $0 = true } }
    private let ignored = Mutex(0)
    var ignoredNudges: Int { ignored.withLock { $0 } }
    func ignoreNudge() { ignored.withLock { $0 += 1 } }
}

import Synchronization
