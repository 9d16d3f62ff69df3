import ControllerCore
import Foundation
import SilvasonicController
import Testing

@Suite("The directories a container's mounts bind, made ready before its create")
struct MountSourcesTests {
    @Test("Sources in the workspace are made, read-only ones too; a read-only source elsewhere that is missing is named")
    func prepare() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mounts-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try MountSources.prepare([
            .init(source: "/host/recorder", target: "/data/recorder", readOnly: true, controllerSource: root + "/recorder"),
            .init(source: root + "/birdnet", target: "/data/birdnet", readOnly: false, controllerSource: nil),
        ])
        #expect(FileManager.default.fileExists(atPath: root + "/recorder"))
        #expect(FileManager.default.fileExists(atPath: root + "/birdnet"))
        let missing = #expect(throws: MountSources.Missing.self) {
            try MountSources.prepare([.init(source: root + "/models", target: "/models", readOnly: true, controllerSource: nil)])
        }
        #expect(missing?.description.contains(root + "/models") == true)
        #expect(!FileManager.default.fileExists(atPath: root + "/models"), "never made outside the workspace")
    }
}
