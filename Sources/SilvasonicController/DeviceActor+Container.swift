import ControllerCore
import Foundation
import SilvasonicPodman

/// The container child: brings the wanted container up (or the unwanted ones down) and awaits
/// the end its ``DeviceMachine`` decides; each step is reported to the machine as it happens.
extension DeviceActor {
    /// The container child's body. A death the engine leaves, or a lost heartbeat, is thrown for
    /// the supervisor to restart.
    ///
    /// Thousands of devices wait here for as long as their containers run, and a task keeps the
    /// stack it once needed: this body is one `nonisolated` frame that holds only a few values
    /// and waits on an ``EndInbox``. Everything else — the engine's calls, the rules, the
    /// engine's backoff — runs in short-lived tasks (``inShortTask(_:)``) and short isolated calls
    /// (measured: 26 KB a device at 10,000 simulated, docs/performance.md).
    nonisolated func runContainer() async throws {
        await beginContainerRun()
        do {
            if let ends = try await inShortTask({ try await self.bringUpForWatch() }) {
                switch await ends.next() {
                case .died(let id, let code)?:
                    throw RecorderExit.died(containerID: id, exitCode: code)
                case .heartbeatLost(let id)?:
                    try await inShortTask { await self.stopLost(id) }
                    throw RecorderExit.heartbeatLost(containerID: id)
                case nil:
                    throw CancellationError()
                }
            }
            await suspendUntilCancelled()   // nothing is wanted: the unwanted containers are gone
            await endContainerRun()
        } catch let exit as RecorderExit {
            journal.crashed("\(exit)")
            await endContainerRun()
            throw exit
        } catch {
            await endContainerRun()
            throw error
        }
    }

    /// A container child's run begins: nothing of an earlier run's ends is taken.
    private func beginContainerRun() {
        ends?.finish()
        ends = EndInbox()
        performNow(machine.runBegan())
    }

    private func endContainerRun() {
        board.set(nil)
        performNow(machine.runEnded())
    }

    /// Brings the wanted container up, then tells the companions it runs; its ends. `nil` when
    /// nothing is wanted (the unwanted containers are stopped and removed). The engine's own
    /// trouble is waited out here, never a crash of the recorder.
    private func bringUpForWatch() async throws -> EndInbox? {
        while true {
            try Task.checkCancellation()
            do {
                guard machine.isWanted else {
                    try await removeUnwanted()
                    journal.set(.idle)
                    machine.idled()
                    environment.settledIdle.withLock { $0 }?(key)
                    return nil
                }
                guard let up = try await bringUp() else {
                    continue   // a drifted container was replaced: looked up again
                }
                journal.set(.running(containerID: up))
                board.set(RunningContainer(containerID: up, spec: machine.desired))
                performNow(machine.running(up, crashLooping: journal.snapshot.crashLooping))
                guard let ends else { throw CancellationError() }
                return ends
            } catch let failure as EngineFailure {
                try await waitOutEngine(failure)
            }
        }
    }

    /// Waits the engine's backoff after a failed call (cut short when Podman's events return:
    /// the children start over).
    @inline(never)
    private nonisolated func waitOutEngine(_ failure: EngineFailure) async throws {
        journal.record(.engineError(failure.description))
        let delay = await engineFailed()
        journal.set(.backingOff, retryAt: clock.now.advanced(by: delay))
        try await clock.sleep(for: delay)
        await engineWaitOver()
    }

    private func engineFailed() -> Duration { machine.engineFailed(backoff: environment.engineBackoff) }
    private func engineWaitOver() { machine.engineWaitOver() }

