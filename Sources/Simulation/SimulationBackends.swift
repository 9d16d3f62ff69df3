public import ControllerCore
import Foundation
import InMemoryBackends
package import Logging
public import SilvasonicController
public import SilvasonicPodman
package import SilvasonicPostgres
import SilvasonicRedis

/// What the simulated station runs on: the container engine, the desired-state store and, for
/// the recorders' heartbeat watch and log forwarding, Redis — in memory (thousands of devices)
/// or the real PostgreSQL, Redis and Podman (a few, with the test recorder image).
public protocol SimulationBackends: Sendable {
    /// The engine the tree uses (timed by the station).
    var engine: any ContainerEngine { get }
    var store: any DeviceStore { get }
    /// What the recorder actors run beside each recorder (`redis: nil`: nothing).
    var companions: CompanionSettings { get }
    /// The station's owner label and the settings recorder specs are built from.
    var settings: StationSettings { get }
    /// A one-line description for the report.
    var name: String { get }
    /// Makes the backends ready for `devices` recorders: schema, profiles, no leftovers of an
    /// earlier run.
    func prepare(devices: Int) async throws
    /// Recorders of this station running now.
    func runningCount() async throws -> Int
    /// Makes a running recorder die in a way the engine's own restart policy leaves to the
    /// controller (a kill through the API), so that the controller's restart is measured.
    func crash(_ containerID: String) async throws
    /// An outage of the database and the engine (`false`) or its end; `false` when these
    /// backends cannot be made unreachable.
    func setReachable(_ reachable: Bool) async -> Bool
    /// Beats for every running recorder, as the recorders themselves would (a no-op where real
    /// recorders beat): without it every heartbeat watch would judge its recorder lost once
    /// the start-up grace is over.
    func beat() async
    /// Removes what the run created.
    func cleanUp() async
}

/// The in-memory engine, store and Redis: no I/O, so the figures are the controller's alone.
public struct InMemorySimulationBackends: SimulationBackends {
    let memoryEngine: InMemoryContainerEngine
    let memoryStore: InMemoryDeviceStore
    /// Where the recorders' heartbeat watches read and their log followers publish; `nil` when
    /// the run leaves them out (`SimulationOptions.companions`).
    let memoryRedis: InMemoryRedis<ContinuousClock>?
    public let settings: StationSettings
    public var engine: any ContainerEngine { memoryEngine }
    public var store: any DeviceStore { memoryStore }
    public var companions: CompanionSettings { CompanionSettings(redis: memoryRedis) }
    public var name: String {
        memoryRedis == nil ? "in-memory engine and store, no heartbeat watch or log follower" : "in-memory engine, store and Redis"
    }

    public init(options: SimulationOptions, workspace: String) {
        memoryEngine = InMemoryContainerEngine(recordsCalls: false, latency: options.engineLatency,
                                               failureRate: options.failureRate, seed: options.seed)
        memoryStore = InMemoryDeviceStore(profiles: SimulatedHardware.profiles)
        memoryRedis = options.companions ? InMemoryRedis(clock: ContinuousClock()) : nil
        var settings = StationSettings()
        settings.owner = "simulation"
        settings.workspacePath = workspace
        self.settings = settings
    }

    public func prepare(devices: Int) async throws {}
    public func runningCount() async -> Int { await memoryEngine.runningCount }
    public func crash(_ containerID: String) async throws { try await memoryEngine.kill(containerID, signal: "KILL") }

    public func setReachable(_ reachable: Bool) async -> Bool {
        await memoryStore.setReachable(reachable)
        await memoryEngine.setReachable(reachable)
        return true
    }

    public func cleanUp() async {}

    public func beat() async {
        // During a simulated outage the engine and Redis refuse: no beats then, as a recorder's
        // would not arrive either.
        guard let memoryRedis,
              let running = try? await memoryEngine.list(labels: ["io.silvasonic.owner": settings.owner,
                                                                  "io.silvasonic.service": "recorder"], statuses: ["running"])
        else { return }
        let now = Date().timeIntervalSince1970
        for container in running {
            guard let device = container.labels["io.silvasonic.device_id"] else { continue }
            let beat = #"{"timestamp":\#(now),"health":{"status":"ok"},"service":"recorder"}"#
            _ = try? await memoryRedis.set("silvasonic:status:" + device, beat, expiresInSeconds: 30)
        }
    }
}

