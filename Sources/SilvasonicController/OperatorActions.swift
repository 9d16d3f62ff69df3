import ControllerCore
package import SilvasonicIO
import SilvasonicPodman
import SilvasonicPostgres

/// What an operator may do with the owned Tier 2 containers, over HTTP or the CLI: list them,
/// read one's status and log, and start, stop or restart one.
///
/// Start and stop change desired state the declarative way, as the web interface does: the
/// device's `enabled` (or the worker's `managed_services.enabled`) in the database, then a
/// nudge. Restart asks the owning actor for a supervised restart. Only containers of this
/// controller's owner label are known; a name is known while its container exists or while the
/// desired state names it (a stopped recorder's container is removed, and it can be started).
package struct OperatorActions: Sendable {
    /// Why an action was refused; each maps to one HTTP status.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// Not a container of this controller (404).
        case notFound(String)
        /// Already in the asked state, or not in one the action needs (409).
        case conflict(String)
        /// A backend did not answer (503), with its cause.
        case unavailable(String)
        /// A backend answered with an error (500), with its cause.
        case failed(String)
        /// Bad input (400).
        case badRequest(String)

        public var description: String {
            switch self {
            case .notFound(let message), .conflict(let message), .unavailable(let message), .failed(let message),
                 .badRequest(let message): message
            }
        }
    }

    /// A container the operator can name.
    package struct Target: Sendable, Equatable {
        public var name: String
        /// `recorder` or a worker's name.
        public var service: String
        /// The device id (recorders) or the service name (workers).
        package var deviceID: String
        /// Podman's id and state, when the container exists.
        package var containerID: String?
        package var podmanState: String?
        public var running: Bool { podmanState == "running" }
    }

    let station: Station

    /// 503 when the backend could not be reached, 500 when it answered with an error.
    static func backend(_ name: String, _ error: any Error) -> Failure {
        let unreachable = switch error {
        case let podman as PodmanError: podman.code == .unreachable
        case let postgres as PostgresError: [.connectionFailed, .connectionClosed, .unavailable].contains(postgres.code)
        default: true
        }
        return unreachable ? .unavailable("\(name): \(error)") : .failed("\(name): \(error)")
    }

    public init(station: Station) {
        self.station = station
    }

    private var owner: String { station.settings.station.owner }

    /// Every owned container, and every one the desired state names but that does not exist.
    package func containers() async throws(Failure) -> [Target] {
        var targets: [String: Target] = [:]
        let owned: [ContainerSummary]
        do { owned = try await station.podman.list(labels: ["io.silvasonic.owner": owner], statuses: []) } catch {
            throw Self.backend("podman", error)
        }
        for container in owned {
            let service = container.labels["io.silvasonic.service"] ?? "unknown"
            targets[container.name] = Target(name: container.name, service: service,
                                             deviceID: container.labels["io.silvasonic.device_id"] ?? container.name,
                                             containerID: container.id, podmanState: container.state)
        }
        // Named by desired state: stopped recorders (their containers are removed) and BirdNET.
        // A database that cannot be read only hides the stopped ones (said so); the running are listed.
        let records: [DeviceRecord]
        do { records = try await DeviceRepository(db: station.db).devices() } catch {
            station.logger.warning("operator API: the database cannot be read; stopped recorders are not listed",
                                   metadata: ["error": "\(error)"])
            records = []
        }
        for record in records {
            guard let workspace = record.row.workspaceName else { continue }
            let name = ContainerNames.recorderContainerName(workspaceName: workspace)
            if targets[name] == nil { targets[name] = Target(name: name, service: "recorder", deviceID: record.row.name) }
        }
        let birdnet = StationSpecs.birdnet(settings: station.settings.station).name
        if targets[birdnet] == nil { targets[birdnet] = Target(name: birdnet, service: "birdnet", deviceID: "birdnet") }
        return targets.values.sorted { $0.name < $1.name }
    }

    /// The container called `name`.
    public func target(_ name: String) async throws(Failure) -> Target {
        guard let target = try await containers().first(where: { $0.name == name }) else {
            throw .notFound("no container \"\(name.prefix(100))\" of this controller (owner \(owner))")
        }
        return target
    }

    /// Podman's view and the owning actor's.
    public func status(_ name: String) async throws(Failure) -> JSONValue {
        let target = try await target(name)
        var status: [String: JSONValue] = [
            "name": .string(target.name), "service": .string(target.service), "device_id": .string(target.deviceID),
            "container_id": target.containerID.map(JSONValue.string) ?? .null,
            "state": .string(target.podmanState ?? "absent"),
        ]
        if let id = target.containerID {
            do {
                let inspection = try await station.podman.inspect(id)
                status["running"] = .bool(inspection.running)
                status["exit_code"] = .int(inspection.exitCode)
                status["started_at"] = .string(inspection.startedAt)
                status["podman_restarts"] = .int(inspection.restartCount)
                status["config_hash"] = inspection.labels["io.silvasonic.config_hash"].map(JSONValue.string) ?? .null
            } catch {
                throw Self.backend("podman", error)
            }
        }
        if let actor = await supervisor(of: target).statuses()[actorKey(of: target)] {
            status["actor"] = [
                "state": .string(actor.stateName), "restarts": .int(actor.restarts),
                "last_failure": actor.lastFailure.map(JSONValue.string) ?? .null,
                "since_s": .double(StatusTree.seconds(actor.since)),
            ]
        }
        return .object(status)
    }

    /// Wants it running: `enabled = true`, then a nudge.
    public func start(_ name: String) async throws(Failure) -> JSONValue {
        let target = try await target(name)
        guard !target.running else { throw .conflict("\(name) is already running") }
        try await setEnabled(true, target)
        return ["name": .string(name), "action": "start", "desired": "enabled"]
    }

    /// Wants it stopped: `enabled = false`, then a nudge.
    public func stop(_ name: String) async throws(Failure) -> JSONValue {
        let target = try await target(name)
        guard target.running else { throw .conflict("\(name) is not running") }
        try await setEnabled(false, target)
        return ["name": .string(name), "action": "stop", "desired": "disabled"]
    }

    /// A supervised restart by the owning actor.
    public func restart(_ name: String) async throws(Failure) -> JSONValue {
        let target = try await target(name)
        guard target.running else { throw .conflict("\(name) is not running; start it instead") }
        guard await supervisor(of: target).restart(actorKey(of: target)) else {
            throw .conflict("\(name) is running but its actor has not adopted it yet; try again in a moment")
        }
        return ["name": .string(name), "action": "restart"]
    }

    /// The supervisor of the target's actor: the devices' for a recorder, the workers' otherwise.
    private func supervisor(of target: Target) -> DeviceSupervisor<ContinuousClock> {
        target.service == "recorder" ? station.tree.devices : station.tree.workers
    }

    /// The key of the target's actor in its supervisor: the device id, or the worker's service.
    private func actorKey(of target: Target) -> String {
        target.service == "recorder" ? target.deviceID : target.service
    }

    /// The last `tail` lines of its log.
    public func logs(_ name: String, tail: Int) async throws(Failure) -> [String] {
        guard (1...10_000).contains(tail) else { throw .badRequest("tail must be a whole number from 1 to 10000") }
        let target = try await target(name)
        guard let id = target.containerID else { throw .conflict("\(name) has no container now (stopped)") }
        do { return try await station.podman.logLines(id, tail: tail).map(\.text) } catch {
            throw Self.backend("podman", error)
        }
    }

    private func setEnabled(_ enabled: Bool, _ target: Target) async throws(Failure) {
        do {
            let rows: PostgresRows
            if target.service == "recorder" {
                rows = try await station.db.query("UPDATE devices SET enabled = $1 WHERE name = $2 RETURNING name",
                                                  [.bool(enabled), .text(target.deviceID)])
            } else {
                rows = try await station.db.query("""
                    INSERT INTO managed_services (name, enabled) VALUES ($2, $1)
                    ON CONFLICT (name) DO UPDATE SET enabled = $1, updated_at = now() RETURNING name
                    """, [.bool(enabled), .text(target.service)])
            }
            guard !rows.isEmpty else { throw Failure.conflict("\(target.name): its device is not in the database") }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Self.backend("database", error)
        }
        // The nudge reaches every controller and the web interface's view; without Redis, this
        // controller reconciles at once anyway.
        do { try await station.redis.publish("reconcile", to: "silvasonic:nudge") } catch {
            await station.reconciler.reconcile(reason: .operator)
        }
    }
}
