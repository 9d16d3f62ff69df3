public import Logging
import Synchronization

/// A supervisor: runs child tasks, restarts them by its strategy when they end, gives up when
/// they end too often, and stops them in reverse start order when it is shut down.
///
/// Erlang/OTP's supervisor in Swift concurrency: children are async functions (see
/// ``ChildSpec``), stopping is cancellation, and a supervisor is itself a child: its
/// ``run()`` throws when its restart intensity is exceeded, which is how a failure escalates
/// to the supervisor above it.
///
/// ```swift
/// let supervisor = try Supervisor(name: "station", options: .init(strategy: .oneForOne), children: [
///     ChildSpec(id: "scanner") { try await scanner.run() },
///     ChildSpec(id: "http") { try await server.run() },
/// ])
/// try await supervisor.run()    // until cancelled, or until it gives up
/// ```
///
/// The clock is a parameter: tests pass a manual clock and never sleep.
public actor Supervisor<C: Clock> where C.Duration == Duration {
    /// The supervisor's path in its tree, such as `station/devices`: names it in events and logs.
    public nonisolated let path: String
    /// Every event of this supervisor (and of the others that share the same instance).
    public nonisolated let events: SupervisionEvents
    /// How it restarts and when it gives up.
    public nonisolated let options: SupervisorOptions

    let clock: C
    /// The instant the core's times count from (``SupervisorTime``).
    private let origin: C.Instant
    let logger: Logger
    private let initialSpecs: [ChildSpec]
    private var random: any RandomNumberGenerator & Sendable
    var core: SupervisorCore
    var runState = SupervisorRunState.idle
    /// Whether a run() has ended: commands then fail instead of waiting for the next run.
    var hasEnded = false
    /// Messages for the loop, one mailbox per run; commands sent before run() wait in the first
    /// until it starts. Behind a lock rather than the actor, so that a command is sent without
    /// a hop to the actor (the loop is the only place that acts on it).
    private nonisolated let mailboxes = Mutex(Mailbox())
    /// This run's mailbox.
    nonisolated var mailbox: Mailbox { mailboxes.withLock { $0 } }
    var timers: [UInt64: Task<Void, Never>] = [:]
    /// The dynamic children's handles (``startChild(_:handle:)``).
    nonisolated let childHandles = ChildHandles()
    /// How the current run ends, once it is decided (the loop then only drains its mailbox).
    var outcome: RunOutcome?

    /// Creates a supervisor; nothing runs until ``run()``.
    ///
    /// - Parameters:
    ///   - name: this supervisor's name; its path is `parentPath/name`.
    ///   - parentPath: the path of the supervisor above it, if any.
    ///   - options: strategy, restart intensity, backoff, auto-shutdown and shutdown order.
    ///   - children: the static children, started in this order.
    ///   - clock: the clock for backoff delays and shutdown timeouts.
    ///   - random: the source of backoff jitter.
    ///   - events: where events go; pass one instance to a whole tree to watch it all.
    ///   - logger: crash reports and restarts are logged here, with the supervisor's path and the
    ///     child's id as metadata.
    /// - Throws: ``SupervisorError`` for an invalid spec, option or duplicate id.
    public init(
        name: String,
        parentPath: String? = nil,
        options: SupervisorOptions = SupervisorOptions(),
        children: [ChildSpec] = [],
        clock: C,
        random: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator(),
        events: SupervisionEvents = SupervisionEvents(),
        logger: Logger = Logger(label: "supervision")
    ) throws(SupervisorError) {
        let path = parentPath.map { "\($0)/\(name)" } ?? name
        try Validation.check(children, options: options, path: path)
        self.path = path
        self.options = options
        self.initialSpecs = children
        self.clock = clock
        self.origin = clock.now
        self.random = random
        self.events = events
        self.logger = logger
        self.core = SupervisorCore(options: options, specs: children)
    }

    /// Runs the supervisor: starts the children in order, then supervises them.
    ///
    /// Returns normally when its task is cancelled (after stopping every child in reverse start
    /// order, each within its shutdown), when ``shutdown()`` is called, or when a significant
    /// child's end shuts it down.
    /// - Throws: ``SupervisorError`` `restartIntensityExceeded` when it gave up, after stopping
    ///   every child; `alreadyRunning` when it is running already.
    public func run() async throws {
        let mailbox = try beginRun()
        // The loop runs in this task (a supervisor costs no task of its own). A cancelled run()
        // posts a shutdown, which the loop still reads (``Mailbox`` ignores cancellation) and
        // carries out gracefully: its waits run where the cancellation does not reach them.
        // The loop is written out here, not called: its frames are what thousands of waiting
        // supervisors keep, and with the frames below them they fit one stack slab each.
        await withTaskCancellationHandler {
            while await mailbox.wait() { await handleNext(from: mailbox) }
        } onCancel: {
            mailbox.send(.shutdown)
        }
        try endRun()
    }

    // The setup and the end of a run are kept out of run()'s own frame: a task keeps the largest
    // stack it ever needed, and thousands of supervisors wait in run() at once.

    /// Starts the children; the mailbox the loop reads.
    @inline(never)
    private func beginRun() throws(SupervisorError) -> Mailbox {
        guard runState == .idle else {
            throw SupervisorError(code: .alreadyRunning, supervisor: path, message: "run() was called while running")
        }
        runState = .running
        outcome = nil
        // The first run starts from the core and mailbox made by init; a later one anew.
        if hasEnded {
            core = SupervisorCore(options: options, specs: initialSpecs)
            mailboxes.withLock { $0 = Mailbox() }
        }
        hasEnded = false
        for id in core.startOrder { launch(id) }
        return mailbox
    }

    @inline(never)
    private func endRun() throws(SupervisorError) {
        let result = outcome ?? .success
        outcome = nil
        runState = .idle
        hasEnded = true
        if case .failure(let error) = result { throw error }
    }

    /// Asks a running supervisor to stop its children and end ``run()`` normally; returns at once.
    /// Does nothing when it is not running.
    public func shutdown() {
        guard runState == .running else { return }
        mailbox.send(.shutdown)
    }

    // MARK: Introspection

    /// Every child, in start order, with its state, restart count, last failure and, when
    /// running, how long since it (re)started.
    public func whichChildren() -> [ChildInfo] { core.infos(now: now) }

    /// How many specs, running children, supervisors and workers there are.
    public func countChildren() -> ChildCounts { core.counts }

    // MARK: Internals shared with the extensions

    /// The clock's present, as the core counts time.
    var now: SupervisorTime { SupervisorTime(sinceOrigin: origin.duration(to: clock.now)) }

    func nextRandomUnit() -> Double {
        BackoffPolicy.randomUnit(using: &random)
    }

    /// Emits an event; one nobody observes is not even made (a failure's description costs).
    /// Logs with the supervisor's path as metadata, added at the call (when the level is on)
    /// rather than stored: thousands of supervisors each keep no metadata of their own.
    func log(_ level: Logger.Level, _ message: @autoclosure () -> Logger.Message,
             _ metadata: @autoclosure () -> Logger.Metadata = [:]) {
        logger.log(level: level, message(), metadata: metadata().merging(["supervisor": .string(path)]) { own, _ in own })
    }

    func emit(_ child: ChildID?, _ kind: @autoclosure () -> SupervisionEvent.Kind) {
        guard events.isObserved else { return }
        events.emit(SupervisionEvent(supervisor: path, child: child, kind: kind()))
    }

    /// Starts the child's task; its end is decided by ``childEnded(_:generation:outcome:from:)``.
    ///
    /// The task inherits the task-local values and the priority of the task that called
    /// ``run()`` (logger metadata, swift-service-lifecycle's graceful shutdown), through every
    /// restart. It is not a structured child of `run()`'s task on purpose: a cancelled `run()`
    /// stops its children one by one in reverse start order, each within its shutdown, which
    /// structured cancellation (all at once, with nothing to shield the order) cannot do; and a
    /// child that ignores cancellation can be abandoned (``SupervisionEvent/Kind/abandoned(after:)``)
    /// instead of holding its supervisor for ever.
    func launch(_ id: ChildID) {
        guard let spec = core.spec(of: id) else { return }
        let generation = core.childStarted(id, at: now)
        let exit = ExitSignal()
        let start = spec.start, mailbox = self.mailbox
        // Captured under another name, the supervisor does not make the task's closure isolated
        // to it: the child starts on the global executor, and only its end hops to the actor.
        let supervisor = self
        let task = Task {
            let outcome: ExitOutcome
            do {
                try await start()
                outcome = .normal
            } catch {
                outcome = .failed(error)
            }
            // An end the supervisor caused (a stop) needs no decision: no hop to the supervisor.
            if exit.finish() { return }
            await supervisor.childEnded(id, generation: generation, outcome: outcome, from: mailbox)
        }
        core.attach(RunningChild(task: task, exit: exit), to: id)
        emit(id, .started)
        log(.debug, "child started", ["child": .string(id)])
    }
}

