import Foundation
import SilvasonicHardware
import Testing

@Suite("Kernel uevents")
struct UEventTests {
    @Test("A kernel message is split into action, devpath and fields")
    func parse() {
        let message = Array("add@/devices/platform/xhci/usb1/1-3.2/1-3.2:1.0/sound/card2\0ACTION=add\0DEVPATH=/devices/x\0SUBSYSTEM=sound\0SEQNUM=7\0".utf8)
        let event = UEventParser.parse(message)
        #expect(event?.action == "add")
        #expect(event?.devpath == "/devices/platform/xhci/usb1/1-3.2/1-3.2:1.0/sound/card2")
        #expect(event?.subsystem == "sound")
        #expect(event?.fields["SEQNUM"] == "7")
        #expect(event?.concernsAudio == true)
    }

    @Test("udev's re-broadcasts, garbage and empty messages give nothing", arguments: [
        Array("libudev\0\u{FE}\u{ED}".utf8), Array("no at sign\0A=b".utf8), [UInt8](), [0, 0, 0],
        Array("@/devices\0".utf8), Array("add@relative\0".utf8),
    ])
    func rejects(message: [UInt8]) {
        #expect(UEventParser.parse(message) == nil)
    }

    @Test("Only sound and usb events concern microphones")
    func filter() {
        #expect(UEvent(action: "add", devpath: "/d", fields: ["SUBSYSTEM": "usb"]).concernsAudio)
        #expect(!UEvent(action: "add", devpath: "/d", fields: ["SUBSYSTEM": "net"]).concernsAudio)
        #expect(!UEvent(action: "add", devpath: "/d", fields: [:]).concernsAudio)
    }

    // Triggering a uevent needs a writable /sys (root, not a read-only container mount); where
    // there is none the test is reported as skipped.
    @Test("The real netlink socket delivers a synthetic uevent the test triggers, or says why it cannot open",
          .enabled(if: FileManager.default.isWritableFile(atPath: "/sys/class/net/lo/uevent")))
    func realSocket() async throws {
        let socket: UEventSocket
        do {
            socket = try UEventSocket()
        } catch {
            // A container without netlink: the error must say what failed.
            #expect(error.description.contains("netlink uevent socket"))
            return
        }
        // The socket is bound: the kernel queues the event for it before the reader starts.
        try "change".write(toFile: "/sys/class/net/lo/uevent", atomically: false, encoding: .utf8)
        for await event in socket.events() where event.subsystem == "net" && event.devpath.hasSuffix("/lo") {
            #expect(event.action == "change")
            break
        }
    }

    @Test("A station's socket takes the kernel's uevents only (as udev); a process speaking for the kernel is refused",
          .enabled(if: FileManager.default.isWritableFile(atPath: "/sys/class/net/lo/uevent")))
    func kernelOnly() async throws {
        let station = try UEventSocket()
        let forged = UEvent(action: "add", devpath: "/devices/usb1/1-9/sound/card9",
                            fields: ["ACTION": "add", "SUBSYSTEM": "sound", "SEQNUM": "\(UInt32.random(in: 0...UInt32.max))"])
        #expect(UEventParser.parse(forged.message) == forged, "the wire format reads back")
        try forged.broadcast()
        // Then one from the kernel itself: it arrives after the forged one, which by then was read.
        try "change".write(toFile: "/sys/class/net/lo/uevent", atomically: false, encoding: .utf8)
        for await event in station.events() {
            #expect(event != forged, "a process's message taken as the kernel's")
            if event.subsystem == "net", event.devpath.hasSuffix("/lo") { break }
        }
        #expect(station.refused >= 1)
    }
}