/// The station's real backends, from the same settings `silvasonic-controller run` reads:
/// PostgreSQL (schema applied, profiles seeded), Redis (recorders beat into it; the heartbeat
/// watch and log forwarding run) and Podman with the recorder image the settings name.
///
/// Only the simulation's own rows (serials `SIM…`) and containers (its owner label) are
/// removed before and after a run; point it at a scratch stack such as `deploy/dev/services.sh`'s.
package struct RealSimulationBackends: SimulationBackends {
    let controllerSettings: ControllerSettings
    public let db: PostgresClient
    public let podman: PodmanClient
    public let companions: CompanionSettings
    private let logger: Logger
    public var settings: StationSettings { controllerSettings.station }
    public var engine: any ContainerEngine { podman }
    public var store: any DeviceStore { DeviceRepository(db: db) }
    public var name: String { "PostgreSQL, Redis and Podman (\(controllerSettings.station.recorderImage))" }

    public init(settings: ControllerSettings, logger: Logger) {
        controllerSettings = settings
        self.logger = logger
        db = PostgresClient(configuration: settings.postgres)
        podman = PodmanClient(configuration: settings.podman)
        var companions = CompanionSettings(redis: RedisClient(configuration: settings.redis))
        companions.heartbeatInterval = settings.recorderHeartbeatInterval
        companions.staleAfter = settings.recorderHeartbeatInterval * 3
        companions.startupGrace = settings.recorderStartupGrace
        self.companions = companions
    }

    public func prepare(devices: Int) async throws {
        try await DatabaseSchema.apply(db)
        let report = await StationSeeder(db: db, sources: controllerSettings.seeding, logger: logger).run()
        guard report.failedSteps.isEmpty else {
            throw SimulationSetupError(reason: "seeding failed (\(report.failedSteps.joined(separator: ", "))); "
                                       + "is SILVASONIC_PROFILES_DIR the repository's profiles/?")
        }
        if let limit = try await DeviceRepository(db: db).systemSettings().maxRecorders, limit >= 0, limit < devices {
            throw SimulationSetupError(reason: "system_config's max_recorders is \(limit), the run needs \(devices) recorders: "
                                       + "set it to null on this scratch database (an overrides file with "
                                       + "system_config.system.max_recorders: null before the first seeding, as "
                                       + "Benchmarks/real-backends.sh does)")
        }
        await cleanUp()
    }

    public func runningCount() async throws -> Int {
        try await podman.list(labels: ["io.silvasonic.owner": settings.owner, "io.silvasonic.service": "recorder"],
                              statuses: ["running"]).count
    }

    public func crash(_ containerID: String) async throws { try await podman.kill(containerID, signal: "KILL") }

    public func setReachable(_ reachable: Bool) async -> Bool { false }

    public func beat() async {}

    public func cleanUp() async {
        do {
            let owned = try await podman.list(labels: ["io.silvasonic.owner": settings.owner, "io.silvasonic.service": "recorder"],
                                              statuses: [])
            for container in owned where container.labels["io.silvasonic.device_id"]?.contains("-SIM") == true {
                do { try await podman.remove(container.id, force: true) } catch {
                    logger.warning("simulated recorder not removed", metadata: ["container.name": "\(container.name)", "error": "\(error)"])
                }
            }
        } catch {
            logger.warning("simulated recorders not listed, so not removed", metadata: ["error": "\(error)"])
        }
        do { _ = try await db.query("DELETE FROM devices WHERE serial_number LIKE 'SIM%'") } catch {
            logger.warning("simulated device rows not removed", metadata: ["error": "\(error)"])
        }
    }
}

/// The backends cannot be used for a run.
package struct SimulationSetupError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}
