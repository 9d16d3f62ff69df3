public import ControllerCore
public import Logging
public import SilvasonicPodman
import SilvasonicIO
import Supervision

/// The device supervisor's children: one ``RecorderActor`` per device id, made on first need,
/// told what to run by each reconcile, and reached by the events of their containers.
public actor DeviceRegistry<C: Clock<Duration>> {
    private let engine: any ContainerEngine
    private let clock: C
    private let owner: String
    private let logger: Logger
    private let makeLifecycle: @Sendable () -> RecorderLifecycle<C.Instant>
    private let companions: CompanionSettings
    private let metrics: ControllerMetrics
    private let events: LifecycleEvents?
    /// Log lines forwarded to and dropped before `silvasonic:logs`, over all recorders.
    public nonisolated let logCounters = LogCounters()
    private var recorders: [String: RecorderActor<C>] = [:]
    private var reportWatchers: [String: Task<Void, Never>] = [:]
    /// The last report of each device, for status and tests.
    private var keepReasons: [String: String] = [:]
    public private(set) var lastReports: [String: RecorderLifecycle<C.Instant>.Report] = [:]

    public init(engine: any ContainerEngine, clock: C, owner: String, logger: Logger,
                companions: CompanionSettings = CompanionSettings(redis: nil),
                metrics: ControllerMetrics = ControllerMetrics(), events: LifecycleEvents? = nil,
                makeLifecycle: @escaping @Sendable () -> RecorderLifecycle<C.Instant> = { RecorderLifecycle() }) {
        self.metrics = metrics
        self.events = events
        self.companions = companions
        self.engine = engine
        self.clock = clock
        self.owner = owner
        self.logger = logger
        self.makeLifecycle = makeLifecycle
    }

    /// Carries out one reconcile's decisions: every device's actor at once (one slow engine call
    /// holds up only its own device), returning when each has taken its decision in.
    public func apply(_ plan: Reconciliation.Plan) async {
        var wanted: [(RecorderActor<C>, Tier2Spec?, IdleReason)] = []
        for (device, decision) in plan.decisions.sorted(by: { $0.key < $1.key }) {
            switch decision {
            case .record(let spec):
                release(device)
                wanted.append((recorder(for: device), spec, .offline))
            case .idle(let reason):
                release(device)
                wanted.append((recorder(for: device), nil, reason))
            case .keep(let reason):
                // Said once per reason, not on every reconcile; a running recorder keeps running.
                guard keepReasons.updateValue(reason, forKey: device) != reason else { continue }
                logger.warning("device left as it is", metadata: ["device.id": "\(device)", "reason": "\(reason)"])
            }
        }
        await Self.setDesired(wanted)
    }

    /// The device's row can be acted on again: said once, when it ends.
    private func release(_ device: String) {
        guard let reason = keepReasons.removeValue(forKey: device) else { return }
        logger.notice("device acted on again", metadata: ["device.id": "\(device)", "was": "\(reason)"])
    }

    /// Devices left as they are, with why: a row value the contract does not know, or a
    /// profile that cannot be read. Shown by `status` until fixed.
    public var heldDevices: [String: String] { keepReasons }

    private static func setDesired(_ wanted: [(RecorderActor<C>, Tier2Spec?, IdleReason)]) async {
        guard wanted.count > 1 else {
            if let (recorder, spec, reason) = wanted.first { await recorder.setDesired(spec, because: reason) }
            return
        }
        await withTaskGroup(of: Void.self) { group in
            for (recorder, spec, reason) in wanted { group.addTask { await recorder.setDesired(spec, because: reason) } }
        }
    }

    /// Carries out the singleton workers' decisions: a spec to run, or `nil` for none (an
    /// actor is made either way, so that a worker left running by an earlier controller is
    /// found and stopped when it is not wanted).
    public func applyWorkers(_ desired: [String: Tier2Spec?]) async {
        await Self.setDesired(desired.sorted(by: { $0.key < $1.key }).map { name, spec in
            (recorder(for: Self.workerKey(name), service: name), spec, .workerOff)
        })
    }

    static func workerKey(_ name: String) -> String { "worker:" + name }

    /// Devices with a recorder actor (whatever its state).
    public var knownDevices: Set<String> { Set(recorders.keys) }

    /// Devices whose recorder runs now.
    public func runningDevices() async -> Set<String> {
        var running: Set<String> = []
        for (device, recorder) in recorders where !device.hasPrefix("worker:") {
            if case .running = await recorder.state { running.insert(device) }
        }
        return running
    }

    /// The lifecycle state of every device.
    public func states() async -> [String: RecorderLifecycle<C.Instant>.State] {
        var states: [String: RecorderLifecycle<C.Instant>.State] = [:]
        for (device, recorder) in recorders { states[device] = await recorder.state }
        return states
    }

    /// Every actor's status by key (device id, or `worker:<name>`).
    public func statuses() async -> [String: RecorderActor<C>.Status] {
        var all: [String: RecorderActor<C>.Status] = [:]
        for (key, recorder) in recorders { all[key] = await recorder.status }
        return all
    }

    /// Routes a container event to its device (by the `io.silvasonic.device_id` label).
    public func route(_ event: ContainerEvent) async {
        guard let service = event.labels["io.silvasonic.service"] else { return }
        if service == "recorder" {
            guard let device = event.labels["io.silvasonic.device_id"] else { return }
            await recorders[device]?.handle(event)
        } else {
            await recorders[Self.workerKey(service)]?.handle(event)
        }
    }

    /// The event stream came back after an outage: every recorder looks again.
    public func engineReconnected() async {
        for recorder in recorders.values { await recorder.engineReconnected() }
    }

    /// Stops every recorder's timers (the controller is stopping; containers are left to the
    /// shutdown policy).
    public func shutdown() async {
        for recorder in recorders.values { await recorder.shutdown() }
        for watcher in reportWatchers.values { watcher.cancel() }
        recorders.removeAll()
    }

    private func recorder(for device: String, service: String = "recorder") -> RecorderActor<C> {
        if let existing = recorders[device] { return existing }
        // Workers are judged by their container alone: they publish no per-device heartbeat.
        let recorder = RecorderActor(deviceID: service == "recorder" ? device : service, engine: engine, clock: clock,
                                     owner: owner, lifecycle: makeLifecycle(), logger: logger,
                                     companions: service == "recorder" ? companions : CompanionSettings(redis: nil),
                                     logCounters: logCounters, service: service)
        recorders[device] = recorder
        reportWatchers[device] = Task { [weak self] in
            for await report in recorder.reports { await self?.record(report, for: device, service: service) }
        }
        return recorder
    }

    private func record(_ report: RecorderLifecycle<C.Instant>.Report, for device: String, service: String) {
        lastReports[device] = report
        let deviceID = service == "recorder" ? device : service
        metrics.record(report, service: service, device: deviceID)
        guard let events else { return }
        let base: [String: SilvasonicIO.JSONValue] = ["device_id": .string(deviceID), "service": .string(service)]
        switch report {
        case .adopted(let id): events.emit("container_adopted", base.merging(["container_id": .string(id)]) { $1 })
        case .created(let id): events.emit("container_created", base.merging(["container_id": .string(id)]) { $1 })
        case .started(let id): events.emit("container_started", base.merging(["container_id": .string(id)]) { $1 })
        case .restarting(let delay, let count):
            events.emit("container_restarting", base.merging(["delay_s": .double(StatusTree.seconds(delay)),
                                                               "restarts": .int(count)]) { $1 })
        case .crashLooping(let restarts, let within, let retryEvery):
            events.emit("container_crash_looping", base.merging([
                "restarts": .int(restarts), "window_s": .double(StatusTree.seconds(within)),
                "retry_every_s": .double(StatusTree.seconds(retryEvery)),
            ]) { $1 })
        case .recovered(let restarts): events.emit("container_recovered", base.merging(["restarts": .int(restarts)]) { $1 })
        case .stopping(let id, let reason):
            events.emit("container_stopping", base.merging(["container_id": .string(id), "reason": .string("\(reason)")]) { $1 })
        case .engineError(let message): events.emit("engine_error", base.merging(["error": .string(message)]) { $1 })
        }
    }

    /// Asks the actor of `device` (a device id, or `worker:<name>`) for a supervised restart of
    /// its running container: stopped, removed and created anew from the wanted spec.
    /// - Returns: `false` when the device has no running container.
    public func restart(_ device: String) async -> Bool {
        guard let recorder = recorders[device] else { return false }
        return await recorder.restartRequested()
    }

    /// The actor key of a worker service (`birdnet` → `worker:birdnet`).
    public nonisolated static func key(forWorker name: String) -> String { workerKey(name) }
}
