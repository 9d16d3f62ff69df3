import Foundation
import Logging
import SilvasonicController
import SilvasonicIO
import Synchronization
import Testing

@Suite("Log lines: JSON for stations, a shared verbosity lowered after start-up")
struct ControllerLoggingTests {
    final class Lines: Sendable {
        let all = Mutex<[String]>([])
        func add(_ line: String) { all.withLock { $0.append(line) } }
    }

    @Test("One JSON object per line with structlog's keys; routine messages stop at notice, warnings pass")
    func jsonLines() throws {
        let lines = Lines()
        let verbosity = LogVerbosity(.info)
        var logger = Logger(label: "silvasonic.controller") { label in
            JSONLinesLogHandler(label: label, verbosity: verbosity, write: { lines.add($0) })
        }
        logger[metadataKey: "device.id"] = "0869-0389-ABC034F"
        logger.info("recorder running", metadata: ["container.id": "abc"])
        verbosity.set(.notice)
        logger.info("recorder running", metadata: ["container.id": "def"])
        logger.warning("recorder heartbeat lost")
        logger.debug("never")

        let written = lines.all.withLock { $0 }
        #expect(written.count == 2)
        #expect(written.allSatisfy { $0.hasSuffix("\n") && $0.dropLast().contains("\n") == false })
        let first = try JSONDecoder().decode(JSONValue.self, from: Data(written[0].utf8))
        #expect(first["event"] == "recorder running")
        #expect(first["level"] == "info")
        #expect(first["logger"] == "silvasonic.controller")
        #expect(first["device.id"] == "0869-0389-ABC034F")
        #expect(first["container.id"] == "abc")
        #expect(first["timestamp"]?.stringValue?.hasSuffix("+00:00") == true)
        let second = try JSONDecoder().decode(JSONValue.self, from: Data(written[1].utf8))
        #expect(second["level"] == "warning")
        #expect(logger.logLevel == .notice)
    }
}
