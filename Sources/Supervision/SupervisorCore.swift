/// How a child's run ended.
enum ExitOutcome: Sendable {
    /// `run()` returned.
    case normal
    /// `run()` threw.
    case failed(any Error)
}

/// A supervisor's state and every decision it makes, as a pure value.
///
/// Inputs are facts (`childStarted`, `childExited`, `restartDue`, commands); outputs are what
/// the actor must do. No clock is read (each call gets `now`) and no randomness is drawn (each
/// call that may need it gets `randomUnit`). The actor in ``Supervisor`` only carries decisions out.
///
/// Times are ``SupervisorTime``s (offsets from the supervisor's origin), not the clock's own
/// instants: the core is then not generic, and its records and dictionaries are compiled for one
/// layout instead of being reached through generic metadata on every start, end and restart.
struct SupervisorCore: Sendable {
    typealias Instant = SupervisorTime

    struct Record: Sendable {
        var spec: ChildSpec
        var state: ChildState = .stopped
        /// Increases with every start, so that the exit of an earlier run is recognised as stale.
        var generation: UInt64 = 0
        var startedAt: Instant?
        var restarts = 0
        /// The last error it threw, described only when asked for.
        var lastError: (any Error)?
        /// The backoff attempt of the latest restart (0: never restarted since a stable run).
        var attempt = 0
        /// When its pending restart is due.
        var restartAt: Instant?
        /// Past the intensity under `retryAtCap` or `markCrashLooping`, and not run stably since.
        var crashLooping = false
        /// The actor's handle to the running task, kept with the record (one store, not a
        /// second dictionary); the core never looks inside it.
        var handle: RunningChild?
    }

    /// What the actor must do after a child ended.
    enum ExitDecision: Sendable {
        /// Nothing (a stale exit, or a child that stays stopped).
        case none
        /// Stop `stop` (in that order), then after `delay` start `restart` (in that order);
        /// `crashLooping`: the child has just begun to crash-loop (``IntensityPolicy/retryAtCap``,
        /// ``IntensityPolicy/markCrashLooping``).
        case restart(stop: [ChildID], restart: [ChildID], delay: Duration, token: UInt64, crashLooping: Bool)
        /// Too many restarts: stop everything and fail.
        case giveUp(child: ChildID)
        /// A significant child ended for good: stop everything and return normally.
        case autoShutdown(child: ChildID)
    }

    let options: SupervisorOptions
    /// The records in start order (children are started in ascending and stopped in descending
    /// order); a removed child leaves a hole until the holes are compacted away. An array read
    /// and changed in place: no sorting to find an order, and no copy of a record to change it.
    private var slots: [Record?] = []
    /// Where each child's record is in `slots`.
    private var index: [ChildID: Int] = [:]
    private var holes = 0
    /// The handles of removed records whose task still runs: a temporary sibling removed by a
    /// restart decision, until the actor stops it (empty otherwise).
    private var orphans: [ChildID: (handle: RunningChild, shutdown: Shutdown)] = [:]
    private var window: RestartWindow<Instant>
    private var nextToken: UInt64 = 0
    /// The restart batch waiting on its backoff timer, by token.
    private(set) var pending: [UInt64: [ChildID]] = [:]
    /// Removed children that had a handle, until the actor releases their handles.
    var removedWithHandles: [ChildID] = []

    init(options: SupervisorOptions, specs: [ChildSpec]) {
        self.options = options
        self.window = RestartWindow(intensity: options.intensity)
        slots.reserveCapacity(specs.count)
        index.reserveCapacity(specs.count)
        for spec in specs { add(spec) }
    }

    // MARK: Queries

    /// Child ids in start order.
    var startOrder: [ChildID] {
        var ids: [ChildID] = []
        ids.reserveCapacity(slots.count - holes)
        for case let record? in slots { ids.append(record.spec.id) }
        return ids
    }

    /// Children whose task runs, in reverse start order: the order to stop them in.
    var runningInStopOrder: [ChildID] {
        var ids: [ChildID] = []
        ids.reserveCapacity(slots.count - holes)
        for case let record? in slots.reversed() where record.state == .running { ids.append(record.spec.id) }
        return ids
    }

    /// Whether a child has this id.
    func contains(_ id: ChildID) -> Bool { index[id] != nil }

    func state(of id: ChildID) -> ChildState? {
        index[id].map { slots[$0]!.state }
    }

    func spec(of id: ChildID) -> ChildSpec? {
        index[id].map { slots[$0]!.spec }
    }

