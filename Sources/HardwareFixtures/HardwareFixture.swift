import Foundation
public import SilvasonicHardware

/// A fake `/proc` and `/sys` in a temporary directory, laid out as the kernel lays out a
/// machine's sound cards and USB devices, for tests, benchmarks and the simulated station.
///
/// ```swift
/// let fixture = try HardwareFixture()
/// try fixture.addUSBCard(index: 2, id: "UltraMic384K", name: "UltraMic 384K",
///                        vendorID: "0869", productID: "0389", serial: Array("ABC034F".utf8), busPath: "1-3.2")
/// let result = DeviceScanner(roots: fixture.roots).scan()
/// ```
public final class HardwareFixture: Sendable {
    /// The temporary directory holding `proc/` and `sys/`.
    public let root: String

    /// Roots that point the hardware layer at this fixture.
    public var roots: HardwareRoots { HardwareRoots(procfs: root + "/proc", sysfs: root + "/sys") }

    /// Creates an empty machine: no sound cards.
    public init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("silvasonic-hw-\(UUID().uuidString)")
        root = base.path
        try FileManager.default.createDirectory(atPath: root + "/proc/asound", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/sys/class/sound", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/sys/bus/usb", withIntermediateDirectories: true)
        try writeCardsFile([])
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Writes `/proc/asound/cards` with these lines (each card line plus its continuation line).
    public func writeCardsFile(_ cards: [AsoundCard]) throws {
        var text = ""
        for card in cards {
            let index = String(card.index)
            text += String(repeating: " ", count: max(0, 2 - index.count)) + index
            text += " [" + card.id.padding(toLength: max(15, card.id.count), withPad: " ", startingAt: 0) + "]: "
            text += card.driver + " - " + card.name + "\n"
            text += "                      " + card.name + " at usb-fixture, high speed\n"
        }
        try write(Array(text.utf8), to: "proc/asound/cards")
    }

    /// Adds a USB audio card: the USB device directory (with an interface level below it, as
    /// real USB audio has), the card under the interface, and `class/sound/cardN` linking to it.
    /// Raw bytes for the attributes let tests write hostile values; `nil` leaves the file out.
    public func addUSBCard(index: Int, busPath: String, vendorID: [UInt8]?, productID: [UInt8]?,
                           serial: [UInt8]?, interfaceLevel: Bool = true) throws {
        let device = "devices/platform/xhci-hcd.0/usb1/\(busPath)"
        try makeDirectory("sys/" + device)
        try write(Array("DEVTYPE=usb_device\nPRODUCT=fixture\n".utf8), to: "sys/\(device)/uevent")
        try link("sys/\(device)/subsystem", to: "sys/bus/usb")
        if let vendorID { try write(vendorID + [0x0A], to: "sys/\(device)/idVendor") }
        if let productID { try write(productID + [0x0A], to: "sys/\(device)/idProduct") }
        if let serial { try write(serial + [0x0A], to: "sys/\(device)/serial") }
        var parent = device
        if interfaceLevel {
            parent = "\(device)/\(busPath):1.0"
            try makeDirectory("sys/" + parent)
            try write(Array("DEVTYPE=usb_interface\nINTERFACE=1/1/0\n".utf8), to: "sys/\(parent)/uevent")
            try link("sys/\(parent)/subsystem", to: "sys/bus/usb")
        }
        let card = "\(parent)/sound/card\(index)"
        try makeDirectory("sys/" + card)
        try write(Array("MAJOR=116\n".utf8), to: "sys/\(card)/uevent")
        try link("sys/class/sound/card\(index)", to: "sys/" + card)
    }

    /// Adds a card that is not on USB (an on-board codec): `class/sound/cardN` leads to a
    /// platform device.
    package func addBuiltInCard(index: Int) throws {
        let card = "devices/platform/soc/sound/card\(index)"
        try makeDirectory("sys/" + card)
        try link("sys/class/sound/card\(index)", to: "sys/" + card)
    }

    /// Removes a card's `class/sound` link and its USB device directory (an unplug).
    public func removeUSBCard(index: Int, busPath: String) throws {
        try? FileManager.default.removeItem(atPath: root + "/sys/class/sound/card\(index)")
        try? FileManager.default.removeItem(atPath: root + "/sys/devices/platform/xhci-hcd.0/usb1/\(busPath)")
    }

    /// Writes raw bytes to a path inside the fixture, creating directories.
    package func write(_ bytes: [UInt8], to path: String) throws {
        let full = root + "/" + path
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: full))
    }

    /// Makes `path` a symbolic link to `target` (both inside the fixture), written relative,
    /// as the kernel writes sysfs links.
    package func link(_ path: String, to target: String) throws {
        let from = path.split(separator: "/").dropLast()
        let to = target.split(separator: "/")
        var common = 0
        while common < min(from.count, to.count), from[from.startIndex + common] == to[common] { common += 1 }
        let relative = Array(repeating: "..", count: from.count - common) + to.dropFirst(common).map(String.init)
        try rawLink(path, to: relative.joined(separator: "/"))
    }

    /// Makes `path` a symbolic link with exactly this target text (for broken, looping or
    /// escaping links).
    package func rawLink(_ path: String, to target: String) throws {
        let full = root + "/" + path
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: full)
        try FileManager.default.createSymbolicLink(atPath: full, withDestinationPath: target)
    }

    private func makeDirectory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/" + path, withIntermediateDirectories: true)
    }
}
