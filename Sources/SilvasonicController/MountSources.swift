package import ControllerCore
import Foundation

/// The host directories a container's mounts bind, made ready before its create: Podman refuses
/// a bind mount whose source does not exist (`statfs …: no such file or directory`).
package enum MountSources {
    /// Every source in the controller's workspace (a mount with a `controllerSource`: where the
    /// controller sees it) is made, read-only ones too — BirdNET reads `{WORKSPACE}/recorder`
    /// before any recorder wrote there, from a station's first second; a writable source
    /// elsewhere is made as well; a read-only source outside the workspace must exist already,
    /// else the create fails with its path (the device's status says so, and it is retried).
    package static func prepare(_ mounts: [Tier2Spec.Mount]) throws {
        for mount in mounts {
            if let local = mount.controllerSource ?? (mount.readOnly ? nil : mount.source) {
                try FileManager.default.createDirectory(atPath: local, withIntermediateDirectories: true)
            } else if !FileManager.default.fileExists(atPath: mount.source) {
                throw Missing(path: mount.source, target: mount.target)
            }
        }
    }

    /// A read-only mount's source outside the workspace does not exist.
    package struct Missing: Error, CustomStringConvertible {
        package var path: String
        package var target: String
        package var description: String {
            "the mount source \(path) (for \(target), read-only, outside the workspace) does not exist; create it or fix the spec"
        }
    }
}
