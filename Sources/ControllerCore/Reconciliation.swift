/// The level-triggered decision of one reconcile: for every device, which recorder it should
/// run, given the rows read in one query. Pure: rows and settings in, a plan out.
public enum Reconciliation {
    /// A device as the reconcile sees it.
    public struct Device: Sendable, Hashable {
        public var row: DeviceRow
        /// The device's profile, decoded; `nil` without a profile.
        public var profile: RecorderProfileConfig?
        /// Why the profile could not be read, when it could not.
        public var profileProblem: String?

        public init(row: DeviceRow, profile: RecorderProfileConfig?, profileProblem: String?) {
            self.row = row
            self.profile = profile
            self.profileProblem = profileProblem
        }
    }

    /// What one device should do.
    public enum Decision: Sendable, Hashable {
        /// Run a recorder with this spec.
        case record(Tier2Spec)
        /// Run no recorder, for this reason.
        case idle(IdleReason)
        /// Leave it as it is: its row cannot be acted on (fail static for this device only): a
        /// value the contract does not know, or a profile that cannot be read.
        case keep(reason: String)
    }

    /// The outcome of one reconcile.
    public struct Plan: Sendable, Hashable {
        package var decisions: [String: Decision] = [:]
        /// Workspace names to store (`devices.workspace_name`), by device id.
        package var workspaceNames: [String: String] = [:]
        /// Whether `max_recorders` kept a device that wants a recorder from recording.
        package var limited = false

        public init(decisions: [String: Decision] = [:], workspaceNames: [String: String] = [:]) {
            self.decisions = decisions
            self.workspaceNames = workspaceNames
        }
    }

    /// What a recorder spec is made from: equal keys give equal specs, so a caller may keep
    /// the specs of one reconcile for the next (hashing 10,000 specs a second is most of a
    /// large station's reconcile).
    public struct SpecKey: Sendable, Hashable {
        public var device: StationSpecs.RecorderDevice
        public var profileSlug: String
        public var profile: RecorderProfileConfig
    }

    /// Decides every device.
    /// - Parameters:
    ///   - running: devices whose recorder runs now (they keep their place under `max_recorders`).
    ///   - recorderSpec: makes a recorder spec for its key (by default ``StationSpecs/recorder(device:profileSlug:profile:settings:)``);
    ///     a caller passes a cached one.
    ///   - takenByOthers: workspace names of devices not in `devices` (when only some devices
    ///     are planned): a new name never collides with them.
    public static func plan(_ devices: [Device], settings: StationSettings, system maxRecorders: Int?,
                            running: Set<String>, takenByOthers: Set<String> = [],
                            recorderSpec: ((SpecKey) -> Tier2Spec)? = nil) -> Plan {
        var plan = Plan()
        // A row the controller does not understand is left as it is, and counts for nothing else.
        var understood: [Device] = []
        understood.reserveCapacity(devices.count)
        for device in devices {
            if let problem = device.row.problem {
                plan.decisions[device.row.name] = .keep(reason: problem)
            } else {
                understood.append(device)
            }
        }
        let devices = understood
        let desires = devices.map { device in
            DeviceDesire(id: device.row.name, online: device.row.status == "online", enabled: device.row.enabled,
                         enrollmentStatus: device.row.enrollmentStatus, profileSlug: device.row.profileSlug)
        }
        let recording = DesiredState.recording(desires, running: running, maxRecorders: maxRecorders)
        plan.limited = maxRecorders.map { $0 >= 0 && desires.lazy.filter(\.wantsRecorder).count > $0 } ?? false
        var taken = TakenNames(base: takenByOthers)
        for device in devices { if let name = device.row.workspaceName { taken.insert(name) } }
        for (device, desire) in zip(devices, desires) {
            let row = device.row
            guard recording.contains(row.name) else {
                plan.decisions[row.name] = .idle(IdleReason.of(desire) ?? .recorderLimit)
                continue
            }
            guard let slug = row.profileSlug, let profile = device.profile else {
                plan.decisions[row.name] = .keep(reason: device.profileProblem ?? "profile \(row.profileSlug ?? "?") is missing")
                continue
            }
            let workspace = workspaceName(for: row, slug: slug, taken: taken)
            if workspace != row.workspaceName {
                plan.workspaceNames[row.name] = workspace
                if let old = row.workspaceName { taken.remove(old) }
                taken.insert(workspace)
            }
            let key = SpecKey(device: .init(id: row.name, workspaceName: workspace, alsaDevice: row.hardware.alsaDevice),
                              profileSlug: slug, profile: profile)
            let spec = recorderSpec?(key)
                ?? StationSpecs.recorder(device: key.device, profileSlug: slug, profile: profile, settings: settings)
            plan.decisions[row.name] = .record(spec)
        }
        return plan
    }

    /// The stored name while it still fits the profile (so a recorder never moves), else a new
    /// collision-free one.
    static func workspaceName(for row: DeviceRow, slug: String, taken: TakenNames) -> String {
        let reference = ContainerNames.workspaceName(profileSlug: slug, serial: row.hardware.usbSerial,
                                                     busPath: row.hardware.usbBusPath, cardIndex: row.hardware.alsaCardIndex)
        if let stored = row.workspaceName, stored == reference || stored.hasPrefix(reference + "-") { return stored }
        return WorkspaceNaming.name(profileSlug: slug, stableID: row.name, hardware: row.hardware,
                                    isTaken: { $0 != row.workspaceName && taken.contains($0) })
    }

    /// Workspace names in use: a set of the other devices' names, shared and never copied, with
    /// this plan's changes on top (a plan of one device among 10,000 costs one device's work).
    struct TakenNames {
        let base: Set<String>
        private var added: Set<String> = []
        private var removed: Set<String> = []

        init(base: Set<String>) { self.base = base }

        func contains(_ name: String) -> Bool { added.contains(name) || (base.contains(name) && !removed.contains(name)) }

        mutating func insert(_ name: String) {
            removed.remove(name)
            if !base.contains(name) { added.insert(name) }
        }

        mutating func remove(_ name: String) {
            added.remove(name)
            if base.contains(name) { removed.insert(name) }
        }
    }
}

/// Why a reconcile runs: said in its `reconcile` lifecycle event and its log line. Anything but
/// the periodic tick is something that asked, and is planned in full.
public enum ReconcileReason: String, Sendable, Hashable, CustomStringConvertible {
    /// The periodic safety net (`SILVASONIC_RECONCILE_INTERVAL_S`).
    case tick
    /// A `reconcile` nudge on `silvasonic:nudge`.
    case nudge
    /// The nudge channel was (re)subscribed: nudges sent meanwhile may be lost.
    case nudgeChannelSubscribed = "nudge channel subscribed"
    /// Podman's event stream came back after an outage.
    case podmanReconnected = "podman reconnected"
    /// A hardware scan wrote device rows.
    case hardware
    /// Rows that could not be written before were written on a later tick.
    case resync
    /// A device went offline after its grace.
    case deviceGone = "device gone"
    /// An operator's start or stop, without Redis to nudge.
    case `operator`

    public var description: String { rawValue }
    /// Whether it is the periodic tick, which may be skipped when nothing changed.
    package var isPeriodic: Bool { self == .tick }
}
