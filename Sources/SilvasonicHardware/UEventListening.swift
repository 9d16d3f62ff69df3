/// Whether the hardware monitor listens to netlink uevents (`SILVASONIC_HARDWARE_UEVENTS`):
/// `auto` (the default: on real hardware, off with a fixture tree), `on` or `off`.
public enum UEventListening: String, Sendable, CaseIterable {
    case auto, on, off

    /// Where the monitor's uevents come from.
    package enum Source: Sendable, Equatable {
        /// None: the periodic scan alone.
        case none
        /// The kernel's messages only (sender port id 0), as udev takes them.
        case kernel
        /// Any sender's: a fixture tree, whose uevents a test sends as root.
        case anySender
    }

    /// The source for these roots: the kernel's on real hardware; with a fixture tree none,
    /// unless `on`, when a test speaks for the kernel.
    package func source(roots: HardwareRoots) -> Source {
        switch self {
        case .off: .none
        case .auto: roots.isLive ? .kernel : .none
        case .on: roots.isLive ? .kernel : .anySender
        }
    }

    /// Reads `SILVASONIC_HARDWARE_UEVENTS`; anything else than `auto`, `on` or `off` gives `auto`
    /// and the reason, for the log.
    public static func from(environment: [String: String]) -> (listening: UEventListening, problem: String?) {
        guard let text = environment["SILVASONIC_HARDWARE_UEVENTS"], !text.isEmpty else { return (.auto, nil) }
        guard let value = UEventListening(rawValue: text.lowercased()) else {
            return (.auto, "SILVASONIC_HARDWARE_UEVENTS: \"\(text)\" is not auto, on or off; using auto")
        }
        return (value, nil)
    }
}
