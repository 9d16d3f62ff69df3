import Foundation
import TestSupport
import Testing

@Suite("The systemd unit of a bare-metal station")
struct ServiceUnitTests {
    @Test("systemd-analyze security rates deploy/silvasonic-controller.service OK, at or below 3.0 (it was 9.6)")
    func hardened() async throws {
        let unit = ScratchServer.repositoryRoot + "/deploy/silvasonic-controller.service"
        let analysis = try await Subprocess.run("/usr/bin/systemd-analyze", ["security", "--offline=true", unit]).output
        let overall = try #require(analysis.split(separator: "\n").first { $0.contains("Overall exposure level") }, "\(analysis)")
        let score = try #require(overall.split(separator: " ").compactMap { Double($0) }.first, "\(overall)")
        #expect(score <= 3.0, "\(overall)")
        // What the controller needs stays allowed: its workspace, netlink for uevents, the sound cards.
        let text = try String(contentsOfFile: unit, encoding: .utf8)
        #expect(text.contains("ReadWritePaths=/mnt/data/workspace"))
        #expect(text.contains("RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK"))
        #expect(text.contains("DeviceAllow=char-alsa rw"))
    }
}
