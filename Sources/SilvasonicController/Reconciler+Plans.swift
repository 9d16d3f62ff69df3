import ControllerCore
import Logging
import SilvasonicPodman

/// How a run's rows become the actors' desires: the plan (with the specs of earlier runs while
/// their inputs are the same), the decisions that changed handed over, the hashes that let a
/// quiet periodic run skip its plan, and the sweep of orphaned recorders.
extension Reconciler {
    /// Plans `records` of `names` without the limit, against the view's workspace names; `nil`
    /// when the devices that would then record pass `limit`. (A function of its own, so the
    /// view's sets it reads are let go before the caller changes them in place.)
    func planAlone(_ records: [DeviceRecord], names: Set<String>, limit: Int?)
        -> (plan: Reconciliation.Plan, recording: Set<String>)? {
        guard let taken = view?.taken, let before = view?.recording else { return nil }
        let plan = makePlan(records, maxRecorders: nil, running: [], takenByOthers: taken, keepCache: true)
        let wanted = Self.recording(plan)
        let leaving = names.filter { before.contains($0) && !wanted.contains($0) }.count
        let joining = wanted.filter { !before.contains($0) }.count
        if let limit, limit >= 0, before.count - leaving + joining > limit { return nil }
        return (plan, wanted)
    }

    /// Decides `records` (``Reconciliation/plan(_:settings:system:running:takenByOthers:recorderSpec:)``)
    /// with the specs of earlier runs while their inputs are the same; keeps only the specs used
    /// unless `keepCache` (a plan of some devices keeps the others').
    func makePlan(_ records: [DeviceRecord], maxRecorders: Int?, running: Set<String>,
                          takenByOthers: Set<String> = [], keepCache: Bool = false) -> Reconciliation.Plan {
        let devices = records.map { record in
            var profile: RecorderProfileConfig?
            var problem: String?
            if let config = record.profileConfig {
                do { profile = try ProfileConfigDecoding.decode(config) } catch {
                    problem = "profile \(record.row.profileSlug ?? "?"): \(error)"
                }
            }
            return Reconciliation.Device(row: record.row, profile: profile, profileProblem: problem)
        }
        let cached = specCache
        var used: [Reconciliation.SpecKey: Tier2Spec] = [:]
        // Each profile's JSON is rendered once: the devices of one profile share the string.
        var rendered: [RecorderProfileConfig: String] = [:]
        let settings = self.settings
        let plan = Reconciliation.plan(devices, settings: settings, system: maxRecorders, running: running,
                                       takenByOthers: takenByOthers) { key in
            let spec = cached[key] ?? {
                let json = rendered[key.profile] ?? key.profile.recorderEnvironmentValue
                rendered[key.profile] = json
                return StationSpecs.recorder(device: key.device, profileSlug: key.profileSlug, profile: key.profile,
                                             settings: settings, profileEnvironment: json)
            }()
            used[key] = spec
            return spec
        }
        if keepCache {
            specCache.merge(used) { $1 }
        } else {
            specCache = used
        }
        return plan
    }

    /// Stores the plan's workspace names and hands the actors the decisions that changed: of
    /// every device, or `only` these (the rest keep theirs). `false` when a workspace name
    /// could not be stored (the next run plans again).
    func carryOut(_ plan: Reconciliation.Plan, only: Set<String>? = nil) async -> Bool {
        var plan = plan
        if stoodDown {
            // A device not plugged in stays idle as it is (it needs no node to stand down).
            for (device, decision) in plan.decisions {
                if case .idle(let reason) = decision, !reason.deviceIsPresent { continue }
                plan.decisions[device] = .idle(.stoodDown)
            }
        }
        var stored = true
        for (device, name) in plan.workspaceNames {
            do { try await repository.setWorkspaceName(device: device, to: name) } catch {
                stored = false
                logger.warning("workspace name not stored", metadata: ["device.id": "\(device)", "error": "\(error)"])
            }
        }
        var changed = plan.decisions.filter { applied[$0.key] != $0.value }
        if let only {
            for name in only { applied[name] = plan.decisions[name] }
        } else {
            // A row deleted since the last full run: its device's node stops its recorder and
            // goes, unless the device is plugged in (its row is written again; the recorder
            // records on meanwhile).
            let present = presence?.present ?? []
            for device in applied.keys where plan.decisions[device] == nil && !present.contains(device) {
                changed[device] = .idle(.rowDeleted)
            }
            applied = plan.decisions
        }
        await devices.apply(Reconciliation.Plan(decisions: changed))
        return stored
    }

