import Foundation
import SilvasonicController
import SilvasonicPodman
import Testing

@Suite("Container log lines as silvasonic:logs messages")
struct LogForwardingTests {
    let labels = ["io.silvasonic.service": "recorder", "io.silvasonic.device_id": "mic-1"]
    let now = Date(timeIntervalSince1970: 1_771_816_542)  // 2026-02-23T03:15:42Z

    @Test("A JSON line keeps its level, event, timestamp and logger")
    func jsonLine() {
        let line = LogLine(stream: .stdout, text: #"{"event": "segment written", "level": "warning", "timestamp": "2026-02-23T03:15:40Z", "logger": "rec", "file": "x"}"#)
        #expect(LogForwarding.message(line, containerName: "silvasonic-recorder-a", labels: labels, now: now)
            == #"{"service": "recorder", "instance_id": "mic-1", "container_name": "silvasonic-recorder-a", "level": "warning", "message": "segment written", "timestamp": "2026-02-23T03:15:40Z", "logger": "rec"}"#)
    }

    @Test("A JSON line without level, event or timestamp gets info, its message or the raw line, and now")
    func sparseJSON() {
        let line = LogLine(stream: .stdout, text: #"{"message": "hello"}"#)
        #expect(LogForwarding.message(line, containerName: "c", labels: [:], now: now)
            == #"{"service": "unknown", "instance_id": "c", "container_name": "c", "level": "info", "message": "hello", "timestamp": "2026-02-23T03:15:42+00:00"}"#)
    }

    @Test("Any other line is raw, with non-ASCII escaped as Python's json.dumps does")
    func rawLine() {
        let line = LogLine(stream: .stderr, text: "ALSA: xrun — buffer empty")
        #expect(LogForwarding.message(line, containerName: "c", labels: labels, now: now)
            == #"{"service": "recorder", "instance_id": "mic-1", "container_name": "c", "level": "raw", "message": "ALSA: xrun \u2014 buffer empty", "timestamp": "2026-02-23T03:15:42+00:00"}"#)
    }
}
