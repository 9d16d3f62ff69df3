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
            groups: ["devices": devices], health: health, now: 1_800_000_000)
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

    @Test("Each device shows its model and profile, and how long ago its recorder beat and wrote a segment")
    func modelProfileAndAges() throws {
        var recording = device("h-recording", .running(containerID: "0123456789abcdef"))
        recording.description = DeviceDescription(model: "UltraMic 384K", profile: "ultramic_384_evo", workspace: "/ws/x")
        recording.lastHeartbeat = 1_800_000_000 - 3.25
        recording.lastSegment = 1_800_000_000 - 12
        var unplugged = device("a-offline", .idle, idle: .offline)
        unplugged.description = DeviceDescription(model: "USB Audio Device", profile: nil, workspace: nil)
        var facts = HealthReport.Facts(startedAt: ContinuousClock.Instant.now)
        facts.lastProgress = facts.startedAt
        let health = HealthReport.judge(facts, now: facts.startedAt, progressDeadline: .seconds(60))
        let tree = StatusTree.json(root: [ChildInfo(id: "devices", kind: .supervisor, restartType: .permanent, state: .running,
                                                    restarts: 0, lastFailure: nil, uptime: .seconds(7))],
                                   groups: ["devices": [recording, unplugged]], health: health, now: 1_800_000_000)
        guard case .array(let groups)? = tree["children"], case .array(let devices)? = groups.first?["children"],
              devices.count == 2 else { Issue.record("no devices in \(tree)"); return }
        let node = devices[1]
        #expect(node["model"] == "UltraMic 384K")
        #expect(node["profile"] == "ultramic_384_evo")
        #expect(node["heartbeat_age_s"] == .double(3.3))
        #expect(node["last_segment_age_s"] == .double(12))
        #expect(node["last_segment"] == "2027-01-15T07:59:48Z")
        let offline = devices[0]
        #expect(offline["model"] == "USB Audio Device")
        #expect(offline["profile"] == .null)
        #expect(offline["heartbeat_age_s"] == .null)
        let text = StatusTree.render(try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(tree)))
        #expect(text.contains("since 5.0 s  model UltraMic 384K  profile ultramic_384_evo  heartbeat 3.3 s ago  last segment 12.0 s ago"))
        #expect(text.contains("a-offline  recorder  rest_for_one  offline  restarts 0  since 5.0 s  model USB Audio Device\n"))
    }
}
