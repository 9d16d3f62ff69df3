/// The message loop: the only place that changes a running supervisor's state.
extension Supervisor {
    /// Processes messages until the supervisor ends; then refuses the commands still queued.
    func processMessages(_ mailbox: Mailbox) async -> Result<Void, SupervisorError> {
        var outcome: Result<Void, SupervisorError>?
        while let message = await mailbox.next() {
            if outcome != nil {
                if case .command(let command) = message { refuse(command) }
                continue
            }
            outcome = await process(message)
            // Ending: no new message is accepted; those already queued are drained above.
            if outcome != nil { mailbox.finish() }
        }
        return outcome ?? .success(())
    }

    /// Carries one message out; the supervisor's own result when it must end.
    @inline(never)
    private func process(_ message: SupervisorMessage) async -> Result<Void, SupervisorError>? {
        switch message {
        case .childExited(let id, let generation, let exit):
            return await childExited(id, generation: generation, outcome: exit)
        case .restartDue(let token):
            timers[token] = nil
            for id in core.restartDue(token: token) { launch(id) }
            return nil
        case .command(let command):
            await handle(command)
            return nil
        case .shutdown:
            return await shutDown()
        }
    }

    /// Stops every child and ends the run normally.
    @inline(never)
    private func shutDown() async -> Result<Void, SupervisorError> {
        await stopAll()
        emit(nil, .shutDown)
        log(.debug, "supervisor shut down")
        return .success(())
    }

    // Not inlined into the loop: the waiting loop's frame stays small, and a task keeps the
    // largest stack it ever needed (an idle supervisor never runs this).
    @inline(never)
    private func childExited(_ id: ChildID, generation: UInt64, outcome: ExitOutcome) async
        -> Result<Void, SupervisorError>? {
        guard core.isCurrent(id, generation: generation) else { return nil }   // stopped on purpose
        tasks[id] = nil
        switch outcome {
        case .normal:
            emit(id, .exitedNormally)
            log(.debug, "child exited normally", ["child": .string(id)])
        case .failed(let error):
            emit(id, .failed(String(describing: error)))
            log(.error, "child failed", ["child": .string(id), "error": .string(String(describing: error))])
        }
        let decision = core.childExited(id, generation: generation, outcome: outcome, at: clock.now,
                                        randomUnit: { self.nextRandomUnit() })
        switch decision {
        case .none:
            return nil
        case .restart(let stop, let restart, let delay, let token, let crashLooping):
            if crashLooping {
                let intensity = options.intensity
                emit(id, .crashLooping(maxRestarts: intensity.maxRestarts, within: intensity.period, retryEvery: delay))
                log(.error, "restart intensity exceeded; crash-looping, retried at the backoff's cap", [
                    "child": .string(id), "maxRestarts": .stringConvertible(intensity.maxRestarts),
                    "period": .string("\(intensity.period)"), "retryEvery": .string("\(delay)"),
                ])
            }
            for sibling in stop { await stopChild(sibling) }
            for child in restart { emit(child, .restartScheduled(after: delay)) }
            log(.info, "restarting", [
                "child": .string(id), "children": .array(restart.map { .string($0) }), "delay": .string("\(delay)"),
            ])
            if delay <= .zero {
                for child in core.restartDue(token: token) { launch(child) }
            } else {
                scheduleRestart(token: token, after: delay)
            }
            return nil
        case .giveUp(let child):
            let intensity = options.intensity
            emit(child, .gaveUp(maxRestarts: intensity.maxRestarts, within: intensity.period))
            log(.error, "restart intensity exceeded; giving up", [
                "child": .string(child), "maxRestarts": .stringConvertible(intensity.maxRestarts),
                "period": .string("\(intensity.period)"),
            ])
            await stopAll()
            emit(nil, .escalated)
            return .failure(SupervisorError(
                code: .restartIntensityExceeded, supervisor: path, child: child,
                message: "more than \(intensity.maxRestarts) restarts within \(intensity.period)"))
        case .autoShutdown(let child):
            log(.info, "significant child ended; shutting down", ["child": .string(child)])
            await stopAll()
            emit(nil, .shutDown)
            return .success(())
        }
    }

    private func scheduleRestart(token: UInt64, after delay: Duration) {
        let clock = self.clock
        timers[token] = Task {
            do {
                try await clock.sleep(for: delay)
            } catch {
                return   // cancelled: the supervisor is shutting down
            }
            self.mailbox.send(.restartDue(token: token))
        }
    }

    /// Stops every running child in reverse start order and drops pending restarts.
    // Not inlined into the loop: the waiting loop's frame stays small, and a task keeps the
    // largest stack it ever needed (an idle supervisor never runs this).
    @inline(never)
    func stopAll() async {
        runState = .stopping
        for timer in timers.values { timer.cancel() }
        timers.removeAll()
        core.cancelPendingRestarts()
        let running = core.runningInStopOrder
        switch options.shutdownOrder {
        case .reverseStartOrder:
            for id in running {
                await stopChild(id)
                core.childStopped(id)
            }
        case .concurrent:
            await stopConcurrently(running)
            for id in running { core.childStopped(id) }
        }
    }

    /// Cancels every child at once, then waits for them, each no longer than its own shutdown
    /// allows: children with the same timeout share one deadline, and so one timer.
    private func stopConcurrently(_ ids: [ChildID]) async {
        let children = ids.compactMap { id in tasks.removeValue(forKey: id).map { (id, $0) } }
        for (_, child) in children { child.task.cancel() }
        var byTimeout: [Duration: [(ChildID, ExitSignal)]] = [:]
        for (id, child) in children {
            switch child.shutdown {
            case .brutalKill: break
            case .infinity: await child.exit.waitIgnoringCancellation()
            case .timeout(let limit): byTimeout[limit, default: []].append((id, child.exit))
            }
        }
        let started = clock.now
        for limit in byTimeout.keys.sorted() {
            let group = byTimeout[limit]!
            let remaining = limit - started.duration(to: clock.now)
            let allEnded = ExitSignal.all(group.map(\.1))
            if await !allEnded.wait(upTo: max(remaining, .zero), on: clock) {
                for (id, exit) in group where !exit.isFinished {
                    emit(id, .abandoned(after: limit))
                    log(.warning, "child ignored cancellation; abandoned", [
                        "child": .string(id), "timeout": .string("\(limit)"),
                    ])
                }
            }
        }
        for (id, _) in children { emit(id, .stopped) }
    }

    /// Cancels a child's task and waits for it as its shutdown says; reports abandonment.
    func stopChild(_ id: ChildID) async {
        guard let running = tasks.removeValue(forKey: id) else { return }
        running.task.cancel()
        switch running.shutdown {
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
