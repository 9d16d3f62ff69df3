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

    @Test("A structlog console line gives its level, its message and its own timestamp, colour codes removed")
    func structlogConsole() {
        let plain = LogLine(stream: .stdout, text: "2026-12-01T10:00:00Z [warning  ] segment late                   device=hw:2,0")
        #expect(LogForwarding.message(plain, containerName: "c", labels: labels, now: now)
            == #"{"service": "recorder", "instance_id": "mic-1", "container_name": "c", "level": "warning", "message": "segment late                   device=hw:2,0", "timestamp": "2026-12-01T10:00:00Z"}"#)
        let coloured = LogLine(stream: .stdout,
                               text: "\u{1B}[2m2026-12-01T10:00:01.5Z\u{1B}[0m [\u{1B}[31m\u{1B}[1merror    \u{1B}[0m] \u{1B}[1mcapture failed\u{1B}[0m")
        #expect(LogForwarding.message(coloured, containerName: "c", labels: labels, now: now).contains(
            #""level": "error", "message": "capture failed", "timestamp": "2026-12-01T10:00:01.5Z""#))
        let untimed = LogLine(stream: .stdout, text: "[info     ] recorder started")
        #expect(LogForwarding.message(untimed, containerName: "c", labels: labels, now: now).hasSuffix(
            #""level": "info", "message": "recorder started", "timestamp": "2026-02-23T03:15:42+00:00"}"#))
    }

    @Test("A LEVEL: prefix gives the level; other prefixes and brackets stay raw")
    func levelPrefix() {
        let prefixed = LogLine(stream: .stderr, text: "WARNING:root:disk almost full")
        #expect(LogForwarding.message(prefixed, containerName: "c", labels: labels, now: now).contains(
            #""level": "warning", "message": "root:disk almost full""#))
        for text in ["ALSA: xrun", "Warning: lowercase is not a level prefix", "[1/3] step", "2026-12-01T10:00:00Z plain text"] {
            #expect(LogForwarding.message(LogLine(stream: .stderr, text: text), containerName: "c", labels: labels, now: now)
                .contains(#""level": "raw""#), "\(text)")
        }
    }
}