    /// Whether the end of `id` can only restart `id` itself: under one-for-one always; under
    /// rest-for-one when no later sibling runs or waits to; under one-for-all when no other does.
    func endTouchesNoSibling(_ id: ChildID) -> Bool {
        guard let position = index[id] else { return true }
        switch options.strategy {
        case .oneForOne:
            return true
        case .restForOne:
            return !slots[(position + 1)...].contains { $0.map { $0.state != .stopped } ?? false }
        case .oneForAll:
            return !slots.indices.contains { $0 != position && slots[$0].map { $0.state != .stopped } ?? false }
        }
    }

    func isCurrent(_ id: ChildID, generation: UInt64) -> Bool {
        index[id].map { slots[$0]!.state == .running && slots[$0]!.generation == generation } ?? false
    }

    /// Every child in start order; a running child's uptime measured to `now`.
    func infos(now: Instant) -> [ChildInfo] {
        slots.compactMap { $0 }.map { record in
            let uptime = record.state == .running ? record.startedAt.map { $0.duration(to: now) } : nil
            let stable = uptime.map { $0 >= (options.backoff?.resetAfter ?? .zero) } ?? false
            return ChildInfo(id: record.spec.id, kind: record.spec.kind, restartType: record.spec.restart, state: record.state,
                             restarts: record.restarts, lastFailure: record.lastError.map { String(describing: $0) }, uptime: uptime,
                             nextRestart: record.state == .restarting ? record.restartAt.map { max(.zero, now.duration(to: $0)) } : nil,
                             crashLooping: record.crashLooping && !stable)
        }
    }

    var counts: ChildCounts {
        var counts = ChildCounts(specs: slots.count - holes, active: 0, supervisors: 0, workers: 0)
        for case let record? in slots {
            if record.state == .running { counts.active += 1 }
            if record.spec.kind == .supervisor { counts.supervisors += 1 } else { counts.workers += 1 }
        }
        return counts
    }

    // MARK: Facts

    /// Adds a child spec at the end of the start order.
    mutating func add(_ spec: ChildSpec) {
        compactIfSparse()
        index[spec.id] = slots.count
        slots.append(Record(spec: spec))
    }

    /// Records that the actor started `id` at `now`; returns the run's generation.
    mutating func childStarted(_ id: ChildID, at now: Instant) -> UInt64 {
        guard let position = index[id] else { return 0 }
        slots[position]!.generation += 1
        slots[position]!.state = .running
        slots[position]!.startedAt = now
        slots[position]!.restartAt = nil
        return slots[position]!.generation
    }

    /// Keeps the handle of the task just started for `id`.
    mutating func attach(_ handle: RunningChild, to id: ChildID) {
        if let position = index[id] { slots[position]!.handle = handle }
    }

    /// Takes the handle of `id`'s task, if it has one, with the shutdown to stop it by.
    mutating func detach(_ id: ChildID) -> (handle: RunningChild, shutdown: Shutdown)? {
        if !orphans.isEmpty, let orphan = orphans.removeValue(forKey: id) { return orphan }
        guard let position = index[id], let handle = slots[position]!.handle else { return nil }
        slots[position]!.handle = nil
        return (handle, slots[position]!.spec.shutdown)
    }

    /// Records that the supervisor itself stopped `id` (terminate, shutdown, or a sibling's
    /// restart). A temporary child is removed; any other keeps its spec.
    mutating func childStopped(_ id: ChildID) {
        guard let position = index[id] else { return }
        if slots[position]!.spec.restart == .temporary {
            remove(at: position)
            compactIfSparse()
        } else {
            slots[position]!.state = .stopped
        }
    }

