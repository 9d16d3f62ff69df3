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
public struct HardwareInventory: Sendable, Equatable {
    /// The devices of the latest scan, by stable id.
    public private(set) var devices: [String: AudioDevice] = [:]

    /// An inventory that has seen nothing yet.
    public init() {}

    /// Applies a scan; returns the changes (gone first, then appeared and changed, each by
    /// card index) and the problems, including any stable id two cards shared (the second is
    /// left out).
    public mutating func apply(_ scan: ScanResult) -> (changes: [HardwareChange], problems: [ScanProblem]) {
        var next: [String: AudioDevice] = [:]
        var problems = scan.problems
        for device in scan.devices {
            if let first = next[device.stableID] {
                problems.append(ScanProblem(cardIndex: device.cardIndex,
                                            reason: "same id \(device.stableID) as card \(first.cardIndex); left out"))
                continue
            }
            next[device.stableID] = device
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