    /// Keeps what `status` shows of each of `records` (``descriptions``).
    func describe(_ records: [DeviceRecord], _ plan: Reconciliation.Plan) {
        for record in records {
            descriptions[record.row.name] = DeviceDescription(record.row, workspaceName: plan.workspaceNames[record.row.name],
                                                              settings: settings)
        }
    }

    /// Devices a plan lets record (a `.keep` holds its place: it would record but for its profile).
    static func recording(_ plan: Reconciliation.Plan) -> Set<String> {
        Set(plan.decisions.compactMap { device, decision in
            if case .idle = decision { return nil }
            return device
        })
    }

    /// Hashes of device records for the skip check: each row with its profile's config, the
    /// config hashed once per profile (thousands of rows share a handful of profiles).
    struct RecordHashing {
        private var profiles: [String: Int] = [:]

        /// The record's hash; with `storedWorkspace`, as if its row held that workspace name.
        mutating func hash(_ record: DeviceRecord, storedWorkspace: String? = nil) -> Int {
            var row = record.row
            if let storedWorkspace { row.workspaceName = storedWorkspace }
            var hasher = Hasher()
            hasher.combine(row)
            if let slug = row.profileSlug {
                if let known = profiles[slug] {
                    hasher.combine(known)
                } else {
                    let profile = record.profileConfig.hashValue
                    profiles[slug] = profile
                    hasher.combine(profile)
                }
            } else {
                hasher.combine(record.profileConfig)
            }
            return hasher.finalize()
        }
    }

    /// A hash of a reconcile's inputs: the rows (as the sum of their hashes), the system
    /// settings and the running devices.
    static func inputs(recordSum: Int, count: Int, system: SystemSettings, running: Set<String>) -> Int {
        var hasher = Hasher()
        hasher.combine(recordSum)
        hasher.combine(count)
        hasher.combine(system)
        hasher.combine(running)
        return hasher.finalize()
    }

    /// Every planned device's workspace name, new or stored.
    static func workspaces(_ records: [DeviceRecord], _ plan: Reconciliation.Plan) -> Set<String> {
        Set(records.compactMap { plan.workspaceNames[$0.row.name] ?? $0.row.workspaceName })
    }

    /// Owned recorders of devices neither the database nor the hardware knows: stopped and
    /// removed. Recorders of known devices are left to their device's actor (one is made for a
    /// device that has none).
    func stopOrphans(known: Set<String>) async {
        let owned: [ContainerSummary]
        do {
            owned = try await engine.list(labels: ["io.silvasonic.owner": settings.owner, "io.silvasonic.service": "recorder"],
                                          statuses: [])
        } catch {
            return
        }
        for container in owned {
            // A device with a node is its node's business (a deleted row's stops its recorder).
            guard let device = container.labels["io.silvasonic.device_id"], devices.device(device) == nil else { continue }
            if known.contains(device) {
                // A known device's container with no node (its node retired, and the container
                // came back): a node with the device's decision takes it in hand.
                if let decision = applied[device] { await devices.ensureNode(device, decision) }
                continue
            }
            logger.info("stopping the container", metadata: [
                "container.name": "\(container.name)", "device.id": "\(device)", "reason": "\(StopReason.orphan)",
            ])
            events?.emit(.orphanStopping(containerID: container.id, deviceID: device))
            do {
                try await engine.stop(container.id, timeoutSeconds: 10)
                try await engine.remove(container.id, force: true)
            } catch {
                logger.warning("orphan not stopped", metadata: ["container.name": "\(container.name)", "error": "\(error)"])
            }
        }
    }
}
