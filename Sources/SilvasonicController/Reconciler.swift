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
    let repository: any DeviceStore
    let devices: DeviceSupervisor<C>
    let workers: DeviceSupervisor<C>
    let engine: any ContainerEngine
    let settings: StationSettings
    let logger: Logger
    let presence: HardwarePresence?
    let metrics: ControllerMetrics
    let events: LifecycleEvents?
    /// Told the outcome of every read of the desired state, as it happens (``StationBoard``).
    let readObserved: (@Sendable (_ readable: Bool) -> Void)?
    /// Where requests wake the loop (``run()``), while it runs.
    var inbox: AsyncStream<Void>.Continuation?
    enum Loop { case notStarted, running, ended }
    var loop = Loop.notStarted
    /// Runs begun so far; a caller waits for the run numbered one more than this at its request.
    var runsBegun = 0
    var inRun = false
    var waiters: [(run: Int, continuation: CheckedContinuation<Void, Never>)] = []
    /// The database's unreadability, said once, summarised, and said again when it ends.
    var unreadable = PersistentCondition<ContinuousClock.Instant>()
    /// The system settings' problems last said: each said once, and said again when fixed.
    var systemProblems: [String] = []
    /// The reason a coalesced rerun carries: any request's that is not the periodic tick.
    var pendingReason: ReconcileReason?
    var specCache: [Reconciliation.SpecKey: Tier2Spec] = [:]
    /// The decisions last handed to the actors: an unchanged one is not handed again (the
    /// actor still holds it), so a periodic reconcile of a quiet station costs one read.
    var applied: [String: Reconciliation.Decision] = [:]
    /// Periodic runs since the last orphan sweep (a sweep lists every owned container).
    var ticksSinceSweep = 29   // the first periodic run sweeps
    /// A hash of the desired state whose plan last went through, and the rows' hashes and their
    /// sum it was made from (kept up by runs of some devices).
    var plannedInputs: Int?
    var recordHashes: [String: Int] = [:]
    var recordSum = 0
    var pending = false
    /// The system settings an inventory read with its sightings (``reconcile(_:)``): taken by
    /// the next run.
    var handedSystem: SystemSettings?
    /// Devices asked to be reconciled alone, and the reason of the first request.
    var pendingDevices: Set<String> = []
    var pendingDevicesReason: ReconcileReason?
    /// What the last fully planned run saw of the devices a run of some devices alone does not
    /// read again (kept up by those runs): the system settings, the workspace names in use, the
    /// devices that record, and whether `max_recorders` kept any from recording.
    struct View {
        var system: SystemSettings
        var taken: Set<String>
        var recording: Set<String>
        var limited: Bool
    }
    var view: View?
    /// Completed reconciles, and the ones that failed to read the database.
    public internal(set) var completedRuns = 0
    public internal(set) var failedRuns = 0
    /// Whether the last run read the desired state; `nil` before the first.
    public internal(set) var lastReadSucceeded: Bool?
    /// Each device's model, profile and workspace, as the last planned run read its row (for
    /// `status`; a run that finds the rows unchanged keeps them).
    public internal(set) var descriptions: [String: DeviceDescription] = [:]
    /// Whether an operator asked the controller to stand down: every device and worker is told
    /// to run nothing (``IdleReason/stoodDown``) until ``standDown(_:)`` is called with `false`.
    /// Kept in memory only: a controller that starts again records again.
    public internal(set) var stoodDown = false

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

    /// Asks for a reconcile of the devices whose rows an inventory just wrote, with the system
    /// settings it read beside them (a run of those devices alone then reads only their rows).
    /// Returns once it ran.
    public func reconcile(_ written: RowsWritten) async {
        guard !written.devices.isEmpty else { return }
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
    func served() async {
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

    var hasWork: Bool { pending || !pendingDevices.isEmpty }

    /// One run of what was asked for: a full one when any request wants it, else the devices'.
    func runOnce() async {
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
}
