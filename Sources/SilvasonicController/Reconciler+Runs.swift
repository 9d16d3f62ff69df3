import ControllerCore
import Logging
import SilvasonicIO

/// The reconciler's two kinds of run: in full (every row, the workers, the orphan sweep) and of
/// some devices alone (their rows only, against the last full run's view of the others).
extension Reconciler {
    /// Reads and plans only `names`, against the last full run's view of the others (their
    /// workspace names, which record); anything that makes that view unsafe — other system
    /// settings, a `max_recorders` limit that binds or would — runs the full reconcile instead.
    func reconcileDevices(_ names: Set<String>, reason: ReconcileReason) async {
        // Read through `self.view` (no local copy), so its sets stay uniquely held and change in place.
        let handedSystem = self.handedSystem
        self.handedSystem = nil
        guard let known = view?.system, view?.limited == false else { return await reconcileOnce(reason: reason) }
        // The rows are read again: a record as the inventory wrote it may be older than what a
        // full run read since (a user's change and its nudge). The system settings read with
        // the sighting are compared with the last full run's as they are (an older value than
        // that run's differs from it, and makes this a full run).
        let records: [DeviceRecord]
        let system: SystemSettings
        do {
            records = try await repository.devices(named: names)
            if let handedSystem { system = handedSystem } else { system = try await repository.systemSettings() }
        } catch {
            return readFailed(reason: reason, error: error)
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
    func readFailed(reason: ReconcileReason, error: any Error) {
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
    func note(_ system: SystemSettings) {
        guard system.problems != systemProblems else { return }
        for problem in system.problems where !systemProblems.contains(problem) {
            logger.warning("system setting of the wrong type", metadata: ["problem": "\(problem)"])
        }
        if system.problems.isEmpty { logger.notice("system settings readable again", metadata: ["was": "\(systemProblems)"]) }
        systemProblems = system.problems
    }

    /// The desired state was read; an unreadable spell before it is said to be over.
    func readSucceeded() {
        lastReadSucceeded = true
        readObserved?(true)
        logger.say(unreadable.cleared(now: .now), ended: "desired state readable again",
                   counted: "failed.reads")
    }

    func reconcileOnce(reason: ReconcileReason) async {
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
}
