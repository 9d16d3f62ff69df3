/// What changed between two scans.
public enum HardwareChange: Sendable, Equatable {
    /// A device that was not there before (appearing is immediate; contract §4).
    case appeared(AudioDevice)
    /// A device still there with other facts (a new card index after a replug, say).
    case changed(AudioDevice)
    /// A device that the latest scan did not see. The offline grace period is not applied here:
    /// the device's owner starts (and, if it returns, cancels) that timer.
    case gone(stableID: String)
}

/// The devices last seen, and the pure rule that turns a new scan into changes.
///
/// Two microphones that report the same USB serial (cheap devices often ship one constant
/// serial) have the same stable id. Both are kept: the one that holds the id already keeps it
/// — the one at the same bus path in the previous scan, else the one at the bus path the
/// database knows for it (``knownBusPaths``, after a controller restart), else the one at the
/// lowest bus path — and each other gets the id with its bus path added (`-port1-4`), which is
/// the same on every replug into that port and after every restart.
package struct HardwareInventory: Sendable, Equatable {
    /// The devices of the latest scan, by stable id.
    public private(set) var devices: [String: AudioDevice] = [:]
    /// The bus path each stable id was last seen at, as stored (`devices.config.usb_bus_path`):
    /// who keeps a shared id when the previous scan cannot tell.
    package var knownBusPaths: [String: String]

    /// An inventory that has seen nothing yet.
    public init(knownBusPaths: [String: String] = [:]) {
        self.knownBusPaths = knownBusPaths
    }

    /// Applies a scan; returns the changes (gone first, then appeared and changed, each by
    /// card index) and the problems, including any stable id two cards shared and how they
    /// were told apart.
    package mutating func apply(_ scan: ScanResult) -> (changes: [HardwareChange], problems: [ScanProblem]) {
        var next: [String: AudioDevice] = [:]
        var problems = scan.problems
        for (id, group) in Dictionary(grouping: scan.devices, by: \.stableID) {
            guard group.count > 1 else {
                next[id] = group[0]
                continue
            }
            let keeper = group.first { $0.busPath != nil && $0.busPath == devices[id]?.busPath }
                ?? group.first { $0.busPath != nil && $0.busPath == knownBusPaths[id] }
                ?? group.min { ($0.busPath ?? "~", $0.cardIndex) < ($1.busPath ?? "~", $1.cardIndex) }!
            next[id] = keeper
            for var other in group where other.cardIndex != keeper.cardIndex {
                other.stableID = id + "-" + (other.busPath.map { "port" + $0 } ?? "card\(other.cardIndex)")
                if let taken = next[other.stableID] {
                    problems.append(ScanProblem(cardIndex: other.cardIndex,
                                                reason: "same id \(other.stableID) as card \(taken.cardIndex); left out"))
                    continue
                }
                problems.append(ScanProblem(cardIndex: other.cardIndex,
                                            reason: "same USB serial as card \(keeper.cardIndex) (id \(id)); told apart as \(other.stableID)"))
                next[other.stableID] = other
            }
        }
        var changes: [HardwareChange] = devices.keys.filter { next[$0] == nil }.sorted().map { .gone(stableID: $0) }
        for device in next.values.sorted(by: { $0.cardIndex < $1.cardIndex }) {
            switch devices[device.stableID] {
            case nil: changes.append(.appeared(device))
            case let old? where old != device: changes.append(.changed(device))
            default: break
            }
        }
        devices = next
        return (changes, problems)
    }
}
