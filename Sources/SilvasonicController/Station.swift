package import ControllerCore
import Foundation
package import Logging
import SilvasonicHardware
package import SilvasonicIO
package import SilvasonicPodman
package import SilvasonicPostgres
package import SilvasonicRedis
package import Supervision

/// The controller's supervision tree, built from its settings and run until cancelled.
///
/// ```
/// controller (one-for-one, backoff)
/// ├── devices     DeviceSupervisor: one DeviceActor per device (rest-for-one: container, heartbeat, logs)
/// ├── workers     DeviceSupervisor: one DeviceActor per singleton worker (container)
/// ├── reconciler  Reconciler: its inbox of requests → one run at a time → the actors' desires
/// ├── events      Podman's event stream → the owning DeviceActor; a reconnect makes every actor look again
/// ├── nudges      NudgeActor: SUBSCRIBE silvasonic:nudge → reconcile ("reconcile" only; the rest counted)
/// ├── scanner     ScannerActor: uevents + periodic scan → device rows → reconcile
/// ├── ticker      every SILVASONIC_RECONCILE_INTERVAL_S: retry failed writes, reconcile
/// ├── heartbeat   every SILVASONIC_HEARTBEAT_INTERVAL_S: silvasonic:status:controller
/// ├── publisher   lifecycle events → silvasonic:events, fire-and-forget
/// ├── summary     after the start-up window, a summary every SILVASONIC_CONTROLLER_LOG_SUMMARY_INTERVAL_S
/// ├── systemd     with systemd's notify socket: READY=1, the watchdog fed while live
/// └── http        the caller's (`run`): /healthy, /metrics, /status and the operator API
/// ```
/// The device side is wired by ``DeviceTree`` (as the simulation's is). Every backend reconnects
/// forever; an outage of one never stops a recorder.
package final class Station: Sendable {
    public let settings: ControllerSettings
    public let db: PostgresClient
    public let redis: RedisClient
    public let podman: PodmanClient
    /// The devices' and workers' supervisors, the reconciler and the inventory.
    public let tree: DeviceTree<ContinuousClock>
    public var reconciler: Reconciler<ContinuousClock> { tree.reconciler }
    public var inventory: DeviceInventory<ContinuousClock> { tree.inventory }
    /// What the children record as they work: read by ``health()``.
    package let board: StationBoard
    let logger: Logger
    let counters = StationCounters()
    /// The workspaces' last segment times, read for `status` at most every 10 s.
    let lastSegments = LastSegmentCache()
    let nudges: NudgeActor

    /// Where the controller's counters and gauges go.
    public let metrics: ControllerMetrics
    /// Lifecycle events for `silvasonic:events`.
    public let events = LifecycleEvents()

    /// The level the controller's loggers follow (``LogVerbosity``): lowered to `notice` when
    /// the start-up window ends.
    package let verbosity: LogVerbosity
    /// systemd's notification socket, when systemd started the process with `Type=notify`.
    let systemd: SystemdNotifier?

    /// - Parameters:
    ///   - metrics: made with the factory whose registry `/metrics` serves.
    ///   - verbosity: the level the process's log handlers follow.
    ///   - systemd: with it, a `systemd` child says `READY=1` and feeds the watchdog while the
    ///     controller is live (``SystemdNotifier``).
    public init(settings: ControllerSettings, logger: Logger, metrics: ControllerMetrics = ControllerMetrics(),
                verbosity: LogVerbosity = LogVerbosity(), systemd: SystemdNotifier? = nil) {
        self.verbosity = verbosity
        self.systemd = systemd
        self.metrics = metrics
        self.settings = settings
        self.logger = logger
        let board = StationBoard(logger: logger, progressDeadline: Self.progressDeadline(settings))
        self.board = board
        db = PostgresClient(configuration: settings.postgres)
        redis = RedisClient(configuration: settings.redis)
        podman = PodmanClient(configuration: settings.podman)
        var companions = CompanionSettings(redis: redis)
        companions.heartbeatInterval = settings.recorderHeartbeatInterval
        companions.staleAfter = settings.recorderHeartbeatInterval * 3
        companions.startupGrace = settings.recorderStartupGrace
        let tree = DeviceTree(store: DeviceRepository(db: db), engine: podman, settings: settings.station,
                              policy: settings.recorderPolicy, companions: companions, offlineGrace: settings.offlineGrace,
                              clock: ContinuousClock(), logger: logger, metrics: metrics, events: events,
                              readObserved: { readable in board.update { $0.databaseReadable = readable } })
        self.tree = tree
        nudges = NudgeActor(subscribe: { [redis] in redis.subscribe(to: $0) }, metrics: metrics, logger: logger,
                            subscribed: { up in board.update { $0.redisSubscribed = up } },
                            reconcile: { reason in await tree.reconciler.request(reason) })
    }

    /// Nudges that were not `reconcile`.
    var ignoredNudges: Int {
        get async { await nudges.ignored }
    }

    /// Builds the root supervisor, with the caller's own children (`beside`) last.
    public func supervisor(beside extra: [ChildSpec] = []) throws -> Supervisor<ContinuousClock> {
        try tree.root(
            engineEventsBackoff: settings.reconnectBackoff, observe: observeEngineEvent,
            beside: [
                ChildSpec(id: "nudges") { [nudges] in try await nudges.run() },
                ChildSpec(id: "scanner") { [self] in await scanner().run() },
                ChildSpec(id: "ticker") { [self] in try await tick() },
                ChildSpec(id: "heartbeat") { [self] in try await heartbeat() },
                ChildSpec(id: "publisher") { [self] in try await publishEvents() },
                ChildSpec(id: "summary") { [self] in try await summarize() },
            ] + (systemd.map { notifier in [ChildSpec(id: "systemd") { [self] in try await notifySystemd(notifier) }] } ?? [])
                + extra,
            clock: ContinuousClock())
    }

    /// Runs the tree until the task is cancelled or its root gives up, then applies the
    /// shutdown policy (both ways).
    /// - Parameter beside: children the caller adds at the root's end (`run`'s HTTP server).
    public func run(beside: [ChildSpec] = []) async throws {
        for problem in settings.problems { logger.warning("setting ignored", metadata: ["problem": "\(problem)"]) }
        metrics.declare()
        // Before anything reads the tables; when the database is down, the ticker retries.
        // Seeded before the scanner runs, so a microphone found at start meets its profile.
        do {
            try await DatabaseSchema.apply(db)
            await seed()
        } catch {
            logger.warning("database not reachable at start; carrying on without it", metadata: ["error": "\(error)"])
        }
        let root = try supervisor(beside: beside)
        counters.setRoot(root)
        defer { counters.setRoot(nil) }
        // The root's end runs the shutdown policy however it came: a cancellation, or a root
        // that gave up (its failure is thrown after the policy ran).
        let ended: Result<Void, any Error>
        do {
            try await withTaskCancellationHandler {
                try await root.run()
            } onCancel: {
                Task { await root.shutdown() }
            }
            ended = .success(())
        } catch {
            logger.critical("the controller's root supervisor ended", metadata: ["error": "\(error)"])
            ended = .failure(error)
        }
        await applyShutdownPolicy()
        try ended.get()
    }

    /// Stops every owned Tier 2 container gracefully (`stop-tier2`), all at once (each recorder
    /// takes its time to finish its segment; as many stops run together as the Podman client
    /// has connections), or leaves them running (`detach`).
    func applyShutdownPolicy() async {
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

    /// The live tree as JSON (``StatusTree``): the root's children, each device supervisor
    /// with its device actors (with their rows' model and profile, and their last segment), and
    /// each of those with its own children.
    package func statusTree() async -> JSONValue {
        let root = await counters.root?.whichChildren()
        var (devices, workers) = await tree.statuses()
        let described = await reconciler.descriptions
        for index in devices.indices { devices[index].description = described[devices[index].key] }
        let segments = await lastSegments.newest(in: Set(devices.compactMap { $0.description?.workspace }))
        for index in devices.indices { devices[index].lastSegment = devices[index].description?.workspace.flatMap { segments[$0] } }
        return StatusTree.json(root: root, groups: ["devices": devices, "workers": workers], health: health(),
                               now: Date().timeIntervalSince1970, stoodDown: await reconciler.stoodDown)
    }

    /// Stands the station down (`true`: every recorder and worker stopped, none started, until
    /// resumed; in memory only, so a controller that starts again records again) or resumes it.
    /// For `down --force`, which would otherwise fight a running controller.
    package func standDown(_ on: Bool) async {
        await reconciler.standDown(on)
    }

    /// The controller's health now: the board's facts and the devices' states, judged.
    package func health() -> HealthReport {
        var facts = board.snapshot
        for (device, state) in tree.devices.states() {
            switch state {
            case .running: facts.recording += 1
            case .crashLooping: facts.crashLoopingDevices.append(device)
            default: break
            }
        }
        return HealthReport.judge(facts, now: .now, progressDeadline: progressDeadline)
    }

    /// How long the ticker may go without completing a reconcile before the process is not live.
    package var progressDeadline: Duration { Self.progressDeadline(settings) }

    static func progressDeadline(_ settings: ControllerSettings) -> Duration {
        max(.seconds(30), settings.reconcileInterval * 5)
    }

}

/// Counters shared between the children and status readers.
final class StationCounters: Sendable {
    let rootSupervisor = Mutex<Supervisor<ContinuousClock>?>(nil)
    var root: Supervisor<ContinuousClock>? { rootSupervisor.withLock { $0 } }
    func setRoot(_ root: Supervisor<ContinuousClock>?) { rootSupervisor.withLock { $0 = root } }
    let seededFlag = Mutex(false)
    var seeded: Bool { seededFlag.withLock { $0 } }
    func markSeeded() { seededFlag.withLock { $0 = true } }
}

import Synchronization
