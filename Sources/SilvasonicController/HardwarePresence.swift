import Synchronization

/// The devices the hardware scan sees now, shared by the inventory (which writes it) and the
/// reconciler (which reads it before calling a recorder an orphan).
///
/// `nil` until the first scan was handled: until then nothing can be said to be unplugged,
/// so no recorder is stopped as an orphan.
public final class HardwarePresence: Sendable {
    private let devices = Mutex<Set<String>?>(nil)

    public init() {}

    /// The devices present, or `nil` before the first scan.
    package var present: Set<String>? { devices.withLock { $0 } }

    /// Records what the latest scan saw.
    package func update(_ present: Set<String>) { devices.withLock { $0 = present } }

    /// Records a scan's changes: the set changes in place, so a plug among 10,000 devices costs
    /// one insert. Marks the hardware as scanned even with no changes.
    package func apply(appeared: some Sequence<String>, gone: some Sequence<String>) {
        devices.withLock { present in
            if present == nil { present = [] }
            for id in gone { present!.remove(id) }
            for id in appeared { present!.insert(id) }
        }
    }
}
