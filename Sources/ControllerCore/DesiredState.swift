/// A device as the desired-state query returns it.
public struct DeviceDesire: Sendable, Hashable {
    public var id: String
    public var online: Bool
    public var enabled: Bool
    /// `devices.enrollment_status`.
    public var enrollmentStatus: String
    public var profileSlug: String?

    public init(id: String, online: Bool, enabled: Bool, enrollmentStatus: String, profileSlug: String?) {
        self.id = id
        self.online = online
        self.enabled = enabled
        self.enrollmentStatus = enrollmentStatus
        self.profileSlug = profileSlug
    }

    /// The contract's predicate: `status='online' AND enabled AND enrollment_status='enrolled'
    /// AND profile_slug IS NOT NULL`.
    var wantsRecorder: Bool {
        online && enabled && enrollmentStatus == "enrolled" && profileSlug != nil
    }
}

/// Which devices get a recorder: the predicate, then `system.max_recorders` (contract §5's
/// "Do better"), keeping recorders that already run before starting new ones, so that a lower
/// limit or a new device never interrupts a recording in favour of another.
package enum DesiredState {
    /// The ids of the devices that should record.
    /// - Parameters:
    ///   - devices: every device row.
    ///   - running: ids of devices whose recorder runs now.
    ///   - maxRecorders: the limit; `nil` or a negative value: none.
    public static func recording(_ devices: [DeviceDesire], running: Set<String>, maxRecorders: Int?) -> Set<String> {
        let eligible = devices.filter(\.wantsRecorder).map(\.id)
        guard let limit = maxRecorders, limit >= 0 else { return Set(eligible) }
        let ordered = eligible.filter { running.contains($0) }.sorted() + eligible.filter { !running.contains($0) }.sorted()
        return Set(ordered.prefix(limit))
    }
}
