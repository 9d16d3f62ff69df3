import ControllerCore
import Foundation

/// Reads a recorder's workspace into a ``WorkspaceFingerprint``: its regular files, a few
/// directory levels deep, at most `maximumFiles` of them (a workspace whose segments nobody
/// collects grows without bound; the newest files still change the fingerprint as they come).
/// Only read while the recorder's heartbeat is missing, so a healthy station never pays for it.
enum WorkspaceScan {
    /// The fingerprint of the directory at `path`; `nil` when it cannot be read.
    static func fingerprint(of path: String, maximumFiles: Int = 10_000, maximumDepth: Int = 4) -> WorkspaceFingerprint? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue,
              let entries = FileManager.default.enumerator(
                at: URL(fileURLWithPath: path, isDirectory: true),
                includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey, .contentModificationDateKey],
                options: [.skipsHiddenFiles]) else { return nil }
        var print = WorkspaceFingerprint(files: 0, bytes: 0, newestModification: 0)
        while print.files < maximumFiles, let entry = entries.nextObject() as? URL {
            if entries.level > maximumDepth { entries.skipDescendants() }
            guard let values = try? entry.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey, .contentModificationDateKey]),
                  values.isRegularFile == true else { continue }
            print.files += 1
            print.bytes += Int64(values.fileSize ?? 0)
            print.newestModification = max(print.newestModification, values.contentModificationDate?.timeIntervalSince1970 ?? 0)
        }
        return print
    }
}
