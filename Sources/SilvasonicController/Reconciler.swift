public import ControllerCore
public import Logging
import SilvasonicIO
public import SilvasonicPodman

/// Reads the desired state in one query and tells every device what to run; stops owned
/// recorders no device wants. Level-triggered: asked on every nudge, device change and periodic
/// tick, run in its own loop (``run()``, the root's `reconciler` child) with a request during a
/// run coalesced into one more run after it. If reading the desired state fails, nothing is
/// stopped (fail static).
public actor Reconciler<C: Clock<Duration>> {
    private let repository: any DeviceStore
    private let devices: DeviceSupervisor<C>
    private let workers: DeviceSupervisor<C>
    private let engine: any ContainerEngine
    private let settings: StationSettings
    private let logger: Logger
    private let presence: HardwarePresence?
    private let metrics: ControllerMetrics
    private let events: LifecycleEvents?
    /// Told the outcome of every read of the desired state, as it happens (``StationBoard``).
    private let readObserved: (@Sendable (_ readable: Bool) -> Void)?
    /// Where requests wake the loop (``run()``), while it runs.
    private var inbox: AsyncStream<Void>.Continuation?
    private enum Loop { case notStarted, running, ended }
    private var loop = Loop.notStarted
    /// Runs begun so far; a caller waits for the run numbered one more than this at its request.
    private var runsBegun = 0
    private var inRun = false
    private var waiters: [(run: Int, continuation: CheckedContinuation<Void, Never>)] = []
    /// The database's unreadability, said once, summarised, and said again when it ends.
    private var unreadable = PersistentCondition<ContinuousClock.Instant>()
    /// The system settings' problems last said: each said once, and said again when fixed.
    private var systemProblems: [String] = []
    /// The reason a coalesced rerun carries: any request's that is not the periodic tick.
    private var pendingReason: ReconcileReason?
    private var specCache: [Reconciliation.SpecKey: Tier2Spec] = [:]
    /// The decisions last handed to the actors: an unchanged one is not handed again (the
    /// actor still holds it), so a periodic reconcile of a quiet station costs one read.
    private var applied: [String: Reconciliation.Decision] = [:]
    /// Periodic runs since the last orphan sweep (a sweep lists every owned container).
    private var ticksSinceSweep = 29   // the first periodic run sweeps
    /// A hash of the desired state whose plan last went through, and the rows' hashes and their
    /// sum it was made from (kept up by runs of some devices).
    private var plannedInputs: Int?
    private var recordHashes: [String: Int] = [:]
    private var recordSum = 0
    private var pending = false
    /// Records an inventory handed over as it wrote them, and the system settings read with
    /// them (``reconcile(_:)``): taken by the next run.
    private var handedRecords: [String: DeviceRecord] = [:]
    private var handedSystem: SystemSettings?
    /// Devices asked to be reconciled alone, and the reason of the first request.
    private var pendingDevices: Set<String> = []
    private var pendingDevicesReason: ReconcileReason?
    /// What the last fully planned run saw of the devices a run of some devices alone does not
    /// read again (kept up by those runs): the system settings, the workspace names in use, the
    /// devices that record, and whether `max_recorders` kept any from recording.
    private struct View {
        var system: SystemSettings
        var taken: Set<String>
        var recording: Set<String>
        var limited: Bool
    }
    private var view: View?
    /// Completed reconciles, and the ones that failed to read the database.
    public private(set) var completedRuns = 0
    public private(set) var failedRuns = 0
    /// Whether the last run read the desired state; `nil` before the first.
    public private(set) var lastReadSucceeded: Bool?
    /// Each device's model, profile and workspace, as the last planned run read its row (for
    /// `status`; a run that finds the rows unchanged keeps them).
    public private(set) var descriptions: [String: DeviceDescription] = [:]
    /// Whether an operator asked the controller to stand down: every device and worker is told
    /// to run nothing (``IdleReason/stoodDown``) until ``standDown(_:)`` is called with `false`.
    /// Kept in memory only: a controller that starts again records again.
    public private(set) var stoodDown = false

    /// - Parameter presence: the hardware scan's devices; a recorder of a device present there
    ///   is never an orphan, and before the first scan no recorder is. `nil`: the database alone
    ///   decides (for a controller without hardware, such as a simulation).
    /// - Parameter readObserved: told whether each read of the desired state succeeded, before
    ///   its plan is carried out (the database's health turns at its first read).
    public init(repository: any DeviceStore, devices: DeviceSupervisor<C>, workers: DeviceSupervisor<C>, engine: any ContainerEngine,
                settings: StationSettings, logger: Logger, presence: HardwarePresence? = nil,
                metrics: ControllerMetrics = ControllerMetrics(), events: LifecycleEvents? = nil,
                readObserved: (@Sendable (_ readable: Bool) -> Void)? = nil) {
        self.readObserved = readObserved
        self.events = events
        self.presence = presence
        self.metrics = metrics
        self.repository = repository
        self.devices = devices
        self.workers = workers
        self.engine = engine
        self.settings = settings
        self.logger = logger
    }

    /// Stands the controller down (`true`: every recorder and worker is stopped and none is
    /// started) or resumes it (`false`), and reconciles at once; returns when each actor has
    /// taken its new desire in (its container stops in its own time).
    package func standDown(_ on: Bool) async {
        guard stoodDown != on else { return }
        stoodDown = on
        if on {
            logger.notice("stood down by an operator: every recorder and worker is stopped until resumed or the controller restarts")
        } else {
            logger.notice("resumed by an operator: the desired state is carried out again")
        }
        await reconcile(reason: .operator)
    }

    // MARK: The inbox

    /// Runs the reconciler's own loop until cancelled: the requests in its inbox, one run at a
    /// time, those that arrive during a run coalesced into one more run after it. The `reconciler`
    /// child of the root (``DeviceTree/children(engineEventsBackoff:observe:)``): every reconcile
    /// runs here, never in a caller's task.
    public func run() async throws {
        let (stream, inbox) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.inbox = inbox
        loop = .running
        defer {
            self.inbox = nil
            loop = .ended
            // The callers still waiting are let go: the tree is stopping (or restarts this loop,
            // which serves the requests still pending).
            let waiting = waiters
            waiters = []
            for waiter in waiting { waiter.continuation.resume() }
        }
        if hasWork { inbox.yield() }
        for await _ in stream {
            while hasWork && !Task.isCancelled { await runOnce() }
        }
        throw CancellationError()
    }

    /// Asks for a reconcile and returns at once: it runs in the reconciler's loop, coalesced
    /// with the requests around it (``reconcile(reason:)`` waits for it).
    public func request(_ reason: ReconcileReason) {
        pending = true
        // A request something made outranks a periodic one: the rerun carries its reason.
        if !reason.isPeriodic || pendingReason == nil { pendingReason = reason }
        inbox?.yield()
    }

    /// Asks for a reconcile of `devices` alone and returns at once (see ``reconcile(reason:devices:)``).
    public func request(_ reason: ReconcileReason, devices: Set<String>) {
        guard !devices.isEmpty else { return }
        pendingDevices.formUnion(devices)
        if pendingDevicesReason == nil { pendingDevicesReason = reason }
        inbox?.yield()
    }

    /// Asks for a reconcile of the devices whose rows an inventory just wrote, handing it the
    /// records as written: a run of those devices alone then reads nothing (a plug costs the
    /// inventory's two round trips and the workspace name's write). Returns once it ran.
    public func reconcile(_ written: RowsWritten) async {
        guard !written.devices.isEmpty else { return }
        handedRecords.merge(written.records) { $1 }
        // A device written again without its record is read again.
        for device in written.devices where written.records[device] == nil { handedRecords[device] = nil }
        if let system = written.system { handedSystem = system }
        request(written.reason, devices: written.devices)
        await served()
    }

    /// Asks for a reconcile and returns once a run that began after the request has ended (or
    /// the reconciler's loop stopped).
    public func reconcile(reason: ReconcileReason) async {
        request(reason)
        await served()
    }

    /// Reconciles only `devices`, whose rows just changed (a microphone plugged, or gone past
    /// its grace): their rows alone are read and planned, so one event costs the same with
    /// 10 or 10,000 devices. Falls back to a full run before the first one and while a
    /// `max_recorders` limit makes devices depend on each other. Returns once it ran.
    public func reconcile(reason: ReconcileReason, devices: Set<String>) async {
        guard !devices.isEmpty else { return }
        request(reason, devices: devices)
        await served()
    }

    /// Waits for the run after the requests made so far: the next one to begin.
    private func served() async {
        guard loop != .ended else { return }
        let run = runsBegun + 1
        await withCheckedContinuation { waiters.append((run, $0)) }
    }

    /// Returns once nothing is asked for and no run runs (or the loop stopped).
    package func settled() async {
        while (hasWork || inRun) && loop != .ended {
            let run = hasWork ? runsBegun + 1 : runsBegun
            await withCheckedContinuation { waiters.append((run, $0)) }
        }
    }

    private var hasWork: Bool { pending || !pendingDevices.isEmpty }

    /// One run of what was asked for: a full one when any request wants it, else the devices'.
    private func runOnce() async {
        runsBegun += 1
        inRun = true
        defer { inRun = false }
        let started = ContinuousClock.now
        let reason: ReconcileReason
        if pending {
            reason = pendingReason ?? .tick
            pending = false
            pendingReason = nil
            // The full run reads every row: the devices asked for are among them.
            pendingDevices = []
            pendingDevicesReason = nil
            handedRecords = [:]
            handedSystem = nil
            await reconcileOnce(reason: reason)
        } else {
            let devices = pendingDevices
            reason = pendingDevicesReason ?? .hardware
            pendingDevices = []
            pendingDevicesReason = nil
            await reconcileDevices(devices, reason: reason)
        }
        let duration = started.duration(to: .now)
        metrics.reconciled(readDatabase: lastReadSucceeded == true, duration: duration)
        // The periodic ticks would flood the channel: only reconciles something asked for.
        if !reason.isPeriodic {
            events?.emit(.reconcile(reason: reason, readDatabase: lastReadSucceeded == true, duration: duration))
        }
        let ended = runsBegun
        var still: [(run: Int, continuation: CheckedContinuation<Void, Never>)] = []
        for waiter in waiters {
            if waiter.run <= ended { waiter.continuation.resume() } else { still.append(waiter) }
        }
        waiters = still
    }

    /// Reads and plans only `names`, against the last full run's view of the others (their
    /// workspace names, which record); anything that makes that view unsafe — other system
    /// settings, a `max_recorders` limit that binds or would — runs the full reconcile instead.
    private func reconcileDevices(_ names: Set<String>, reason: ReconcileReason) async {
        // Read through `self.view` (no local copy), so its sets stay uniquely held and change in place.
        let handed = handedRecords, handedSystem = self.handedSystem
        self.handedRecords = [:]
        self.handedSystem = nil
        guard let known = view?.system, view?.limited == false else { return await reconcileOnce(reason: reason) }
        var records: [DeviceRecord] = []
        var system = handedSystem ?? known
        for name in names {
            guard let record = handed[name] else { records = []; break }
            records.append(record)
        }
        // Every record handed over as written (the system settings as read with them, or as the
        // last full run read them): nothing to read. Else the rows and settings are read.
        if records.count != names.count {
            do {
                records = try await repository.devices(named: names)
                system = try await repository.systemSettings()
            } catch {
                return readFailed(reason: reason, error: error)
            }
        }
        guard system == known, let (plan, wanted) = planAlone(records, names: names, limit: system.maxRecorders) else {
            return await reconcileOnce(reason: reason)
        }
        readSucceeded()
        note(system)
        let stored = await carryOut(plan, only: names)
        for record in records {
            guard let new = plan.workspaceNames[record.row.name] else { continue }
            if let old = record.row.workspaceName { self.view?.taken.remove(old) }
            self.view?.taken.insert(new)
        }
        for name in names {
            if wanted.contains(name) { self.view?.recording.insert(name) } else { self.view?.recording.remove(name) }
            descriptions[name] = nil
        }
        describe(records, plan)
        // The planned inputs' hash follows the rows as now stored, so the next periodic run skips
        // its plan as before (under a limit the running set is part of it: that run plans in full).
        var hashes = recordHashes
        recordHashes = [:]
        for name in names { if let old = hashes.removeValue(forKey: name) { recordSum &-= old } }
        var hashing = RecordHashing()
        for record in records {
            let hash = hashing.hash(record, storedWorkspace: plan.workspaceNames[record.row.name])
            hashes[record.row.name] = hash
            recordSum &+= hash
        }
        recordHashes = hashes
        plannedInputs = plannedInputs != nil && stored && system.maxRecorders == nil
            ? Self.inputs(recordSum: recordSum, count: hashes.count, system: system, running: []) : nil
        completedRuns += 1
        logger.debug("reconciled", metadata: ["reason": "\(reason)", "devices": "\(names.count)"])
    }

    /// A run that could not read the desired state: counted, and said once (then summarised
    /// once a minute); nothing changes (fail static).
    private func readFailed(reason: ReconcileReason, error: any Error) {
        failedRuns += 1
        lastReadSucceeded = false
        readObserved?(false)
        logger.say(unreadable.occurred(now: .now),
                   started: "desired state unreadable; every recorder keeps running as it is",
                   ongoing: "desired state still unreadable; every recorder keeps running as it is",
                   counted: "failed.reads",
                   metadata: ["reason": "\(reason)", "error": "\(error)"])
    }

    /// Says the system settings' problems when they change: each new one once, and when all are fixed.
    private func note(_ system: SystemSettings) {
        guard system.problems != systemProblems else { return }
        for problem in system.problems where !systemProblems.contains(problem) {
            logger.warning("system setting of the wrong type", metadata: ["problem": "\(problem)"])
        }
        if system.problems.isEmpty { logger.notice("system settings readable again", metadata: ["was": "\(systemProblems)"]) }
        systemProblems = system.problems
    }

    /// The desired state was read; an unreadable spell before it is said to be over.
    private func readSucceeded() {
        lastReadSucceeded = true
        readObserved?(true)
        logger.say(unreadable.cleared(now: .now), ended: "desired state readable again",
                   counted: "failed.reads")
    }

    /// Plans `records` of `names` without the limit, against the view's workspace names; `nil`
    /// when the devices that would then record pass `limit`. (A function of its own, so the
    /// view's sets it reads are let go before the caller changes them in place.)
    private func planAlone(_ records: [DeviceRecord], names: Set<String>, limit: Int?)
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
    private func makePlan(_ records: [DeviceRecord], maxRecorders: Int?, running: Set<String>,
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
    private func carryOut(_ plan: Reconciliation.Plan, only: Set<String>? = nil) async -> Bool {
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
    private func describe(_ records: [DeviceRecord], _ plan: Reconciliation.Plan) {
        for record in records {
            descriptions[record.row.name] = DeviceDescription(record.row, workspaceName: plan.workspaceNames[record.row.name],
                                                              settings: settings)
        }
    }

    /// Devices a plan lets record (a `.keep` holds its place: it would record but for its profile).
    private static func recording(_ plan: Reconciliation.Plan) -> Set<String> {
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
    private static func inputs(recordSum: Int, count: Int, system: SystemSettings, running: Set<String>) -> Int {
        var hasher = Hasher()
        hasher.combine(recordSum)
        hasher.combine(count)
        hasher.combine(system)
        hasher.combine(running)
        return hasher.finalize()
    }

    /// Every planned device's workspace name, new or stored.
    private static func workspaces(_ records: [DeviceRecord], _ plan: Reconciliation.Plan) -> Set<String> {
        Set(records.compactMap { plan.workspaceNames[$0.row.name] ?? $0.row.workspaceName })
    }

    private func reconcileOnce(reason: ReconcileReason) async {
        let records: [DeviceRecord]
        let system: SystemSettings
        let services: Set<String>
        do {
            records = try await repository.devices()
            system = try await repository.systemSettings()
            services = try await repository.enabledServices()
        } catch {
            return readFailed(reason: reason, error: error)
        }
        readSucceeded()
        note(system)
        // Only a recorder limit needs to know which run now (they keep their places).
        let running = system.maxRecorders == nil ? [] : devices.runningDevices()
        // Rows hashed one by one and summed, so that a run of some devices can update the sum.
        var hashing = RecordHashing()
        var sum = 0
        for record in records { sum &+= hashing.hash(record) }
        let inputs = Self.inputs(recordSum: sum, count: records.count, system: system, running: running)
        // A periodic run over the very inputs whose plan went through last time would make the
        // same plan: skipped. Anything something asked for is planned in full.
        if !reason.isPeriodic || inputs != plannedInputs {
            let plan = makePlan(records, maxRecorders: system.maxRecorders, running: running)
            let stored = await carryOut(plan)
            // Hashed as the rows are now stored (the workspace names just written), so the next
            // periodic run finds them unchanged.
            var hashes: [String: Int] = [:]
            hashes.reserveCapacity(records.count)
            sum = 0
            for record in records {
                let hash = hashing.hash(record, storedWorkspace: plan.workspaceNames[record.row.name])
                hashes[record.row.name] = hash
                sum &+= hash
            }
            recordSum = sum
            recordHashes = hashes
            plannedInputs = stored ? Self.inputs(recordSum: sum, count: records.count, system: system, running: running) : nil
            view = View(system: system, taken: Self.workspaces(records, plan), recording: Self.recording(plan),
                        limited: plan.limited)
            descriptions = [:]
            descriptions.reserveCapacity(records.count)
            describe(records, plan)
        }
        // BirdNET is the one singleton worker the contract knows; unknown names are ignored.
        let birdnet = services.contains("birdnet") && !stoodDown ? StationSpecs.birdnet(settings: settings) : nil
        await workers.applyWorkers(["birdnet": birdnet],
                                   because: stoodDown && services.contains("birdnet") ? .stoodDown : .workerOff)
        // Orphans appear when rows go or after an engine outage: swept on every reconcile
        // something asked for, and every 30th periodic one.
        ticksSinceSweep += 1
        if !reason.isPeriodic || ticksSinceSweep >= 30 {
            ticksSinceSweep = 0
            if let presence {
                // Until the hardware was scanned, a recorder's device may be plugged but not yet written.
                if let present = presence.present { await stopOrphans(known: Set(records.map(\.row.name)).union(present)) }
            } else {
                await stopOrphans(known: Set(records.map(\.row.name)))
            }
        }
        completedRuns += 1
        logger.debug("reconciled", metadata: ["reason": "\(reason)", "devices": "\(records.count)"])
    }

    /// Owned recorders of devices neither the database nor the hardware knows: stopped and
    /// removed. Recorders of known devices are left to their device's actor (one is made for a
    /// device that has none).
    private func stopOrphans(known: Set<String>) async {
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
