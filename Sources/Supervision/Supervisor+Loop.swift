/// The message loop: the only place that changes a running supervisor's state.
///
/// Each message is decided synchronously on the actor (``processNow(_:)``); what must wait for
/// children to stop (a terminate, a sibling stopped before a restart) is carried out in a
/// short-lived task of its own, so the loop's long-lived task keeps only the small stack it waits
/// with (a task keeps the largest stack it ever needed, and thousands of supervisors wait at
/// once); the end of the run is carried out in the loop's task. A child's end that can restart
/// no sibling is decided by the child's own task, on the actor, when the loop is idle
/// (``childEnded(_:generation:outcome:from:)``): no wake-up of the loop.
extension Supervisor {
    /// Takes the next message and carries it out; the loop in ``run()`` calls it for every
    /// message until the supervisor ends, then for those still queued, which it refuses. The
    /// run's result is left in `outcome`. A frame of its own, made only while a message is
    /// handled: the loop's waiting frames stay small.
    @inline(never)
    func handleNext(from mailbox: Mailbox) async {
        guard let message = mailbox.take(), let work = processNow(message) else { return }
        // The end of the run is carried out here: this task's stack no longer matters.
        if case .end = work { await carryOut(work) } else { await carryOutApart(work) }
    }

    /// A child's task has ended: when its end can touch no sibling (always under one-for-one)
    /// and the loop waits with nothing queued, decided here, in that task (the usual case: a
    /// restart costs no hand-off to the loop's task); otherwise queued behind what the loop has
    /// yet to do. What must wait for children (the end of the run) is handed to the loop. An end
    /// that stops siblings before a restart always goes through the loop, where the stops and
    /// the restart are one step.
    func childEnded(_ id: ChildID, generation: UInt64, outcome: ExitOutcome, from mailbox: Mailbox) {
        let message = SupervisorMessage.childExited(id, generation: generation, outcome: outcome)
        guard mailbox === self.mailbox, core.endTouchesNoSibling(id), mailbox.isWaitingIdle else {
            mailbox.send(message)
            return
        }
        if let work = processNow(message) { mailbox.send(.carryOut(work)) }
    }

    /// Carries one message out as far as it can without waiting; what is left to wait for.
    @inline(never)
    func processNow(_ message: SupervisorMessage) -> PendingWork? {
        guard outcome == nil else {
            // Ending: no new message is accepted; those already queued are drained and refused.
            if case .command(let command) = message { refuse(command) }
            return nil
        }
        switch message {
        case .childExited(let id, let generation, let exit):
            return exitDecided(id, generation: generation, outcome: exit)
        case .restartDue(let token):
            timers[token] = nil
            for id in core.restartDue(token: token) { launch(id) }
            return nil
        case .command(let command):
            return handleNow(command)
        case .shutdown:
            return .end(.success, announce: .shutDown)
        case .carryOut(let work):
            return work
        }
    }

    /// Carries out what waits for children in a task of its own, awaited by the loop: its stack
    /// is freed when it ends. It runs on the actor, where the loop's cancellation (a cancelled
    /// `run()`) does not reach its waits.
    @inline(never)
    private func carryOutApart(_ work: PendingWork) async {
        await Task { await self.carryOut(work) }.value
    }

    @inline(never)
    private func carryOut(_ work: PendingWork) async {
        switch work {
        case .restart(let failed, let stop, let restart, let delay, let token):
            for sibling in stop { await stopChild(sibling) }
            scheduleRestarts(restart, after: failed, delay: delay, token: token)
        case .terminate(let id, let reply):
            await stopChild(id)
            core.childStopped(id)
            releaseRemovedHandles()
            reply.resume()
        case .end(let result, let announce):
            await stopAll()
            emit(nil, announce)
            if announce == .shutDown { log(.debug, "supervisor shut down") }
            outcome = result
            mailbox.finish()
        }
    }

    /// The decision on a child's end, up to what must wait for children.
    private func exitDecided(_ id: ChildID, generation: UInt64, outcome: ExitOutcome) -> PendingWork? {
        guard core.isCurrent(id, generation: generation) else { return nil }   // stopped on purpose
        _ = core.detach(id)
        switch outcome {
        case .normal:
            emit(id, .exitedNormally)
            log(.debug, "child exited normally", ["child": .string(id)])
        case .failed(let error):
            emit(id, .failed(String(describing: error)))
            log(.error, "child failed", ["child": .string(id), "error": .string(String(describing: error))])
        }
        let decision = core.childExited(id, generation: generation, outcome: outcome, at: now,
                                        randomUnit: { self.nextRandomUnit() })
        releaseRemovedHandles()
        switch decision {
        case .none:
            return nil
        case .restart(let stop, let restart, let delay, let token, let crashLooping):
            if crashLooping {
                let intensity = options.intensity
                emit(id, .crashLooping(maxRestarts: intensity.maxRestarts, within: intensity.period, retryEvery: delay))
                log(.error, options.intensityPolicy == .retryAtCap
                        ? "restart intensity exceeded; crash-looping, retried at the backoff's cap"
                        : "restart intensity exceeded; crash-looping, restarted along the backoff", [
                    "child": .string(id), "maxRestarts": .stringConvertible(intensity.maxRestarts),
                    "period": .string("\(intensity.period)"), "retryEvery": .string("\(delay)"),
                ])
            }
            guard stop.isEmpty else { return .restart(failed: id, stop: stop, restart: restart, delay: delay, token: token) }
            scheduleRestarts(restart, after: id, delay: delay, token: token)
            return nil
        case .giveUp(let child):
            let intensity = options.intensity
            emit(child, .gaveUp(maxRestarts: intensity.maxRestarts, within: intensity.period))
            log(.error, "restart intensity exceeded; giving up", [
                "child": .string(child), "maxRestarts": .stringConvertible(intensity.maxRestarts),
                "period": .string("\(intensity.period)"),
            ])
            return .end(.failure(SupervisorError(
                code: .restartIntensityExceeded, supervisor: path, child: child,
                message: "more than \(intensity.maxRestarts) restarts within \(intensity.period)")), announce: .escalated)
        case .autoShutdown(let child):
            log(.info, "significant child ended; shutting down", ["child": .string(child)])
            return .end(.success, announce: .shutDown)
        }
    }

