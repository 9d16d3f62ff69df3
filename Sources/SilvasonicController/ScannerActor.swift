public import Logging
public import SilvasonicHardware

/// Finds the microphones: netlink uevents (on real hardware) and a periodic scan of
/// `/proc/asound` and sysfs, each change handed to the ``DeviceInventory`` as device rows (which
/// asks the ``Reconciler`` to act on them). With a fixture tree only the periodic scan runs,
/// unless `SILVASONIC_HARDWARE_UEVENTS=on` (``UEventListening``).
package actor ScannerActor {
    private let roots: HardwareRoots
    private let listening: UEventListening
    private let interval: Duration
    private let logger: Logger
    private let knownBusPaths: @Sendable () async -> [String: String]
    private let handle: @Sendable (HardwareUpdate) async -> Void

    /// - Parameters:
    ///   - knownBusPaths: the stored bus path of each device id: which of two microphones sharing
    ///     a USB serial keeps its id after a restart (empty when unknown).
    ///   - handle: takes each scan's update (``DeviceInventory/handle(_:)``).
    ///   - listening: whether uevents are listened to (``UEventListening/source(roots:)``).
    public init(roots: HardwareRoots, interval: Duration, listening: UEventListening = .auto, logger: Logger,
                knownBusPaths: @escaping @Sendable () async -> [String: String],
                handle: @escaping @Sendable (HardwareUpdate) async -> Void) {
        self.roots = roots
        self.listening = listening
        self.interval = interval
        self.logger = logger
        self.knownBusPaths = knownBusPaths
        self.handle = handle
    }

    /// Scans until cancelled.
    public func run() async {
        let monitor = HardwareMonitor(scanner: DeviceScanner(roots: roots), interval: interval, clock: ContinuousClock(),
                                      logger: logger, knownBusPaths: await knownBusPaths())
        // Kernel uevents describe the real machine: with a fixture tree only the periodic scan
        // runs, unless a test speaks for the kernel.
        switch listening.source(roots: roots) {
        case .none: await monitor.run(uevents: AsyncStream { $0.finish() }, updates: handle)
        case .kernel: await monitor.run(updates: handle)
        case .anySender:
            logger.notice("uevents of any sender taken: a fixture tree (SILVASONIC_HARDWARE_UEVENTS=on)")
            await monitor.run(acceptingUserspace: true, updates: handle)
        }
    }
}
