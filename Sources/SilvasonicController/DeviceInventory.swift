public import ControllerCore
import Foundation
import SilvasonicIO
public import Logging
package import SilvasonicHardware

/// The ScannerActor's other half: turns hardware changes into `devices` rows and reconciles.
///
/// Appearing is immediate; a device gone is marked offline only after the grace period,
/// a timer cancelled if the device returns in time (contract §4). A write that fails (the
/// database is down) is remembered and retried on the next ``resync()``, so no sighting is lost.
public actor DeviceInventory<C: Clock<Duration>> {
    private let repository: any DeviceStore
    private let onChange: @Sendable (_ reason: ReconcileReason, _ devices: Set<String>) async -> Void
    private let clock: C
    private let grace: Duration
    private let logger: Logger
    private let presence: HardwarePresence
    private let events: LifecycleEvents?
    private var present: [String: AudioDevice] = [:]
    private var graceTimers: [String: Task<Void, Never>] = [:]
    private var unsynced: Set<String> = []
    /// Rows that cannot be written, by device: said once, summarised, said again when written.
    private var unwritable: [String: PersistentCondition<ContinuousClock.Instant>] = [:]
    private var expiredUnsynced: Set<String> = []

    /// - Parameter onChange: called with a reason and the devices whose rows were written (to
    ///   reconcile them).
    /// - Parameter presence: where the devices of each handled scan are published.
    public init(repository: any DeviceStore, clock: C, grace: Duration, logger: Logger,
                presence: HardwarePresence = HardwarePresence(), events: LifecycleEvents? = nil,
                onChange: @escaping @Sendable (_ reason: ReconcileReason, _ devices: Set<String>) async -> Void) {
        self.presence = presence
        self.events = events
        self.repository = repository
        self.clock = clock
        self.grace = grace
        self.logger = logger
        self.onChange = onChange
    }

    /// Devices the last scan saw.
    var presentDevices: Set<String> { Set(present.keys) }

    /// Applies one hardware update.
    package func handle(_ update: HardwareUpdate) async {
        var wrote: Set<String> = []
        var appeared: [String] = [], gone: [String] = []
        // Profiles and settings, read once for all the new devices of one update.
        var matching: MatchingInputs?
        for change in update.changes {
            switch change {
            case .appeared(let device), .changed(let device):
                if present[device.stableID] == nil, case .appeared = change {
                    events?.emit(.deviceAppeared(deviceID: device.stableID, alsaName: device.name))
                }
                present[device.stableID] = device
                appeared.append(device.stableID)
                if let timer = graceTimers.removeValue(forKey: device.stableID) {
                    timer.cancel()
                    logger.info("microphone back within the grace period", metadata: ["device.id": "\(device.stableID)"])
                }
                expiredUnsynced.remove(device.stableID)
                if await sync(device, matching: &matching) { wrote.insert(device.stableID) }
            case .gone(let id):
                present[id] = nil
                gone.append(id)
                unsynced.remove(id)
                unwritable[id] = nil
                logger.info("microphone gone; offline after the grace period unless it returns",
                            metadata: ["device.id": "\(id)", "grace": "\(grace)"])
                startGrace(for: id)
            }
        }
        presence.apply(appeared: appeared, gone: gone)
        if !wrote.isEmpty { await onChange(.hardware, wrote) }
    }

    /// Retries the writes that failed (called on the periodic tick).
    package func resync() async {
        var wrote: Set<String> = []
        var matching: MatchingInputs?
        for id in unsynced.sorted() { if let device = present[id], await sync(device, matching: &matching) { wrote.insert(id) } }
        for id in expiredUnsynced.sorted() where await markOffline(id) { wrote.insert(id) }
        if !wrote.isEmpty { await onChange(.resync, wrote) }
    }

    private func startGrace(for id: String) {
        graceTimers[id]?.cancel()
        let clock = self.clock
        let grace = self.grace
        graceTimers[id] = Task { [weak self] in
            do { try await clock.sleep(for: grace) } catch { return }
            await self?.graceExpired(id)
        }
    }

    private func graceExpired(_ id: String) async {
        graceTimers[id] = nil
        guard present[id] == nil else { return }
        if await markOffline(id) { await onChange(.deviceGone, [id]) }
    }

    /// What a new device is matched against: read once per update, however many devices are new.
    struct MatchingInputs {
        var profiles: [MatchableProfile]
        var autoEnrollment: Bool
    }

    /// Writes the row for a sighting; true when something was written. `matching` is read on
    /// the first new device and kept for the others of the same update.
    private func sync(_ device: AudioDevice, matching: inout MatchingInputs?) async -> Bool {
        do {
            let existing = try await repository.device(device.stableID)
            var match: MatchOutcome = .noMatch
            if existing == nil {
                if matching == nil {
                    let (profiles, problems) = try await repository.profiles()
                    for problem in problems { logger.warning("profile skipped", metadata: ["problem": "\(problem)"]) }
                    matching = MatchingInputs(profiles: profiles.map { MatchableProfile(slug: $0.slug, match: $0.config.match) },
                                              autoEnrollment: try await repository.systemSettings().autoEnrollment)
                }
                if let matching {
                    match = ProfileMatching.match(
                        DeviceIdentity(vendorID: device.vendorID, productID: device.productID, alsaName: device.name),
                        profiles: matching.profiles, autoEnrollment: matching.autoEnrollment)
                }
            }
            let plan = DeviceRowPlan.seen(stableID: device.stableID, hardware: Self.snapshot(device), existing: existing,
                                          firstMatch: { match })
            try await repository.apply(plan, now: Date())
            unsynced.remove(device.stableID)
            logger.say(unwritable[device.stableID]?.cleared(now: .now), ended: "device row written again",
                       counted: "failed.writes", metadata: ["device.id": "\(device.stableID)"])
            unwritable[device.stableID] = nil
            if case .insert(let row) = plan {
                logger.info("new microphone", metadata: ["device.id": "\(row.name)", "enrollment": "\(row.enrollmentStatus)",
                                                         "profile": "\(row.profileSlug ?? "none")"])
            }
            return plan != .unchanged
        } catch {
            unsynced.insert(device.stableID)
            logger.say(unwritable[device.stableID, default: PersistentCondition()].occurred(now: .now),
                       started: "device row not written; retrying on every tick",
                       ongoing: "device row still not written; retrying on every tick",
                       counted: "failed.writes", metadata: ["device.id": "\(device.stableID)", "error": "\(error)"])
            return false
        }
    }

    private func markOffline(_ id: String) async -> Bool {
        do {
            guard let existing = try await repository.device(id) else { expiredUnsynced.remove(id); return false }
            let plan = DeviceRowPlan.gone(existing: existing)
            try await repository.apply(plan, now: Date())
            expiredUnsynced.remove(id)
            if plan != .unchanged {
                logger.info("microphone offline", metadata: ["device.id": "\(id)"])
                events?.emit(.deviceGone(deviceID: id))
            }
            return plan != .unchanged
        } catch {
            expiredUnsynced.insert(id)
            return false
        }
    }

    static func snapshot(_ device: AudioDevice) -> HardwareSnapshot {
        HardwareSnapshot(alsaCardIndex: device.cardIndex, alsaDevice: device.alsaDevice, alsaName: device.name,
                         usbVendorID: device.vendorID, usbProductID: device.productID, usbSerial: device.serial,
                         usbBusPath: device.busPath)
    }
}
