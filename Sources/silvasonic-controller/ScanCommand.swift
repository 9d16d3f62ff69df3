import ArgumentParser
import Foundation
import SilvasonicHardware

/// `silvasonic-controller scan`: what USB microphones this machine has, as the controller sees them.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "List the USB audio devices present (id, name, VID:PID, serial, bus path, ALSA device).",
        discussion: """
            Reads /proc/asound/cards and sysfs, or the trees named by SILVASONIC_PROCFS_ROOT and \
            SILVASONIC_SYSFS_ROOT. Cards that could not be fully described are listed after the table.
            """
    )

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let roots = HardwareRoots(environment: ProcessInfo.processInfo.environment)
        let cards = roots.procfs + "/asound/cards"
        guard FileManager.default.isReadableFile(atPath: cards) else {
            // Not "no devices": nothing could be looked at.
            FileHandle.standardError.write(Data(("cannot read \(cards): no ALSA on this machine, or the wrong "
                                                 + "SILVASONIC_PROCFS_ROOT; no microphone can be seen\n").utf8))
            throw ExitCode(1)
        }
        let result = DeviceScanner(roots: roots).scan()
        if json {
            print(try ScanReport.json(result))
        } else {
            print(ScanReport.table(result), terminator: "")
        }
    }
}
