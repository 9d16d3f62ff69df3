import Foundation
import SilvasonicHardware
import SilvasonicPodman
import Testing

extension ControllerProcessTests {
    @Test("A uevent starts a plugged microphone's recorder at once: the periodic scan (an hour) never ran")
    func ueventPath() async throws {
        var (stage, events) = (try await Stage.make(), nil as AsyncStream<ContainerEventFollow>.Iterator?)
        events = stage.podman.followEvents(labels: ["io.silvasonic.owner": stage.owner]).makeAsyncIterator()
        #expect(await events?.next() == .subscribed)
        let controller = try stage.start(["SILVASONIC_SCAN_INTERVAL_S": "3600", "SILVASONIC_HARDWARE_UEVENTS": "on"])
        var output = controller.lines.makeAsyncIterator()
        // Listening (and its initial scan, which finds nothing, follows): only a uevent can find
        // the microphone plugged now, for the hour until the next periodic scan.
        let listening = try #require(await Self.line(containing: "listening to uevents", in: &output))
        #expect(listening.contains("any (a fixture tree)"))
        try stage.plugUltramic()
        let devpath = "/devices/usb1/1-3/1-3.2/1-3.2:1.0/sound/card2"
        try UEvent(action: "add", devpath: devpath, fields: ["ACTION": "add", "DEVPATH": devpath, "SUBSYSTEM": "sound",
                                                             "SEQNUM": "4242"]).broadcast()
        var iterator = try #require(events)
        let started = await Self.next(.start, in: &iterator)
        #expect(started != nil, "the recorder started on the uevent")
        controller.send(SIGTERM)
        #expect(await controller.waitForExit() == 0)
        try await stage.tearDown()
    }
}
