import Benchmark
import ControllerCore

// The hot paths of a reconcile, per device: building a recorder spec with its config hash,
// one recorder lifecycle through a crash and its restart, and a whole plan over 1,000 devices
// with the specs cached as the reconciler keeps them. Counted in mallocs, which hold on a
// noisy machine. Benchmark names carry no spaces (see docs/benchmarks.md).

/// 1,000 enrolled, online devices of one profile.
let devices: [Reconciliation.Device] = (0..<1_000).map { index in
    let serial = "SIM" + String(index, radix: 16)
    let hardware = HardwareSnapshot(alsaCardIndex: index, alsaDevice: "hw:\(index),0", alsaName: "UltraMic 384K",
                                    usbVendorID: "0869", usbProductID: "0389", usbSerial: serial, usbBusPath: "1-\(index)")
    let row = DeviceRow(name: "0869-0389-\(serial)", serialNumber: serial, model: "UltraMic 384K", status: "online",
                        enrollmentStatus: "enrolled", enabled: true, profileSlug: "ultramic_384_evo",
                        workspaceName: nil, hardware: hardware)
    return Reconciliation.Device(row: row, profile: profile, profileProblem: nil)
}

let profile: RecorderProfileConfig = {
    var profile = RecorderProfileConfig(sampleRate: 384_000)
    profile.match = .init(usbVendorID: "0869", usbProductID: "0389", alsaNameContains: "ultramic")
    profile.gainDB = 12
    profile.chunkSize = 8192
    profile.highpassFilterHz = 1000
    return profile
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.instructions, .mallocCountTotal, .wallClock],
        maxDuration: .seconds(2),
        maxIterations: 1_000,
        thresholds: [.mallocCountTotal: .init(absolute: [.p90: 8])]
    )

    Benchmark("recorder-spec-with-config-hash") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(StationSpecs.recorder(device: .init(id: "0869-0389-ABC034F", workspaceName: "ultramic-384-evo-034f",
                                                          alsaDevice: "hw:2,0"),
                                            profileSlug: "ultramic_384_evo", profile: profile, settings: StationSettings()))
        }
    }

    Benchmark("reconcile-plan-1000-devices-cached-specs") { benchmark in
        var cache: [Reconciliation.SpecKey: Tier2Spec] = [:]
        let settings = StationSettings()
        // Warm: the reconciler keeps the specs of the last run.
        _ = Reconciliation.plan(devices, settings: settings, system: nil, running: []) { key in
            let spec = StationSpecs.recorder(device: key.device, profileSlug: key.profileSlug, profile: key.profile, settings: settings)
            cache[key] = spec
            return spec
        }
        let warm = cache
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(Reconciliation.plan(devices, settings: settings, system: nil, running: []) { key in
                warm[key] ?? StationSpecs.recorder(device: key.device, profileSlug: key.profileSlug, profile: key.profile,
                                                   settings: settings)
            })
        }
    }
}
