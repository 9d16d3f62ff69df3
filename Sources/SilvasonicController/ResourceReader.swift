package import ControllerCore
import Foundation

/// Reads the procfs files ``ResourceSample`` parses, and keeps the previous sample so each
/// heartbeat reports the CPU used since the one before. Always the real `/proc`: the hardware
/// fixture's procfs root describes sound cards, not this process.
package struct ResourceReader: Sendable {
    private var previous: ResourceSample?
    private let procfs: String
    private let ticksPerSecond = Int(sysconf(Int32(_SC_CLK_TCK)))
    private let cpuCount = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))

    public init(procfs: String = "/proc") {
        self.procfs = procfs
    }

    /// The usage since the last call (CPU figures 0 on the first); `nil` when procfs cannot be read.
    public mutating func usage() -> ResourceUsage? {
        func read(_ name: String) -> String? {
            FileManager.default.contents(atPath: procfs + "/" + name).map { String(decoding: $0, as: UTF8.self) }
        }
        let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        guard let selfStat = read("self/stat"), let selfStatus = read("self/status"), let stat = read("stat"),
              let meminfo = read("meminfo"),
              let sample = ResourceSample.parse(selfStat: selfStat, selfStatus: selfStatus, stat: stat, meminfo: meminfo,
                                                seconds: now) else { return nil }
        defer { previous = sample }
        return ResourceUsage(previous: previous, current: sample, ticksPerSecond: ticksPerSecond, cpuCount: cpuCount)
    }
}
