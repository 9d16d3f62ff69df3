import ControllerCore
import Foundation
import SilvasonicController
import SilvasonicIO
import Supervision
import Testing

@Suite("/status and `status`: each device's real state, whole seconds, the failing component")
struct StatusTreeTests {
    let children = ["container", "heartbeat", "logs"].map {
        ChildInfo(id: $0, kind: .worker, restartType: .permanent, state: .running, restarts: 0, lastFailure: nil,
                  uptime: .seconds(3))
    }

    func device(_ key: String, _ state: RecorderState, idle reason: IdleReason? = nil, engineUnreachable: Bool = false,
                held: String? = nil) -> DeviceStatus {
        DeviceStatus(key: key, service: "recorder", state: state, restarts: 0, lastFailure: nil, since: .seconds(5),
                     nextRetry: nil, lastStop: nil, children: children, heldBecause: held, idleReason: reason,
                     engineUnreachable: engineUnreachable)
    }

    /// The tree as the CLI reads it: through JSON, where whole numbers come back as integers.
    func rendered(_ devices: [DeviceStatus], health: HealthReport) throws -> String {
        let tree = StatusTree.json(
            root: [ChildInfo(id: "devices", kind: .supervisor, restartType: .permanent, state: .running, restarts: 0,
                             lastFailure: nil, uptime: .seconds(7))],
            groups: ["devices": devices], health: health)
        let text = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(tree))
        return StatusTree.render(text)
    }

    @Test("Idle devices say why, an unreachable engine is named, a held row is held, and whole seconds show")
    func statesAnOperatorReads() throws {
        var facts = HealthReport.Facts(startedAt: ContinuousClock.Instant.now)
        facts.lastProgress = facts.startedAt
        facts.databaseReadable = true
        facts.redisSubscribed = true
        facts.podmanSubscribed = false
        let health = HealthReport.judge(facts, now: facts.startedAt, progressDeadline: .seconds(60))
        let text = try rendered([
            device("a-offline", .idle, idle: .offline),
            device("b-disabled", .idle, idle: .disabled),
            device("c-pending", .idle, idle: .pending),
            device("d-ignored", .idle, idle: .ignored),
            device("e-engine", .backingOff, engineUnreachable: true),
            device("f-crash", .backingOff),
            device("g-held", .running(containerID: "0123456789abcdef"), held: "status is NULL"),
            device("h-recording", .running(containerID: "0123456789abcdef")),
        ], health: health)
        #expect(text.hasPrefix("controller  running  health error (podman: event stream down; reconnecting)"))
        #expect(text.contains("a-offline  recorder  rest_for_one  offline  restarts 0  since 5.0 s"))
        #expect(text.contains("b-disabled  recorder  rest_for_one  disabled"))
        #expect(text.contains("c-pending  recorder  rest_for_one  pending_enrollment"))
        #expect(text.contains("d-ignored  recorder  rest_for_one  ignored"))
        #expect(text.contains("e-engine  recorder  rest_for_one  engine_unreachable"))
        #expect(text.contains("f-crash  recorder  rest_for_one  backing_off"))
        #expect(text.contains("g-held  recorder  rest_for_one  held"))
        #expect(text.contains("left as it is: status is NULL"))
        #expect(text.contains("h-recording  recorder  rest_for_one  running  restarts 0  container 0123456789ab  since 5.0 s"))
        #expect(text.contains("├─ container  running  restarts 0  up 3.0 s"))
        #expect(text.contains("└─ devices  one_for_one  running  restarts 0  up 7.0 s"))
    }
}