    /// Decides what follows a child's end, given the time and a source of a random number in
    /// `0..<1` (drawn only when a backoff delay needs jitter).
    mutating func childExited(_ id: ChildID, generation: UInt64, outcome: ExitOutcome,
                              at now: Instant, randomUnit: () -> Double) -> ExitDecision {
        guard let position = index[id], slots[position]!.state == .running,
              slots[position]!.generation == generation else {
            return .none
        }
        let failed: Bool
        if case .failed(let error) = outcome {
            failed = true
            slots[position]!.lastError = error
        } else {
            failed = false
        }
        slots[position]!.state = .stopped
        let spec = slots[position]!.spec

        let restart = switch spec.restart {
        case .permanent: true
        case .transient: failed
        case .temporary: false
        }
        guard restart else {
            if spec.restart == .temporary {
                remove(at: position)
                compactIfSparse()
            }
            return shouldAutoShutdown(after: spec) ? .autoShutdown(child: id) : .none
        }
        let uptime = slots[position]!.startedAt.map { $0.duration(to: now) } ?? .zero
        if let backoff = options.backoff, uptime >= backoff.resetAfter, slots[position]!.crashLooping {
            // A stable run ended the crash loop: its history is forgotten, so a new fault starts afresh.
            slots[position]!.crashLooping = false
            window.reset()
        }
        var beganLooping = false
        if !window.recordRestart(at: now) {
            guard options.intensityPolicy != .escalate, options.backoff != nil else { return .giveUp(child: id) }
            beganLooping = !slots[position]!.crashLooping
            slots[position]!.crashLooping = true
        }

        // The siblings its end touches, in start order.
        let affected: [Int] = switch options.strategy {
        case .oneForOne: []
        case .oneForAll: slots.indices.filter { $0 != position && slots[$0] != nil }
        case .restForOne: ((position + 1)..<slots.count).filter { slots[$0] != nil }
        }
        var toStop: [ChildID] = []
        var toRestart: [ChildID] = []
        var joined = false
        for sibling in affected.reversed() where slots[sibling]!.state == .running {
            toStop.append(slots[sibling]!.spec.id)
        }
        // Siblings waiting on an earlier restart join this batch instead.
        for sibling in affected where slots[sibling]!.state == .restarting {
            let waiting = slots[sibling]!.spec.id
            for token in pending.keys { pending[token]!.removeAll { $0 == waiting } }
            joined = true
        }
        if joined { pending = pending.filter { !$0.value.isEmpty } }
        for sibling in (affected + [position]).sorted() {
            guard let record = slots[sibling], sibling == position || record.state != .stopped else { continue }
            if sibling != position, record.spec.restart == .temporary {
                remove(at: sibling)
                continue
            }
            toRestart.append(record.spec.id)
            slots[sibling]!.state = .restarting
            slots[sibling]!.restarts += 1
        }

        var delay = Duration.zero
        if let backoff = options.backoff {
            let attempt = backoff.nextAttempt(after: slots[position]!.attempt, uptime: uptime)
            slots[position]!.attempt = attempt
            delay = slots[position]!.crashLooping && options.intensityPolicy == .retryAtCap
                ? backoff.maximum
                : backoff.delay(forAttempt: attempt, randomUnit: backoff.jitter > 0 ? randomUnit() : 0.5)
        }
        for child in toRestart { slots[index[child]!]!.restartAt = now.advanced(by: delay) }
        nextToken += 1
        pending[nextToken] = toRestart
        compactIfSparse()
        return .restart(stop: toStop, restart: toRestart, delay: delay, token: nextToken, crashLooping: beganLooping)
    }

    /// The backoff timer of batch `token` fired: the children of that batch still waiting.
    mutating func restartDue(token: UInt64) -> [ChildID] {
        guard let batch = pending.removeValue(forKey: token) else { return [] }
        return batch.filter { state(of: $0) == .restarting }
    }

    /// Cancels every pending restart (shutdown); their children become stopped.
    mutating func cancelPendingRestarts() {
        for batch in pending.values {
            for id in batch where state(of: id) == .restarting { childStopped(id) }
        }
        pending.removeAll()
    }

    /// Removes a stopped child's spec.
    mutating func delete(_ id: ChildID) {
        guard let position = index[id] else { return }
        remove(at: position)
        compactIfSparse()
    }

    /// A stopped child is to be started again by hand (OTP's `restart_child`).
    mutating func prepareManualRestart(_ id: ChildID) {
        if let position = index[id] { slots[position]!.restarts += 1 }
    }

    private func shouldAutoShutdown(after spec: ChildSpec) -> Bool {
        guard spec.significant else { return false }
        switch options.autoShutdown {
        case .never:
            return false
        case .anySignificant:
            return true
        case .allSignificant:
            return !slots.contains { $0.map { $0.spec.significant && $0.state != .stopped } ?? false }
        }
    }

    // MARK: Storage

    private mutating func remove(at position: Int) {
        guard let record = slots[position] else { return }
        if let handle = record.handle { orphans[record.spec.id] = (handle, record.spec.shutdown) }
        if record.spec.hasHandle { removedWithHandles.append(record.spec.id) }
        index[record.spec.id] = nil
        slots[position] = nil
        holes += 1
    }

    /// Drops the holes once they are more than half of the slots (amortised O(1) per removal);
    /// called at the end of what removes records, never while a decision walks the slots.
    private mutating func compactIfSparse() {
        guard holes > 16, holes * 2 > slots.count else { return }
        slots.removeAll { $0 == nil }
        holes = 0
        for (position, record) in slots.enumerated() { index[record!.spec.id] = position }
    }
}
