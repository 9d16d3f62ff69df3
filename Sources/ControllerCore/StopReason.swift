/// Why a device has no recorder: the first part of the contract's predicate
/// (`status='online' AND enabled AND enrollment_status='enrolled' AND profile_slug IS NOT NULL`)
/// that does not hold, or the recorder limit. Said whenever a recorder is stopped for it.
public enum IdleReason: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// `status = 'offline'`: unplugged, and not back within the offline grace.
    case offline = "unplugged past the offline grace"
    /// `enabled = false`.
    case disabled = "disabled"
    /// `enrollment_status = 'pending'`.
    case pending = "not enrolled (pending)"
    /// `enrollment_status = 'ignored'`.
    case ignored = "ignored"
    /// `profile_slug IS NULL`.
    case noProfile = "no profile"
    /// Wanted, but `system.max_recorders` others record already.
    case recorderLimit = "over max_recorders"
    /// A singleton worker whose `managed_services` row is off (or missing).
    case workerOff = "turned off in managed_services"
    /// An operator asked the controller to stand down (`down --force`, `POST /stand-down`):
    /// nothing records until `resume` or the controller's next start. (A device not plugged in
    /// stays `offline`.)
    case stoodDown = "stood down by an operator"
    /// Its row was deleted while the device is not plugged in.
    case rowDeleted = "its row was deleted"

    public var description: String { rawValue }

    /// Whether the device is plugged in (its row is `online`) while it records nothing for this
    /// reason: such a device keeps its node in the tree (shown by `status`), the others have one
    /// only while their containers are stopped.
    package var deviceIsPresent: Bool {
        switch self {
        case .disabled, .pending, .ignored, .noProfile, .recorderLimit, .stoodDown: true
        case .offline, .workerOff, .rowDeleted: false
        }
    }

    /// The device's state in `/status` while it records nothing for this reason.
    package var statusName: String {
        switch self {
        case .offline: "offline"
        case .disabled: "disabled"
        case .pending: "pending_enrollment"
        case .ignored: "ignored"
        case .noProfile: "no_profile"
        case .recorderLimit: "over_max_recorders"
        case .workerOff: "off"
        case .stoodDown: "stood_down"
        case .rowDeleted: "deleted"
        }
    }

    /// Why the contract's predicate fails for this device; `nil` when it holds (the device
    /// wants a recorder, and only a limit can keep it from one).
    public static func of(_ desire: DeviceDesire) -> IdleReason? {
        if !desire.online { return .offline }
        if !desire.enabled { return .disabled }
        switch desire.enrollmentStatus {
        case "pending": return .pending
        case "ignored": return .ignored
        default: break
        }
        return desire.profileSlug == nil ? .noProfile : nil
    }
}

/// Why a Tier 2 container is stopped: logged at info level with every stop, and carried in the
/// lifecycle event and the device's status, so that no recorder ever stops without a reason an
/// operator can read.
package enum StopReason: Sendable, Hashable, CustomStringConvertible {
    /// The desired state wants no recorder (or no worker).
    case unwanted(IdleReason)
    /// Its spec changed (profile, settings: the config hash drifted): replaced by a new one.
    case configDrift
    /// No heartbeat and no progress in its workspace: replaced.
    case heartbeatLost
    /// An operator asked for a restart.
    case operatorRestart
    /// Its device is known to neither the database nor the hardware scan.
    case orphan
    /// The controller is stopping with `SILVASONIC_SHUTDOWN_POLICY=stop-tier2`.
    case shutdownPolicy

    public var description: String {
        switch self {
        case .unwanted(let reason): "\(reason)"
        case .configDrift: "config drift: its spec changed, replaced"
        case .heartbeatLost: "heartbeat lost and no progress in its workspace"
        case .operatorRestart: "operator restart"
        case .orphan: "orphan: its device is unknown"
        case .shutdownPolicy: "shutdown policy stop-tier2"
        }
    }
}
