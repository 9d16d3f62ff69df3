/// Dynamic children: start, terminate, restart and delete while the supervisor runs.
extension Supervisor {
    // Each operation below, called before the first run(), waits until run() starts and then
    // applies; called after a run has ended (shut down or given up), it throws `notRunning`.

    /// Adds a child at the end of the start order and starts it (OTP's `start_child`).
    /// - Throws: ``SupervisorError``: `notRunning`, `duplicateChildID` or a spec error.
    public nonisolated func startChild(_ spec: ChildSpec) async throws {
        try await send { .start(spec, $0) }
    }

    /// Adds a child that carries a handle — the value other code reaches it through, such as
    /// the actor it runs — and starts it. ``handle(of:as:)`` finds the handle from the moment this
    /// is called (no hop to the supervisor's actor) for as long as the supervisor keeps the
    /// child: until it is deleted, or until a temporary child ends or is terminated. A keyed
    /// dynamic supervisor, as OTP's registries make one: a child per connection or per device,
    /// found by its id, with no second table beside the supervisor's own.
    /// - Throws: ``SupervisorError``: `duplicateChildID` (a child or a handle has this id),
    ///   `notRunning`, or a spec error; the handle is released again.
    public nonisolated func startChild<Handle: Sendable>(_ spec: ChildSpec, handle: Handle) async throws {
        guard childHandles.insert(handle, for: spec.id) else {
            throw SupervisorError(code: .duplicateChildID, supervisor: path, child: spec.id,
                                  message: "a child with the id \"\(spec.id)\" exists already")
        }
        var spec = spec
        spec.hasHandle = true
        do {
            try await send { .start(spec, $0) }
        } catch {
            childHandles.remove([spec.id])
            throw error
        }
    }

    /// The handle the child `id` was started with (``startChild(_:handle:)``), if it has one of
    /// that type; read without a hop to the supervisor's actor.
    public nonisolated func handle<Handle: Sendable>(of id: ChildID, as type: Handle.Type = Handle.self) -> Handle? {
        childHandles.handle(of: id, as: type)
    }

    /// Every child's handle of that type, by id.
    public nonisolated func handles<Handle: Sendable>(as type: Handle.Type = Handle.self) -> [ChildID: Handle] {
        childHandles.all(as: type)
    }

    /// Releases the handles of the children the core removed since last asked.
    func releaseRemovedHandles() {
        guard !core.removedWithHandles.isEmpty else { return }
        childHandles.remove(core.removedWithHandles)
        core.removedWithHandles.removeAll()
    }

    /// Stops a child as its shutdown says; a temporary child's spec is removed, any other's kept
    /// (OTP's `terminate_child`). A pending restart of the child is cancelled.
    public nonisolated func terminateChild(_ id: ChildID) async throws {
        try await send { .terminate(id, $0) }
    }

    /// Starts a stopped child again (OTP's `restart_child`).
    /// - Throws: ``SupervisorError`` `childAlreadyRunning` when it runs or is about to.
    public nonisolated func restartChild(_ id: ChildID) async throws {
        try await send { .restart(id, $0) }
    }

    /// Removes a stopped child's spec (OTP's `delete_child`).
    /// - Throws: ``SupervisorError`` `childRunning` when it runs or is about to.
    public nonisolated func deleteChild(_ id: ChildID) async throws {
        try await send { .delete(id, $0) }
    }

    /// Sends the command to the loop, without a hop to the actor: a supervisor that has ended
    /// (its mailbox is finished) refuses it at once, one that is ending when its loop reads it.
    private nonisolated func send(_ make: (CheckedContinuation<Void, any Error>) -> SupervisorCommand) async throws {
        try await withCheckedThrowingContinuation { continuation in
            let command = make(continuation)
            if !mailbox.send(.command(command)) { refuse(command) }
        }
    }

    nonisolated func refuse(_ command: SupervisorCommand) {
        switch command {
        case .start(_, let reply), .terminate(_, let reply), .restart(_, let reply), .delete(_, let reply):
            reply.resume(throwing: notRunning())
        }
    }

    private nonisolated func notRunning() -> SupervisorError {
        SupervisorError(code: .notRunning, supervisor: path, message: "the supervisor is shutting down or has ended")
    }

    /// A command, carried out as far as it can without waiting: only the terminate of a running
    /// child waits (for it to stop).
    @inline(never)
    func handleNow(_ command: SupervisorCommand) -> PendingWork? {
        switch command {
        case .start(let spec, let reply):
            do throws(SupervisorError) {
                try Validation.check(spec, options: options, path: path)
                guard !core.contains(spec.id) else {
                    // Not the handle of the child that has this id: the caller releases it.
                    throw SupervisorError(code: .duplicateChildID, supervisor: path, child: spec.id,
                                          message: "a child with the id \"\(spec.id)\" exists already")
                }
                core.add(spec)
                launch(spec.id)
                reply.resume()
            } catch {
                reply.resume(throwing: error)
            }
        case .terminate(let id, let reply):
            guard let state = core.state(of: id) else {
                reply.resume(throwing: noSuchChild(id))
                return nil
            }
            if state == .running { return .terminate(id, reply) }
            core.childStopped(id)
            releaseRemovedHandles()
            reply.resume()
        case .restart(let id, let reply):
            guard let state = core.state(of: id) else {
                reply.resume(throwing: noSuchChild(id))
                return nil
            }
            guard state == .stopped else {
                reply.resume(throwing: SupervisorError(
                    code: .childAlreadyRunning, supervisor: path, child: id, message: "the child is \(state.rawValue)"))
                return nil
            }
            core.prepareManualRestart(id)
            launch(id)
            reply.resume()
        case .delete(let id, let reply):
            guard let state = core.state(of: id) else {
                reply.resume(throwing: noSuchChild(id))
                return nil
            }
            guard state == .stopped else {
                reply.resume(throwing: SupervisorError(
                    code: .childRunning, supervisor: path, child: id,
                    message: "the child is \(state.rawValue); terminate it first"))
                return nil
            }
            core.delete(id)
            releaseRemovedHandles()
            reply.resume()
        }
        return nil
    }

    private func noSuchChild(_ id: ChildID) -> SupervisorError {
        SupervisorError(code: .noSuchChild, supervisor: path, child: id, message: "no child has this id")
    }
}

/// A dynamic-children request, answered through its continuation.
enum SupervisorCommand: Sendable {
    case start(ChildSpec, CheckedContinuation<Void, any Error>)
    case terminate(ChildID, CheckedContinuation<Void, any Error>)
    case restart(ChildID, CheckedContinuation<Void, any Error>)
    case delete(ChildID, CheckedContinuation<Void, any Error>)
}
