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
/// serial) have the same stable id. Once two of them have been seen together, the serial is
/// *shared*, and identity follows the port: the device row with the plain id belongs to the
/// bus path stored with it, and a microphone at any other port gets the id with its bus path
/// added (`…-port1-4`), the same on every replug into that port and after every restart —
/// whichever of them is plugged at the time, alone or together. A microphone never takes
/// another port's row. (When none is stored for the plain id, the holder of the previous scan
/// keeps it, else the one at the lowest bus path.) A serial never seen shared follows its
/// microphone from port to port, as the contract's id is meant to. `docs/hardware.md` says
/// the rule for operators.
///
/// What is shared and which port holds which id comes from ``knownBusPaths`` (the rows' stored
/// bus paths, read at start) and is kept up as ids are given out, so the rule needs nothing else.
package struct HardwareInventory: Sendable, Equatable {
    /// The devices of the latest scan, by stable id.
    public private(set) var devices: [String: AudioDevice] = [:]
    /// The bus path each stable id is bound to, as stored (`devices.config.usb_bus_path`) and as
    /// given out since: who holds a shared id.
    package private(set) var knownBusPaths: [String: String]
    /// The plain ids seen shared: those with a `…-port…` id beside them.
    private var sharedIDs: Set<String> = []

    /// An inventory that has seen nothing yet.
    /// - Parameter knownBusPaths: each device row's stored bus path, by id (its `name`).
    public init(knownBusPaths: [String: String] = [:]) {
        self.knownBusPaths = knownBusPaths
        for id in knownBusPaths.keys {
            if let port = id.range(of: Self.portMark, options: .backwards) { sharedIDs.insert(String(id[..<port.lowerBound])) }
        }
    }

    private static let portMark = "-port"

    /// Applies a scan; returns the changes (gone first, then appeared and changed, each by
    /// card index) and the problems, including any stable id two cards shared and how they
    /// were told apart.
    package mutating func apply(_ scan: ScanResult) -> (changes: [HardwareChange], problems: [ScanProblem]) {
        var next: [String: AudioDevice] = [:]
        var problems = scan.problems
        for (id, group) in Dictionary(grouping: scan.devices, by: \.stableID) {
            guard group.count > 1 || sharedIDs.contains(id) else {
                let device = group[0]
                next[id] = device
                // A row whose serial is not shared follows its microphone to another port.
                if let busPath = device.busPath, let stored = knownBusPaths[id], stored != busPath { knownBusPaths[id] = busPath }
                continue
            }
            assignShared(group, id: id, into: &next, problems: &problems)
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

    /// Gives each device of a shared `id` its own: the plain id to the one at the bus path bound
    /// to it, `id-port{bus}` to each other one (`id-card{N}` to one without a bus path).
    private mutating func assignShared(_ group: [AudioDevice], id: String, into next: inout [String: AudioDevice],
                                       problems: inout [ScanProblem]) {
        sharedIDs.insert(id)
        let keeper: AudioDevice?
        if let holder = knownBusPaths[id] ?? devices[id]?.busPath {
            keeper = group.first { $0.busPath == holder }
        } else {
            // Nobody holds it yet: the lowest bus path without a port id of its own.
            keeper = group.filter { $0.busPath.map { knownBusPaths[id + Self.portMark + $0] == nil } ?? true }
                .min { ($0.busPath ?? "~", $0.cardIndex) < ($1.busPath ?? "~", $1.cardIndex) }
        }
        if let keeper {
            next[id] = keeper
            if let busPath = keeper.busPath { knownBusPaths[id] = busPath }
        }
        for var other in group where other.cardIndex != keeper?.cardIndex {
            other.stableID = id + "-" + (other.busPath.map { "port" + $0 } ?? "card\(other.cardIndex)")
            if let taken = next[other.stableID] {
                problems.append(ScanProblem(cardIndex: other.cardIndex,
                                            reason: "same id \(other.stableID) as card \(taken.cardIndex); left out"))
                continue
            }
            problems.append(ScanProblem(cardIndex: other.cardIndex,
                                        reason: "shares its USB serial with another microphone (id \(id)); told apart by its port as \(other.stableID)"))
            if let busPath = other.busPath { knownBusPaths[other.stableID] = busPath }
            next[other.stableID] = other
        }
    }
}