    /// Starts the restart batch `token` (after `failed` ended) now, or after `delay`.
    private func scheduleRestarts(_ restart: [ChildID], after failed: ChildID, delay: Duration, token: UInt64) {
        for child in restart { emit(child, .restartScheduled(after: delay)) }
        log(.info, "restarting", [
            "child": .string(failed), "children": .array(restart.map { .string($0) }), "delay": .string("\(delay)"),
        ])
        if delay <= .zero {
            for child in core.restartDue(token: token) { launch(child) }
        } else {
            let clock = self.clock, mailbox = self.mailbox
            timers[token] = Task {
                do {
                    try await clock.sleep(for: delay)
                } catch {
                    return   // cancelled: the supervisor is shutting down
                }
                mailbox.send(.restartDue(token: token))
            }
        }
    }

    /// Stops every running child in reverse start order and drops pending restarts.
    // Not inlined into the loop: the waiting loop's frame stays small, and a task keeps the
    // largest stack it ever needed (an idle supervisor never runs this).
    @inline(never)
    func stopAll() async {
        let running = beginStopping()
        if stopsConcurrently {
            await stopConcurrently(running)
            for id in running { recordStopped(id) }
        } else {
            for id in running {
                await stopChild(id)
                recordStopped(id)
            }
        }
    }

    private var stopsConcurrently: Bool { options.shutdownOrder == .concurrent }

    /// The core's record of a stop, out of line for the same reason as ``beginStopping()``.
    @inline(never)
    func recordStopped(_ id: ChildID) {
        core.childStopped(id)
        releaseRemovedHandles()
    }

    /// Drops the pending restarts; the running children in the order to stop them. Apart from
    /// ``stopAll()``: an async function's frame holds its synchronous parts' temporaries too (the
    /// records read here made it 2 KB, a fresh stack slab for every supervisor that stops).
    @inline(never)
    private func beginStopping() -> [ChildID] {
        runState = .stopping
        for timer in timers.values { timer.cancel() }
        timers.removeAll()
        core.cancelPendingRestarts()
        releaseRemovedHandles()
        return core.runningInStopOrder
    }

    /// Cancels every child at once, then waits for them, each no longer than its own shutdown
    /// allows from the moment it was cancelled: the children without a timeout are waited for
    /// together (one wake-up, not one per child), and children with the same timeout share one
    /// deadline, and so one timer.
    private func stopConcurrently(_ ids: [ChildID]) async {
        let children = ids.compactMap { id in core.detach(id).map { (id, $0.handle, $0.shutdown) } }
        for (_, child, _) in children {
            child.exit.markStopping()
            child.task.cancel()
        }
        let started = clock.now
        var unlimited: [ExitSignal] = []
        var byTimeout: [Duration: [(ChildID, ExitSignal)]] = [:]
        for (id, child, shutdown) in children {
            switch shutdown {
            case .brutalKill: break
            case .infinity: if !child.exit.isFinished { unlimited.append(child.exit) }
            case .timeout(let limit): byTimeout[limit, default: []].append((id, child.exit))
            }
        }
        if !unlimited.isEmpty { await ExitSignal.all(unlimited).waitIgnoringCancellation() }
        for limit in byTimeout.keys.sorted() {
            let group = byTimeout[limit]!
            let remaining = limit - started.duration(to: clock.now)
            let allEnded = ExitSignal.all(group.map { $0.1 })
            if await !allEnded.wait(upTo: max(remaining, .zero), on: clock) {
                for (id, exit) in group where !exit.isFinished {
                    emit(id, .abandoned(after: limit))
                    log(.warning, "child ignored cancellation; abandoned", [
                        "child": .string(id), "timeout": .string("\(limit)"),
                    ])
                }
            }
        }
        for (id, _, _) in children { emit(id, .stopped) }
    }

    /// Cancels a child's task and waits for it as its shutdown says; reports abandonment.
    func stopChild(_ id: ChildID) async {
        guard let (running, shutdown) = core.detach(id) else { return }
        running.exit.markStopping()
        running.task.cancel()
        switch shutdown {
        case .brutalKill:
            break
        case .infinity:
            await running.exit.waitIgnoringCancellation()
        case .timeout(let limit):
            if await !running.exit.wait(upTo: limit, on: clock) {
                emit(id, .abandoned(after: limit))
                log(.warning, "child ignored cancellation; abandoned", [
                    "child": .string(id), "timeout": .string("\(limit)"),
                ])
            }
        }
        emit(id, .stopped)
    }
}

/// What a message leaves to wait for: children to stop.
enum PendingWork: Sendable {
    /// `failed` ended: stop `stop` in order, then start the batch `token` (`restart`) after `delay`.
    case restart(failed: ChildID, stop: [ChildID], restart: [ChildID], delay: Duration, token: UInt64)
    /// An operator's terminate of a running child.
    case terminate(ChildID, CheckedContinuation<Void, any Error>)
    /// Stop every child, announce how the supervisor ended, and end the run with `result`.
    case end(RunOutcome, announce: SupervisionEvent.Kind)
}
