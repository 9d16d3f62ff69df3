/// The contract's heartbeat `meta.resources` and `meta.host_resources`, computed from two
/// samples of procfs text (`/proc/self/stat`, `/proc/self/status`, `/proc/stat`,
/// `/proc/meminfo`). Pure: the shell reads the files, this parses and subtracts.
package struct ResourceSample: Sendable, Equatable {
    /// The process's user + system CPU time, in clock ticks.
    package var processTicks: UInt64
    package var residentKB: UInt64
    package var threads: Int
    /// The host's CPU time over all states and in idle (idle + iowait), in clock ticks.
    var hostTotalTicks: UInt64
    var hostIdleTicks: UInt64
    var memoryTotalKB: UInt64
    var memoryAvailableKB: UInt64
    /// When it was taken, in seconds on a monotonic clock.
    public var seconds: Double

    public init(processTicks: UInt64, residentKB: UInt64, threads: Int, hostTotalTicks: UInt64, hostIdleTicks: UInt64,
                memoryTotalKB: UInt64, memoryAvailableKB: UInt64, seconds: Double) {
        self.processTicks = processTicks
        self.residentKB = residentKB
        self.threads = threads
        self.hostTotalTicks = hostTotalTicks
        self.hostIdleTicks = hostIdleTicks
        self.memoryTotalKB = memoryTotalKB
        self.memoryAvailableKB = memoryAvailableKB
        self.seconds = seconds
    }

    /// Parses the four files' text; `nil` when one of them does not have what it should.
    public static func parse(selfStat: String, selfStatus: String, stat: String, meminfo: String,
                             seconds: Double) -> ResourceSample? {
        // The command name may hold spaces and parentheses: fields start after the last ")".
        guard let close = selfStat.lastIndex(of: ")") else { return nil }
        let fields = selfStat[selfStat.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3); utime and stime are fields 14 and 15, threads 20.
        guard fields.count > 17, let utime = UInt64(fields[11]), let stime = UInt64(fields[12]),
              let threads = Int(fields[17]) else { return nil }
        guard let rss = kilobytes("VmRSS:", in: selfStatus) else { return nil }
        guard let cpuLine = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let times = cpuLine.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard times.count >= 4 else { return nil }
        // user nice system idle iowait irq softirq steal; guest time is already in user.
        let total = times.prefix(8).reduce(0, +)
        let idle = times[3] + (times.count > 4 ? times[4] : 0)
        guard let memTotal = kilobytes("MemTotal:", in: meminfo), let available = kilobytes("MemAvailable:", in: meminfo) else {
            return nil
        }
        return ResourceSample(processTicks: utime + stime, residentKB: rss, threads: threads, hostTotalTicks: total,
                              hostIdleTicks: idle, memoryTotalKB: memTotal, memoryAvailableKB: available, seconds: seconds)
    }

    private static func kilobytes(_ key: String, in text: String) -> UInt64? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return nil }
        return line.dropFirst(key.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { UInt64($0) }
    }
}

/// What a heartbeat reports, from the sample before and the sample now.
package struct ResourceUsage: Sendable, Equatable {
    package var cpuPercent: Double
    package var memoryMB: Double
    package var threads: Int
    package var hostCPUPercent: Double
    package var hostCPUCount: Int
    package var hostMemoryUsedMB: Double
    package var hostMemoryTotalMB: Double
    package var hostMemoryPercent: Double

    /// `previous` may be `nil` (the first beat): CPU figures are then 0.
    public init(previous: ResourceSample?, current: ResourceSample, ticksPerSecond: Int, cpuCount: Int) {
        var cpu = 0.0, hostCPU = 0.0
        if let previous, current.seconds > previous.seconds, ticksPerSecond > 0 {
            let used = Double(current.processTicks &- previous.processTicks) / Double(ticksPerSecond)
            cpu = used / (current.seconds - previous.seconds) * 100
            let total = Double(current.hostTotalTicks &- previous.hostTotalTicks)
            let idle = Double(current.hostIdleTicks &- previous.hostIdleTicks)
            if total > 0 { hostCPU = max(0, min(100, (1 - idle / total) * 100)) }
        }
        cpuPercent = Self.rounded(cpu)
        memoryMB = Self.rounded(Double(current.residentKB) / 1024)
        threads = current.threads
        hostCPUPercent = Self.rounded(hostCPU)
        hostCPUCount = cpuCount
        let used = Double(current.memoryTotalKB - min(current.memoryAvailableKB, current.memoryTotalKB))
        hostMemoryUsedMB = Self.rounded(used / 1024)
        hostMemoryTotalMB = Self.rounded(Double(current.memoryTotalKB) / 1024)
        hostMemoryPercent = current.memoryTotalKB > 0 ? Self.rounded(used / Double(current.memoryTotalKB) * 100) : 0
    }

    private static func rounded(_ value: Double) -> Double { (value * 10).rounded() / 10 }
}
