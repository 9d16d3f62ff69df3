import ControllerCore
import Foundation
import Logging
import SilvasonicHardware
import SilvasonicIO
import SilvasonicPodman
import Supervision

/// The station's own children beside the device side (``Station/supervisor(beside:)``): the
/// engine events' observer, the scanner, the ticker, the controller's heartbeat, systemd's
/// notifications, the summary, the lifecycle events' publisher and the seeding they retry.
extension Station {
    /// What the station keeps of the engine's events: the subscription's health, counts of
    /// deaths and removals, and `container_died` lifecycle events.
    var observeEngineEvent: @Sendable (ContainerEventFollow) -> Void {
        let outage = StreamOutage("Podman's event stream", logger: logger)
        return { [board, metrics, events] event in
            switch event {
            case .subscribed:
                board.update { $0.podmanSubscribed = true }
                outage.subscribed()
            case .element(let container):
                let service = container.labels["io.silvasonic.service"] ?? "unknown"
                switch container.action {
                case .died(let code):
                    metrics.containerEvent("died", service: service)
                    events.emit(.containerDied(containerID: container.containerID, exitCode: code,
                                               deviceID: container.labels["io.silvasonic.device_id"], service: service))
                case .remove: metrics.containerEvent("removed", service: service)
                default: break
                }
            case .interrupted(let error, let retryIn):
                board.update { $0.podmanSubscribed = false }
                metrics.streamInterrupted("podman_events")
                outage.interrupted(error, retryIn: retryIn)
            }
        }
    }

    /// The scanner, reading the stored bus paths when it starts.
    func scanner() -> ScannerActor {
        ScannerActor(roots: settings.hardwareRoots, interval: settings.scanInterval, listening: settings.uevents, logger: logger,
                     knownBusPaths: { [db, logger] in
            // Which port holds which id of microphones sharing a USB serial; nil (the scan waits)
            // while the database does not answer.
            do {
                var known: [String: String] = [:]
                for record in try await DeviceRepository(db: db).devices() {
                    if let busPath = record.row.hardware.usbBusPath { known[record.row.name] = busPath }
                }
                return known
            } catch {
                logger.debug("stored bus paths not read", metadata: ["error": "\(error)"])
                return nil
            }
        }, handle: { [inventory] update in await inventory.handle(update) })
    }

    /// Publishes the controller's heartbeat forever: whenever Redis answers, never given up on.
    func heartbeat() async throws {
        var resources = ResourceReader()
        var failing = false
        let ttl = ControllerHeartbeat.ttlSeconds(interval: settings.heartbeatInterval)
        while true {
            let payload = ControllerHeartbeat.payload(health: health(), usage: resources.usage(), timestamp: Date())
            let text = String(decoding: try JSONEncoder().encode(payload), as: UTF8.self)
            do {
                try await redis.set(ControllerHeartbeat.key, text, expiresInSeconds: ttl)
                try await redis.publish(text, to: "silvasonic:status")
                if failing { logger.info("heartbeat published again") }
                failing = false
            } catch {
                if !failing { logger.warning("heartbeat not published; trying at every interval", metadata: ["error": "\(error)"]) }
                failing = true
            }
            try await Task.sleep(for: settings.heartbeatInterval)
        }
    }

