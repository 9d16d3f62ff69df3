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
    public var present: Set<String>? { devices.withLock { $0 } }

    /// Records what the latest scan saw.
    public func update(_ present: Set<String>) { devices.withLock { $0 = present } }
}
