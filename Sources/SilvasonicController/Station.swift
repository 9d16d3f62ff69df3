public import Logging
import SilvasonicHardware
import SilvasonicIO
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
/// └── ticker      every SILVASONIC_RECONCILE_INTERVAL_S: retry failed writes, reconcile
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
    private let logger: Logger
    private let counters = StationCounters()

    public init(settings: ControllerSettings, logger: Logger) {
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
                                  companions: companions, makeLifecycle: { settings.recorderLifecycle() })
        let presence = HardwarePresence()
        let reconciler = Reconciler(repository: repository, registry: registry, engine: podman,
                                    settings: settings.station, logger: logger, presence: presence)
        self.reconciler = reconciler
        inventory = DeviceInventory(repository: repository, clock: ContinuousClock(), grace: settings.offlineGrace,
                                    logger: logger, presence: presence,
                                    onChange: { reason in await reconciler.reconcile(reason: reason) })
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
        try await withTaskCancellationHandler {
            try await root.run()
        } onCancel: {
            Task { await root.shutdown() }
        }
        await registry.shutdown()
        await applyShutdownPolicy()
    }

    /// Stops every owned Tier 2 container gracefully, in reverse name order (`stop-tier2`), or
    /// leaves them running (`detach`).
    public func applyShutdownPolicy() async {
        guard settings.shutdownPolicy == .stopTier2 else {
            logger.info("leaving the recorders running for the next controller (detach)")
            return
        }
        do {
            let owned = try await podman.list(labels: ["io.silvasonic.owner": settings.station.owner, "io.silvasonic.tier": "2"],
                                              statuses: ["running"])
            for container in owned.sorted(by: { $0.name > $1.name }) {
                logger.info("stopping", metadata: ["container.name": "\(container.name)"])
                do { try await podman.stop(container.id, timeoutSeconds: 10) } catch {
                    logger.warning("not stopped", metadata: ["container.name": "\(container.name)", "error": "\(error)"])
                }
            }
        } catch {
            logger.warning("owned containers could not be listed at shutdown", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Children

    private func followEvents() async throws {
        var first = true
        for await event in podman.followEvents(labels: ["io.silvasonic.owner": settings.station.owner]) {
            switch event {
            case .subscribed:
                if !first {
                    logger.info("Podman's event stream is back; looking at every recorder again")
                    await registry.engineReconnected()
                    await reconciler.reconcile(reason: "podman reconnected")
                }
                first = false
            case .element(let container):
                await registry.route(container)
            case .interrupted(let error, let retryIn):
                logger.warning("Podman's event stream interrupted", metadata: ["error": "\(error)", "retry.in": "\(retryIn)"])
            }
        }
        try Task.checkCancellation()
    }

    private func followNudges() async throws {
        var first = true
        for await event in redis.subscribe(to: ["silvasonic:nudge"]) {
            switch event {
            case .subscribed:
                if !first { logger.info("nudge channel subscribed again") }
                first = false
                // Nudges sent while unsubscribed are lost: a reconcile stands in for them.
                await reconciler.reconcile(reason: "nudge channel subscribed")
            case .element(let message):
                if message.text == "reconcile" {
                    await reconciler.reconcile(reason: "nudge")
                } else {
                    counters.ignoreNudge()
                    logger.debug("nudge ignored", metadata: ["payload": "\(message.text.prefix(80))"])
                }
            case .interrupted(let error, let retryIn):
                logger.warning("nudge channel interrupted", metadata: ["error": "\(error)", "retry.in": "\(retryIn)"])
            }
        }
        try Task.checkCancellation()
    }

    private func scan() async {
        let roots = settings.hardwareRoots
        let monitor = HardwareMonitor(scanner: DeviceScanner(roots: roots), interval: settings.scanInterval,
                                      clock: ContinuousClock(), logger: logger)
        // Kernel uevents describe the real machine: with a fixture tree only the periodic scan runs.
        let uevents: AsyncStream<UEvent>? = roots.isLive ? nil : AsyncStream { $0.finish() }
        await monitor.run(uevents: uevents) { [inventory] update in await inventory.handle(update) }
    }

    /// Runs the seeders; insert-if-absent, so a run cut short by an outage is simply run again.
    private func seed() async {
        let report = await StationSeeder(db: db, sources: settings.seeding, logger: logger).run()
        if report.failedSteps.isEmpty { counters.markSeeded() }
    }

    private func tick() async throws {
        var schemaApplied = false
        while true {
            if !schemaApplied {
                do {
                    try await DatabaseSchema.apply(db)
                    schemaApplied = true
                } catch {
                    logger.warning("schema not applied yet; retrying", metadata: ["error": "\(error)"])
                }
            }
            if schemaApplied, !counters.seeded { await seed() }
            await inventory.resync()
            await reconciler.reconcile(reason: "tick")
            try await Task.sleep(for: settings.reconcileInterval)
        }
    }
}

/// Counters shared between the children and status readers.
final class StationCounters: Sendable {
    private let seededFlag = Mutex(false)
    var seeded: Bool { seededFlag.withLock { $0 } }
    func markSeeded() { seededFlag.withLock { $0 = true } }
    private let ignored = Mutex(0)
    var ignoredNudges: Int { ignored.withLock { $0 } }
    func ignoreNudge() { ignored.withLock { $0 += 1 } }
}

import Synchronization