    /// Tells systemd the tree runs, then feeds its watchdog (at half its timeout) only while the
    /// controller is live: a controller whose tree makes no progress is restarted by systemd,
    /// its recorders left running and adopted by the next start. Says `STOPPING=1` when stopped.
    func notifySystemd(_ notifier: SystemdNotifier) async throws {
        if !notifier.send("READY=1\nSTATUS=supervision tree running") {
            logger.warning("systemd's notification socket does not answer", metadata: ["socket": "\(notifier.socketPath)"])
        }
        defer { notifier.send("STOPPING=1") }
        guard let timeout = notifier.watchdogTimeout else {
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
        var wasLive = true
        while true {
            let health = health()
            if health.live {
                notifier.send(wasLive ? "WATCHDOG=1" : "WATCHDOG=1\nSTATUS=live again")
            } else {
                let failing = StatusTree.failingComponents(ControllerHeartbeat.healthJSON(health)).joined(separator: "; ")
                notifier.send("STATUS=not live: \(failing)")
                if wasLive {
                    logger.error("not live: systemd's watchdog is no longer fed, and restarts the controller at its timeout",
                                 metadata: ["failing": "\(failing)", "timeout": "\(timeout)"])
                }
            }
            wasLive = health.live
            try await Task.sleep(for: timeout / 2)
        }
    }

    /// Ends the verbose start-up window, then logs a summary at every interval.
    func summarize() async throws {
        try await Task.sleep(for: settings.logStartup)
        if verbosity.level < .notice {
            logger.notice("start-up over: from now on warnings, errors and a summary every interval",
                          metadata: ["interval": "\(settings.logSummaryInterval)"])
            verbosity.set(.notice)
        }
        var last = (completed: 0, failed: 0, forwarded: 0, dropped: 0)
        while true {
            let health = health()
            let completed = await reconciler.completedRuns, failed = await reconciler.failedRuns
            let ignored = await ignoredNudges
            let forwarded = tree.devices.logCounters.forwarded, dropped = tree.devices.logCounters.dropped
            logger.notice("summary", metadata: [
                "health": "\(health.status)", "devices": "\(health.components["devices"]?.details ?? "?")",
                "reconciles": "\(completed - last.completed)", "reconciles.unreadable": "\(failed - last.failed)",
                "log.forwarded": "\(forwarded - last.forwarded)", "log.dropped": "\(dropped - last.dropped)",
                "nudges.ignored": "\(ignored)", "events.dropped": "\(events.dropped)",
            ])
            last = (completed, failed, forwarded, dropped)
            try await Task.sleep(for: settings.logSummaryInterval)
        }
    }

    /// Drains the lifecycle events into `silvasonic:events`; one that cannot be published is
    /// counted and dropped.
    func publishEvents() async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for await event in events.stream {
            do {
                try await redis.publish(String(decoding: try encoder.encode(event), as: UTF8.self), to: LifecycleEvents.channel)
            } catch {
                events.countDropped()
            }
        }
        try Task.checkCancellation()
    }

    /// Runs the seeders; insert-if-absent, so a run cut short by an outage is simply run again.
    func seed() async {
        let report = await StationSeeder(db: db, sources: settings.seeding, logger: logger).run()
        if report.failedSteps.isEmpty { counters.markSeeded() }
    }

    func tick() async throws {
        var schemaApplied = false
        var schemaFailing = PersistentCondition<ContinuousClock.Instant>()
        var totals = ControllerMetrics.Totals()
        while true {
            if !schemaApplied {
                do {
                    try await DatabaseSchema.apply(db)
                    schemaApplied = true
                    logger.say(schemaFailing.cleared(now: .now), ended: "schema applied",
                               counted: "failed.attempts")
                } catch {
                    logger.say(schemaFailing.occurred(now: .now), started: "schema not applied yet; retrying on every tick",
                               ongoing: "schema still not applied; retrying on every tick",
                               counted: "failed.attempts", metadata: ["error": "\(error)"])
                }
            }
            if schemaApplied, !counters.seeded { await seed() }
            await inventory.resync()
            await reconciler.reconcile(reason: .tick)
            board.update { $0.lastProgress = .now }
            var byState: [String: Int] = [:]
            for state in tree.devices.states().values { byState[state.name, default: 0] += 1 }
            metrics.devices(byState: byState)
            metrics.advance(&totals, forwarded: tree.devices.logCounters.forwarded, dropped: tree.devices.logCounters.dropped,
                            backends: ["postgres": await db.statistics, "redis": await redis.statistics])
            try await Task.sleep(for: settings.reconcileInterval)
        }
    }
}
