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
struct SupervisorCore<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    struct Record: Sendable {
        var spec: ChildSpec
        /// Start order: children are started in ascending and stopped in descending order.
        var order: UInt64
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
        /// Past the intensity under `retryAtCap`, and not run stably since.
        var crashLooping = false
    }

    /// What the actor must do after a child ended.
    enum ExitDecision: Sendable {
        /// Nothing (a stale exit, or a child that stays stopped).
        case none
        /// Stop `stop` (in that order), then after `delay` start `restart` (in that order);
        /// `crashLooping`: the child has just begun to crash-loop (``IntensityPolicy/retryAtCap``).
        case restart(stop: [ChildID], restart: [ChildID], delay: Duration, token: UInt64, crashLooping: Bool)
        /// Too many restarts: stop everything and fail.
        case giveUp(child: ChildID)
        /// A significant child ended for good: stop everything and return normally.
        case autoShutdown(child: ChildID)
    }

    let options: SupervisorOptions
    private(set) var records: [ChildID: Record] = [:]
    private var window: RestartWindow<Instant>
    private var nextOrder: UInt64 = 0
    private var nextToken: UInt64 = 0
    /// The restart batch waiting on its backoff timer, by token.
    private(set) var pending: [UInt64: [ChildID]] = [:]

    init(options: SupervisorOptions, specs: [ChildSpec]) {
        self.options = options
        self.window = RestartWindow(intensity: options.intensity)
        for spec in specs { add(spec) }
    }

    // MARK: Queries

    /// Child ids in start order.
    var startOrder: [ChildID] {
        ordered { _ in true }.map { $0.id }
    }

    /// Children whose task runs, in reverse start order: the order to stop them in.
    var runningInStopOrder: [ChildID] {
        ordered { $0.state == .running }.reversed().map { $0.id }
    }

    /// The ids and orders of the records that pass `include`, in start order; the records
    /// themselves are not copied (a shutdown of 100,000 children sorts them all).
    private func ordered(_ include: (Record) -> Bool) -> [(order: UInt64, id: ChildID)] {
        var picked: [(order: UInt64, id: ChildID)] = []
        picked.reserveCapacity(records.count)
        for (id, record) in records where include(record) { picked.append((record.order, id)) }
        picked.sort { $0.order < $1.order }
        return picked
    }

    func record(_ id: ChildID) -> Record? { records[id] }

    /// Whether the end of `id` can only restart `id` itself: under one-for-one always; under
    /// rest-for-one when no later sibling runs or waits to; under one-for-all when no other does.
    func endTouchesNoSibling(_ id: ChildID) -> Bool {
        switch options.strategy {
        case .oneForOne:
            return true
        case .restForOne:
            guard let order = records[id]?.order else { return true }
            return !records.contains { $0.value.order > order && $0.value.state != .stopped }
        case .oneForAll:
            return !records.contains { $0.key != id && $0.value.state != .stopped }
        }
    }

    func isCurrent(_ id: ChildID, generation: UInt64) -> Bool {
        records[id].map { $0.state == .running && $0.generation == generation } ?? false
    }

    /// Every child in start order; a running child's uptime measured to `now`.
    func infos(now: Instant) -> [ChildInfo] {
        records.values.sorted { $0.order < $1.order }.map { record in
            let uptime = record.state == .running ? record.startedAt.map { $0.duration(to: now) } : nil
            let stable = uptime.map { $0 >= (options.backoff?.resetAfter ?? .zero) } ?? false
            return ChildInfo(id: record.spec.id, kind: record.spec.kind, restartType: record.spec.restart, state: record.state,
                             restarts: record.restarts, lastFailure: record.lastError.map { String(describing: $0) }, uptime: uptime,
                             nextRestart: record.state == .restarting ? record.restartAt.map { max(.zero, now.duration(to: $0)) } : nil,
                             crashLooping: record.crashLooping && !stable)
        }
    }

    var counts: ChildCounts {
        var counts = ChildCounts(specs: records.count, active: 0, supervisors: 0, workers: 0)
        for record in records.values {
            if record.state == .running { counts.active += 1 }
            if record.spec.kind == .supervisor { counts.supervisors += 1 } else { counts.workers += 1 }
        }
        return counts
    }

    // MARK: Facts

    /// Adds a child spec at the end of the start order.
    mutating func add(_ spec: ChildSpec) {
        nextOrder += 1
        records[spec.id] = Record(spec: spec, order: nextOrder)
    }

    /// Records that the actor started `id` at `now`; returns the run's generation.
    mutating func childStarted(_ id: ChildID, at now: Instant) -> UInt64 {
        guard var record = records[id] else { return 0 }
        record.generation += 1
        record.state = .running
        record.startedAt = now
        record.restartAt = nil
        records[id] = record
        return record.generation
    }

    /// Records that the supervisor itself stopped `id` (terminate, shutdown, or a sibling's
    /// restart). A temporary child is removed; any other keeps its spec.
    mutating func childStopped(_ id: ChildID) {
        guard var record = records[id] else { return }
        if record.spec.restart == .temporary {
            records[id] = nil
            return
        }
        record.state = .stopped
        records[id] = record
    }

    /// Decides what follows a child's end, given the time and a source of a random number in
    /// `0..<1` (drawn only when a backoff delay needs jitter).
    mutating func childExited(_ id: ChildID, generation: UInt64, outcome: ExitOutcome,
                              at now: Instant, randomUnit: () -> Double) -> ExitDecision {
        guard var record = records[id], record.state == .running, record.generation == generation else {
            return .none
        }
        let failed: Bool
        if case .failed(let error) = outcome {
            failed = true
            record.lastError = error
        } else {
            failed = false
        }
        record.state = .stopped
        records[id] = record

        let restart = switch record.spec.restart {
        case .permanent: true
        case .transient: failed
        case .temporary: false
        }
        guard restart else {
            if record.spec.restart == .temporary { records[id] = nil }
            return shouldAutoShutdown(after: record.spec) ? .autoShutdown(child: id) : .none
        }
        let uptime = record.startedAt.map { $0.duration(to: now) } ?? .zero
        if let backoff = options.backoff, uptime >= backoff.resetAfter, records[id]?.crashLooping == true {
            // A stable run ended the crash loop: its history is forgotten, so a new fault starts afresh.
            records[id]?.crashLooping = false
            window.reset()
        }
        var beganLooping = false
        if !window.recordRestart(at: now) {
            guard options.intensityPolicy == .retryAtCap, options.backoff != nil else { return .giveUp(child: id) }
            beganLooping = records[id]?.crashLooping == false
            records[id]?.crashLooping = true
        }

        let affected: [Record] = switch options.strategy {
        case .oneForOne: []
        case .oneForAll: records.values.filter { $0.spec.id != id }
        case .restForOne: records.values.filter { $0.order > record.order }
        }
        let toStop = affected.filter { $0.state == .running }.sorted { $0.order > $1.order }.map { $0.spec.id }
        // Siblings waiting on an earlier restart join this batch instead.
        let waiting = Set(affected.filter { $0.state == .restarting }.map { $0.spec.id })
        if !waiting.isEmpty {
            for token in pending.keys { pending[token]?.removeAll { waiting.contains($0) } }
            pending = pending.filter { !$0.value.isEmpty }
        }

        var toRestart: [ChildID] = [id]
        for sibling in affected.sorted(by: { $0.order < $1.order }) where sibling.state != .stopped {
            if sibling.spec.restart == .temporary {
                records[sibling.spec.id] = nil
            } else {
                toRestart.append(sibling.spec.id)
            }
        }
        toRestart.sort { (records[$0]?.order ?? 0) < (records[$1]?.order ?? 0) }
        for child in toRestart {
            records[child]?.state = .restarting
            records[child]?.restarts += 1
        }

        var delay = Duration.zero
        if let backoff = options.backoff {
            let attempt = backoff.nextAttempt(after: record.attempt, uptime: uptime)
            records[id]?.attempt = attempt
            delay = records[id]?.crashLooping == true
                ? backoff.maximum
                : backoff.delay(forAttempt: attempt, randomUnit: backoff.jitter > 0 ? randomUnit() : 0.5)
        }
        for child in toRestart { records[child]?.restartAt = now.advanced(by: delay) }
        nextToken += 1
        pending[nextToken] = toRestart
        return .restart(stop: toStop, restart: toRestart, delay: delay, token: nextToken, crashLooping: beganLooping)
    }

    /// The backoff timer of batch `token` fired: the children of that batch still waiting.
    mutating func restartDue(token: UInt64) -> [ChildID] {
        guard let batch = pending.removeValue(forKey: token) else { return [] }
        return batch.filter { records[$0]?.state == .restarting }
    }

    /// Cancels every pending restart (shutdown); their children become stopped.
    mutating func cancelPendingRestarts() {
        for batch in pending.values {
            for id in batch where records[id]?.state == .restarting { childStopped(id) }
        }
        pending.removeAll()
    }

    /// Removes a stopped child's spec.
    mutating func delete(_ id: ChildID) {
        records[id] = nil
    }

    /// A stopped child is to be started again by hand (OTP's `restart_child`).
    mutating func prepareManualRestart(_ id: ChildID) {
        records[id]?.restarts += 1
    }

    private func shouldAutoShutdown(after spec: ChildSpec) -> Bool {
        guard spec.significant else { return false }
        switch options.autoShutdown {
        case .never:
            return false
        case .anySignificant:
            return true
        case .allSignificant:
            return !records.values.contains { $0.spec.significant && $0.state != .stopped }
        }
    }
}
