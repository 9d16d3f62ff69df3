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
    private let onChange: @Sendable (_ change: RowsWritten) async -> Void
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

    /// - Parameter onChange: called with the devices whose rows were written, and the system
    ///   settings read with them (to reconcile them).
    /// - Parameter presence: where the devices of each handled scan are published.
    public init(repository: any DeviceStore, clock: C, grace: Duration, logger: Logger,
                presence: HardwarePresence = HardwarePresence(), events: LifecycleEvents? = nil,
                onChange: @escaping @Sendable (_ change: RowsWritten) async -> Void) {
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
        var wrote = RowsWritten(reason: .hardware)
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
                await sync(device, matching: &matching, into: &wrote)
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
        if !wrote.devices.isEmpty { await onChange(wrote) }
    }

    /// Retries the writes that failed (called on the periodic tick).
    package func resync() async {
        var wrote = RowsWritten(reason: .resync)
        var matching: MatchingInputs?
        for id in unsynced.sorted() { if let device = present[id] { await sync(device, matching: &matching, into: &wrote) } }
        for id in expiredUnsynced.sorted() { await markOffline(id, into: &wrote) }
        if !wrote.devices.isEmpty { await onChange(wrote) }
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
        var wrote = RowsWritten(reason: .deviceGone)
        await markOffline(id, into: &wrote)
        if !wrote.devices.isEmpty { await onChange(wrote) }
    }

    /// What a new device is matched against: read once per update, however many devices are new.
    struct MatchingInputs {
        var profiles: [MatchableProfile]
        var autoEnrollment: Bool
    }

    /// Writes the row for a sighting, adding what was written to `wrote`: one round trip reads
    /// the row, the system settings and (for a new device) the profiles, one writes the row and
    /// returns it as stored. `matching` is kept from the first new device for the others of the
    /// same update.
    private func sync(_ device: AudioDevice, matching: inout MatchingInputs?, into wrote: inout RowsWritten) async {
        do {
            let sighting = try await repository.sighting(device.stableID)
            let existing = sighting.existing?.row
            var match: MatchOutcome = .noMatch
            if existing == nil {
                if matching == nil {
                    for problem in sighting.problems { logger.warning("profile skipped", metadata: ["problem": "\(problem)"]) }
                    matching = MatchingInputs(profiles: sighting.profiles.map { MatchableProfile(slug: $0.slug, match: $0.config.match) },
                                              autoEnrollment: sighting.system.autoEnrollment)
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
            if plan != .unchanged { wrote.add(device.stableID, system: sighting.system) }
        } catch {
            unsynced.insert(device.stableID)
            logger.say(unwritable[device.stableID, default: PersistentCondition()].occurred(now: .now),
                       started: "device row not written; retrying on every tick",
                       ongoing: "device row still not written; retrying on every tick",
                       counted: "failed.writes", metadata: ["device.id": "\(device.stableID)", "error": "\(error)"])
        }
    }

    private func markOffline(_ id: String, into wrote: inout RowsWritten) async {
        do {
            guard let existing = try await repository.device(id) else { expiredUnsynced.remove(id); return }
            let plan = DeviceRowPlan.gone(existing: existing)
            try await repository.apply(plan, now: Date())
            expiredUnsynced.remove(id)
            if plan != .unchanged {
                logger.info("microphone offline", metadata: ["device.id": "\(id)"])
                events?.emit(.deviceGone(deviceID: id))
                wrote.add(id, system: nil)
            }
        } catch {
            expiredUnsynced.insert(id)
        }
    }

    static func snapshot(_ device: AudioDevice) -> HardwareSnapshot {
        HardwareSnapshot(alsaCardIndex: device.cardIndex, alsaDevice: device.alsaDevice, alsaName: device.name,
                         usbVendorID: device.vendorID, usbProductID: device.productID, usbSerial: device.serial,
                         usbBusPath: device.busPath)
    }
}

/// Device rows an inventory wrote, handed to the reconciler: which, why, and the system
/// settings read beside them, so that it need not read them again.
public struct RowsWritten: Sendable {
    public var reason: ReconcileReason
    /// The devices whose rows were written.
    public var devices: Set<String> = []
    /// The system settings read with the last sighting, if any.
    public var system: SystemSettings?

    public init(reason: ReconcileReason) {
        self.reason = reason
    }

    mutating func add(_ device: String, system: SystemSettings?) {
        devices.insert(device)
        if let system { self.system = system }
    }
}
