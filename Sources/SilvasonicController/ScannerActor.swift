package import Logging
package import SilvasonicHardware

/// Finds the microphones: netlink uevents (on real hardware) and a periodic scan of
/// `/proc/asound` and sysfs, each change handed to the ``DeviceInventory`` as device rows (which
/// asks the ``Reconciler`` to act on them). With a fixture tree only the periodic scan runs,
/// unless `SILVASONIC_HARDWARE_UEVENTS=on` (``UEventListening``).
package actor ScannerActor {
    private let roots: HardwareRoots
    private let listening: UEventListening
    private let interval: Duration
    private let logger: Logger
    private let knownBusPaths: @Sendable () async -> [String: String]?
    private let handle: @Sendable (HardwareUpdate) async -> Void

    /// - Parameters:
    ///   - knownBusPaths: the stored bus path of each device id, `nil` while they cannot be read:
    ///     which port holds which id of microphones sharing a USB serial (``HardwareInventory``).
    ///     The first scan waits for them, asking again at every interval: until the database
    ///     answers no row can be written anyway, and an id given out without them could take
    ///     another port's row.
    ///   - handle: takes each scan's update (``DeviceInventory/handle(_:)``).
    ///   - listening: whether uevents are listened to (``UEventListening/source(roots:)``).
    public init(roots: HardwareRoots, interval: Duration, listening: UEventListening = .auto, logger: Logger,
                knownBusPaths: @escaping @Sendable () async -> [String: String]?,
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
        var known = await knownBusPaths()
        if known == nil {
            logger.warning("stored bus paths not read; the first hardware scan waits for the database")
            while known == nil {
                do { try await Task.sleep(for: interval) } catch { return }
                known = await knownBusPaths()
            }
            logger.notice("stored bus paths read; scanning the hardware")
        }
        let monitor = HardwareMonitor(scanner: DeviceScanner(roots: roots), interval: interval, clock: ContinuousClock(),
                                      logger: logger, knownBusPaths: known ?? [:])
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