    /// Looks the device's container up and follows ``RecorderRules``: adopts, starts, or creates
    /// and starts it; the container that runs, or `nil` when a drifted one was replaced (it is
    /// looked up again).
    private func bringUp() async throws -> String? {
        guard let spec = machine.desired else { return nil }
        journal.set(.inspecting)
        let existing = try await engineStep("looking up the container") { try await self.findContainer(spec) }
        switch RecorderRules.step(for: existing, wantedHash: spec.labelledHash) {
        case .adopt(let found):
            performNow(machine.watching(found, startedByController: false))
            journal.set(.running(containerID: found))
            journal.record(.adopted(containerID: found))
            return found
        case .start(let found):
            try await start(found)
            return found
        case .replace(let old):
            try await stopAndRemove(old, because: .configDrift)
            return nil
        case .create:
            let id = try await create(spec)
            try await start(id)
            return id
        }
    }

    /// Stops the container whose heartbeat was lost; a failure is said, the crash stands.
    private func stopLost(_ id: String) async {
        do { try await stopAndRemove(id, because: .heartbeatLost) } catch {
            logger.warning("the container that lost its heartbeat was not stopped",
                           metadata: ["device.id": .string(key), "error": "\(error)"])
        }
    }

    /// Stops and removes every container of this device (it is not wanted), each with the reason.
    private func removeUnwanted() async throws {
        let found = try await engineStep("looking up the container") {
            try await self.engine.list(labels: self.deviceLabels, statuses: [])
        }
        for container in found { try await stopAndRemove(container.id, because: .unwanted(machine.idleReason)) }
    }

    private func create(_ spec: Tier2Spec) async throws -> String {
        journal.set(.creating)
        let id = try await engineStep("creating \(spec.name)") {
            try MountSources.prepare(spec.mounts)
            return try await self.engine.create(spec.podmanSpec)
        }
        journal.record(.created(containerID: id))
        return id
    }

    /// Starts the container; its events are watched from before the call, so that a crash at
    /// once (its `died` event taken while the call is in flight) is judged.
    private func start(_ id: String) async throws {
        journal.set(.starting(containerID: id))
        performNow(machine.watching(id, startedByController: true))
        try await engineStep("starting \(id)") { try await self.engine.start(id) }
        journal.set(.running(containerID: id))
        journal.record(.started(containerID: id))
    }

    func stopAndRemove(_ id: String, because reason: StopReason) async throws {
        journal.set(.stopping(containerID: id))
        journal.record(.stopping(containerID: id, reason: reason))
        try await engineStep("stopping \(id)") {
            do {
                try await self.engine.stop(id, timeoutSeconds: 10)
                try await self.engine.remove(id, force: true)
            } catch let error as PodmanError where error.code == .notFound {
                return   // gone already
            }
        }
    }

    /// The device's container: the one with the spec's name, else any other this controller
    /// made for the device (its profile changed since).
    private func findContainer(_ spec: Tier2Spec) async throws -> ExistingContainer? {
        let found = try await engine.list(labels: deviceLabels, statuses: [])
        guard let match = found.first(where: { $0.name == spec.name }) ?? found.first else { return nil }
        return ExistingContainer(containerID: match.id, configHash: match.labels[Tier2Spec.configHashLabel],
                                 running: match.state == "running")
    }

    private nonisolated var deviceLabels: [String: String] {
        ["io.silvasonic.owner": environment.owner, "io.silvasonic.service": journal.service,
         "io.silvasonic.device_id": journal.deviceID]
    }

    /// Runs one engine call; its error becomes an ``EngineFailure`` naming what was tried.
    private func engineStep<T: Sendable>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw EngineFailure(what: what, error: error)
        }
    }
}

extension ContainerWatch.Event {
    /// The fact a Podman event states about the watched container; `nil` for what does not
    /// bear on its life (`create`, `init`, `attach`, health, ...).
    init?(_ action: ContainerEvent.Action) {
        switch action {
        case .start: self = .started
        case .kill, .stop: self = .stopRequested
        case .died(let code): self = .died(exitCode: code)
        case .restart: self = .engineRestarting
        case .cleanup: self = .cleanedUp
        case .remove: self = .removed
        case .create, .initialize, .pause, .unpause, .healthStatus, .other: return nil
        }
    }
}
