/// Where the hardware layer reads the kernel's view of the machine: `/proc` and `/sys`, or a
/// fixture tree laid out the same way (`SILVASONIC_PROCFS_ROOT`, `SILVASONIC_SYSFS_ROOT`).
public struct HardwareRoots: Sendable, Equatable {
    /// Where `/proc` is (the cards file is `asound/cards` below it).
    package var procfs: String
    /// Where `/sys` is.
    package var sysfs: String

    /// Roots at these paths; trailing slashes are dropped.
    public init(procfs: String = "/proc", sysfs: String = "/sys") {
        self.procfs = Self.trimmed(procfs)
        self.sysfs = Self.trimmed(sysfs)
    }

    /// Reads `SILVASONIC_PROCFS_ROOT` and `SILVASONIC_SYSFS_ROOT`; unset means the real ones.
    public init(environment: [String: String]) {
        self.init(procfs: environment["SILVASONIC_PROCFS_ROOT"].flatMap { $0.isEmpty ? nil : $0 } ?? "/proc",
                  sysfs: environment["SILVASONIC_SYSFS_ROOT"].flatMap { $0.isEmpty ? nil : $0 } ?? "/sys")
    }

    /// Whether these are the machine's own roots (then libasound's view matches the files).
    package var isLive: Bool { procfs == "/proc" && sysfs == "/sys" }

    private static func trimmed(_ path: String) -> String {
        var path = path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }
}
