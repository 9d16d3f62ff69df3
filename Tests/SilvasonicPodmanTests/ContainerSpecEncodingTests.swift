import Foundation
import SilvasonicPodman
import Testing

@Suite("The create spec in libpod's own keys")
struct ContainerSpecEncodingTests {
    @Test("Every field lands under libpod's SpecGenerator key")
    func keys() throws {
        let spec = ContainerSpec(
            name: "silvasonic-recorder-x", image: "localhost/silvasonic_recorder:latest",
            labels: ["io.silvasonic.owner": "controller"], environment: ["A": "1"],
            mounts: [.init(source: "/w", destination: "/app/workspace", options: ["z"])],
            devices: ["/dev/snd"], groups: ["audio"], privileged: true, networks: ["silvasonic-net"],
            memoryLimitBytes: 536_870_912, cpuQuotaMicroseconds: 100_000, oomScoreAdjust: -999,
            restartPolicy: .onFailure(maxRetries: 5))
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(spec)) as? [String: Any]
        let object = try #require(json)
        #expect(object["name"] as? String == "silvasonic-recorder-x")
        #expect(object["env"] as? [String: String] == ["A": "1"])
        #expect((object["mounts"] as? [[String: Any]])?.first?["options"] as? [String] == ["rbind", "z"])
        #expect((object["mounts"] as? [[String: Any]])?.first?["type"] as? String == "bind")
        #expect(object["devices"] as? [[String: String]] == [["path": "/dev/snd"]])
        #expect(object["groups"] as? [String] == ["audio"])
        #expect(object["netns"] as? [String: String] == ["nsmode": "bridge"])
        #expect((object["Networks"] as? [String: Any])?.keys.sorted() == ["silvasonic-net"])
        let limits = object["resource_limits"] as? [String: [String: Int]]
        #expect(limits?["memory"] == ["limit": 536_870_912])
        #expect(limits?["cpu"] == ["quota": 100_000, "period": 100_000])
        #expect(object["oom_score_adj"] as? Int == -999)
        #expect(object["restart_policy"] as? String == "on-failure")
        #expect(object["restart_tries"] as? Int == 5)
    }

    @Test("A died event decodes with its exit code; labels are split from Podman's own attributes")
    func diedEvent() throws {
        let line = #"{"status":"died","id":"0968","Type":"container","Action":"died","Actor":{"ID":"0968","Attributes":{"containerExitCode":"3","image":"img","io.silvasonic.owner":"probe","name":"probe-ev","podId":""}},"time":1795291701,"timeNano":1795291701186582027}"#
        let events = PodmanEventDecoding.decode(Array(line.utf8))
        #expect(events == ContainerEvent(containerID: "0968", name: "probe-ev", image: "img", action: .died(exitCode: 3),
                                          labels: ["io.silvasonic.owner": "probe"],
                                          time: LogTimestamp(seconds: 1_795_291_701, nanoseconds: 186_582_027)))
        #expect(PodmanEventDecoding.decode(Array("{not json".utf8)) == nil)
    }

    @Test("Podman 4's 500 answers are typed by their cause", arguments: [
        (500, "image not known", PodmanError.Code.notFound),
        (500, "that name is already in use", .conflict),
        (500, "container state improper", .conflict),
        (404, "", .notFound),
        (500, "crun: something broke", .requestFailed),
    ])
    func causes(status: Int, cause: String, code: PodmanError.Code) {
        #expect(PodmanError.code(status: status, cause: cause) == code)
    }
}
