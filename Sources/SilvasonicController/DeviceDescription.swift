import ControllerCore

/// What `status` shows of a device besides its recorder's state: from its row as the last
/// reconcile read it.
public struct DeviceDescription: Sendable, Hashable {
    /// `devices.model`.
    public var model: String
    /// `devices.profile_slug`; `nil` when it has none.
    public var profile: String?
    /// Where the controller sees the device's recorder workspace; `nil` before it has a name.
    public var workspace: String?

    public init(model: String, profile: String?, workspace: String?) {
        self.model = model
        self.profile = profile
        self.workspace = workspace
    }

    /// The description of `row`, whose workspace name is `workspaceName` when the plan just gave
    /// it one.
    init(_ row: DeviceRow, workspaceName: String?, settings: StationSettings) {
        self.init(model: row.model, profile: row.profileSlug,
                  workspace: (workspaceName ?? row.workspaceName).map { StationSpecs.recorderWorkspace($0, settings: settings) })
    }
}
