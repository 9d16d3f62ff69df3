/// Finds the USB audio devices present: `/proc/asound/cards` for the cards, then for each
/// `USB-Audio` card the sysfs walk from `class/sound/cardN` up to its USB device (contract §4).
///
/// A scan reads a few small files; it never throws, and one bad card never hides another:
/// what could not be read becomes a ``ScanProblem``, and the card is still reported with what
/// is known (a card with no readable USB parent gets the `alsa-card{N}` id).
public struct DeviceScanner: Sendable {
    /// The trees this scanner reads.
    public let roots: HardwareRoots
    /// A scanner of `roots`; libasound is consulted only when they are the live `/proc` and `/sys`.
    public init(roots: HardwareRoots) {
        self.roots = roots
    }

    /// Scans once.
    public func scan() -> ScanResult {
        let proc = ConfinedTree(root: roots.procfs)
        let sys = ConfinedTree(root: roots.sysfs)
        guard let cardsFile = proc.read(["asound", "cards"], limit: 1 << 20) else {
            return ScanResult(devices: [], problems: [])   // no sound cards (or no ALSA) on this machine
        }
        var devices: [AudioDevice] = []
        var problems: [ScanProblem] = []
        for card in AsoundCardsParser.parse(cardsFile) where card.driver == "USB-Audio" {
            var cardID = card.id
            var name = card.name
            // libasound describes the live machine only; fixture trees use the cards file alone.
            if roots.isLive, let info = ALSACardInfo.lookup(card: card.index) {
                cardID = info.id
                name = info.name
            }
            let usb: USBParent?
            do {
                usb = try Self.usbParent(of: card.index, in: sys)
                if usb == nil { problems.append(ScanProblem(cardIndex: card.index, reason: "no USB device above the card in sysfs")) }
            } catch {
                usb = nil
                problems.append(ScanProblem(cardIndex: card.index, reason: error.description))
            }
            devices.append(AudioDevice(cardIndex: card.index, cardID: cardID, name: name,
                                       vendorID: usb?.vendorID, productID: usb?.productID,
                                       serial: usb?.serial, busPath: usb?.busPath))
        }
        return ScanResult(devices: devices.sorted { $0.cardIndex < $1.cardIndex }, problems: problems)
    }

    struct USBParent: Equatable {
        var vendorID: String?
        var productID: String?
        var serial: String?
        var busPath: String?
    }

    /// Walks up from the card's directory to the first one that is a USB device (its
    /// `subsystem` link ends in `usb` and its `uevent` says `DEVTYPE=usb_device`).
    static func usbParent(of cardIndex: Int, in sys: ConfinedTree) throws(ConfinedTree.Failure) -> USBParent? {
        let card = try sys.resolve("class/sound/card\(cardIndex)")
        var directory = card
        while !directory.isEmpty {
            if isUSBDevice(directory, in: sys) {
                return USBParent(
                    vendorID: sys.read(directory + ["idVendor"]).flatMap(SysfsText.usbID),
                    productID: sys.read(directory + ["idProduct"]).flatMap(SysfsText.usbID),
                    serial: sys.read(directory + ["serial"]).flatMap(SysfsText.identifier),
                    busPath: SysfsText.busPath(directory.last!))
            }
            directory.removeLast()
        }
        return nil
    }

    private static func isUSBDevice(_ directory: [String], in sys: ConfinedTree) -> Bool {
        guard let subsystem = sys.linkTarget(directory + ["subsystem"]),
              ConfinedTree.components(subsystem).last == "usb",
              let uevent = sys.read(directory + ["uevent"]) else { return false }
        return uevent.split(separator: UInt8(ascii: "\n")).contains { Array($0) == Array("DEVTYPE=usb_device".utf8) }
    }
}
