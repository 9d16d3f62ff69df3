package import ControllerCore
import SilvasonicPodman

/// A device's node lives while the device is plugged in or wanted: made for a desire that needs
/// it (or a container of it to stop), removed when its actor retires, and replaced when a desire
/// reaches one that retired meanwhile.
extension DeviceSupervisor {
    /// Hands a node its desire; a node that retired meanwhile is replaced by a new one that
    /// takes it (when it needs a node at all).
    func tell(_ device: DeviceActor<C>, _ spec: Tier2Spec?, _ reason: IdleReason) async {
        guard await !device.setDesired(spec, because: reason) else { return }
        // Refused: it retired in a removal registered before it did, so that removal is
        // awaited here (or is over).
        _ = await retiring[device.key]?.value
        if let successor = self.device(device.key) {
            if successor !== device { return await tell(successor, spec, reason) }
            // Its removal failed: removed now, before the new node.
            do {
                try await supervisor.terminateChild(device.key)
                try await supervisor.deleteChild(device.key)
            } catch {
                logger.warning("a retired device node could not be removed; its desire waits for the next change",
                               metadata: ["device.id": "\(device.key)", "error": "\(error)"])
                return
            }
        }
        let needsNode = spec != nil || reason.deviceIsPresent
        if !needsNode, await withContainers([device.key]).isEmpty { return }
        await start(device.key, spec, reason)
    }

    /// Which of `keys` have containers of this kind: one listing of the owner's containers.
    /// When the engine does not answer, all of them (their nodes wait it out, then retire).
    func withContainers(_ keys: some Collection<String>) async -> Set<String> {
        let keys = Set(keys)
        var labels = ["io.silvasonic.owner": environment.owner]
        if kind == .recorders { labels["io.silvasonic.service"] = "recorder" }
        do {
            let found = try await environment.engine.list(labels: labels, statuses: [])
            return Set(found.compactMap { ownerKey(of: $0.labels) }).intersection(keys)
        } catch {
            logger.debug("containers not listed; each device looks itself", metadata: ["error": "\(error)"])
            return keys
        }
    }

    /// The key of the node a container with these labels belongs to here, if any.
    func ownerKey(of labels: [String: String]) -> String? {
        guard let service = labels["io.silvasonic.service"] else { return nil }
        switch kind {
        case .recorders: return service == "recorder" ? labels["io.silvasonic.device_id"] : nil
        case .workers: return service == "recorder" ? nil : service
        }
    }

    /// Removes the node of `key` when its actor retires (it wants nothing, its device is not
    /// plugged in, its containers are gone): a device that is neither present nor wanted holds
    /// nothing in the tree.
    func retireIfDone(_ key: String) async {
        guard retiring[key] == nil, let device = device(key) else { return }
        // Registered before the actor is asked, so a desire it refuses finds the removal.
        let removal = Task { [supervisor, logger] () -> Bool in
            guard await device.retire() else { return false }
            do {
                try await supervisor.terminateChild(key)
                try await supervisor.deleteChild(key)
                logger.debug("device node removed: nothing wanted, not plugged in", metadata: ["device.id": "\(key)"])
            } catch {
                logger.debug("device node not removed", metadata: ["device.id": "\(key)", "error": "\(error)"])
            }
            return true
        }
        retiring[key] = removal
        let retired = await removal.value
        retiring[key] = nil
        if retired { removed?.yield(key) }
    }

    /// A node for `key` with this decision when it has none (a container of a device whose
    /// node retired, found by the reconciler's sweep): it stops what is not wanted.
    package func ensureNode(_ key: String, _ decision: Reconciliation.Decision) async {
        guard device(key) == nil, retiring[key] == nil else { return }
        switch decision {
        case .record(let spec): await start(key, spec, .offline)
        case .idle(let reason): await start(key, nil, reason)
        case .keep: break
        }
    }
}