extension Supervisor where C == ContinuousClock {
    /// Creates a supervisor on the continuous clock; see the designated initializer.
    public init(
        name: String,
        parentPath: String? = nil,
        options: SupervisorOptions = SupervisorOptions(),
        children: [ChildSpec] = [],
        events: SupervisionEvents = SupervisionEvents(),
        logger: Logger = Logger(label: "supervision")
    ) throws(SupervisorError) {
        try self.init(name: name, parentPath: parentPath, options: options, children: children,
                      clock: ContinuousClock(), events: events, logger: logger)
    }
}

// Types of the supervisor's machinery, kept outside the generic actor so that using them costs
// no generic metadata look-up per child.

// The large payloads are boxed: the loop's frames hold messages while they wait, and a task
// keeps the largest stack it ever needed.
enum SupervisorMessage: Sendable {
    case childExited(ChildID, generation: UInt64, outcome: ExitOutcome)
    case restartDue(token: UInt64)
    indirect case command(SupervisorCommand)
    case shutdown
    /// What a child's end, decided in the child's task, left to wait for children.
    indirect case carryOut(PendingWork)
}

/// How a run ended; the error boxed, so that every supervisor does not carry its size.
indirect enum RunOutcome: Sendable {
    case success
    case failure(SupervisorError)
}

/// A running child's task and the signal of its end.
struct RunningChild: Sendable {
    var task: Task<Void, Never>
    var exit: ExitSignal
}

enum SupervisorRunState {
    case idle
    case running
    case stopping
}
