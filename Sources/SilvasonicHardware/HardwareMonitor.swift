public import Logging
import SilvasonicIO

/// One report from the monitor.
public struct HardwareUpdate: Sendable, Equatable {
    /// What made the monitor scan.
    public enum Trigger: Sendable, Equatable {
        /// The first scan, at start.
        case initial
        /// A tick of the periodic scan.
        case periodic
        /// A kernel uevent of the `sound` or `usb` subsystem.
        case uevent(UEvent)
    }

    /// What made the monitor scan.
    package var trigger: Trigger
    /// What changed since the previous update.
    package var changes: [HardwareChange]
    /// Every device now present.
    public var devices: [AudioDevice]
    /// Cards this scan could not describe fully.
    package var problems: [ScanProblem]

    /// An update, as the monitor or a simulated hardware source reports one.
    public init(trigger: Trigger, changes: [HardwareChange], devices: [AudioDevice], problems: [ScanProblem] = []) {
        self.trigger = trigger
        self.changes = changes
        self.devices = devices
        self.problems = problems
    }
}

/// Watches for USB microphones: scans at start, on every periodic tick
/// (`SILVASONIC_SCAN_INTERVAL_S`), and at once on every `sound` or `usb` uevent; reports an
/// update whenever the set of devices changed. No debounce: flapping is the device owner's
/// concern (its grace timer).
///
/// Scans read files, so they run on this actor's own serial executor, never on the
/// cooperative pool. The clock is a parameter; tests use a manual one.
public actor HardwareMonitor<C: Clock> where C.Duration == Duration {
    private let executor = QueueExecutor(label: "silvasonic.hardware")
    /// Scans run on the monitor's own serial queue.
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// What the monitor scans.
    public nonisolated let scanner: DeviceScanner
    /// The periodic scan's interval.
    public nonisolated let interval: Duration
    private let clock: C
    private let logger: Logger
    private var inventory = HardwareInventory()
    private var reportedProblems: Set<String> = []

    /// - Parameters:
    ///   - scanner: what to scan.
    ///   - interval: the periodic scan's interval (the contract's default is 1 s).
    ///   - clock: the clock for the periodic scan.
    ///   - logger: problems are logged once each, at warning.
    ///   - knownBusPaths: the bus path each stable id was stored with: which of two devices
    ///     sharing a USB serial keeps the plain id at the first scan (``HardwareInventory``).
    public init(scanner: DeviceScanner, interval: Duration = .seconds(1), clock: C, logger: Logger,
                knownBusPaths: [String: String] = [:]) {
        inventory = HardwareInventory(knownBusPaths: knownBusPaths)
        self.scanner = scanner
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    /// Runs until cancelled, sending each update to `updates`.
    /// - Parameters:
    ///   - uevents: kernel uevents; `nil` to open the netlink socket here (when it cannot be
    ///     opened, that is logged once and the periodic scan carries on alone).
    ///   - acceptingUserspace: the socket opened here takes every sender's messages, not only the
    ///     kernel's (a fixture tree's test speaks for the kernel; never on a station).
    public func run(uevents: AsyncStream<UEvent>? = nil, acceptingUserspace: Bool = false,
                    updates: @Sendable (HardwareUpdate) async -> Void) async {
        let (triggers, trigger) = AsyncStream.makeStream(of: HardwareUpdate.Trigger.self,
                                                         bufferingPolicy: .bufferingNewest(64))
        let source = uevents ?? openUEvents(acceptingUserspace: acceptingUserspace)
        let clock = self.clock
        let interval = self.interval
        let ticker = Task {
            while !Task.isCancelled {
                do { try await clock.sleep(for: interval) } catch { break }
                trigger.yield(.periodic)
            }
        }
        let listener = Task {
            guard let source else { return }
            for await event in source where event.concernsAudio { trigger.yield(.uevent(event)) }
        }
        defer {
            ticker.cancel()
            listener.cancel()
            trigger.finish()
        }
        if let update = scanOnce(.initial) { await updates(update) }
        for await cause in triggers {
            if Task.isCancelled { break }
            if let update = scanOnce(cause) { await updates(update) }
        }
    }

    /// The updates as an `AsyncSequence`: the monitor runs while the stream is iterated and stops
    /// when the iterating task is cancelled or drops the stream.
    /// - Parameter uevents: as for ``run(uevents:updates:)``.
    public nonisolated func updates(uevents: AsyncStream<UEvent>? = nil) -> AsyncStream<HardwareUpdate> {
        let (stream, continuation) = AsyncStream.makeStream(of: HardwareUpdate.self, bufferingPolicy: .bufferingNewest(64))
        let task = Task {
            await self.run(uevents: uevents) { continuation.yield($0) }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Scans now; an update when anything changed (always for the initial scan).
    func scanOnce(_ trigger: HardwareUpdate.Trigger) -> HardwareUpdate? {
        let result = scanner.scan()
        let (changes, problems) = inventory.apply(result)
        for problem in problems where reportedProblems.insert(problem.description).inserted {
            logger.warning("sound card not fully described", metadata: [
                "card": .stringConvertible(problem.cardIndex), "reason": .string(problem.reason),
            ])
        }
        guard trigger == .initial || !changes.isEmpty else { return nil }
        let devices = inventory.devices.values.sorted { $0.cardIndex < $1.cardIndex }
        return HardwareUpdate(trigger: trigger, changes: changes, devices: devices, problems: problems)
    }

    private func openUEvents(acceptingUserspace: Bool) -> AsyncStream<UEvent>? {
        do {
            let events = try UEventSocket(acceptingUserspace: acceptingUserspace).events()
            logger.info("listening to uevents", metadata: [
                "senders": .string(acceptingUserspace ? "any (a fixture tree)" : "the kernel only"),
            ])
            return events
        } catch {
            logger.warning("no uevents; relying on the periodic scan", metadata: [
                "reason": .string(error.description), "interval": .string("\(interval)"),
            ])
            return nil
        }
    }
}
