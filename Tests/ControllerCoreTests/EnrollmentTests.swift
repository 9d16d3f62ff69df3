import ControllerCore
import Testing

@Suite("Profile matching, enrollment, device rows and desired state")
struct EnrollmentTests {
    let ultramic = MatchableProfile(slug: "ultramic_384_evo", match: .init(usbVendorID: "0869", usbProductID: "0389", alsaNameContains: "ultramic"))
    let ultramic192 = MatchableProfile(slug: "ultramic_192k", match: .init(usbVendorID: "0869", usbProductID: "0308", alsaNameContains: "ultramic"))
    let generic = MatchableProfile(slug: "generic_usb", match: nil)
    let evo = DeviceIdentity(vendorID: "0869", productID: "0389", alsaName: "UltraMic 384K")

    @Test("Vendor and product id match case-insensitively for 100; the ALSA name gives 50; else 0")
    func scores() {
        #expect(ProfileMatching.score(DeviceIdentity(vendorID: "0869", productID: "0389", alsaName: ""), ultramic.match) == 100)
        #expect(ProfileMatching.score(DeviceIdentity(vendorID: "0869", productID: "0389", alsaName: ""), .init(usbVendorID: "0869", usbProductID: "0389")) == 100)
        #expect(ProfileMatching.score(DeviceIdentity(vendorID: "0869", productID: "9999", alsaName: "ULTRAMIC x"), ultramic.match) == 50)
        #expect(ProfileMatching.score(DeviceIdentity(vendorID: nil, productID: nil, alsaName: "Scarlett"), ultramic.match) == 0)
        #expect(ProfileMatching.score(evo, nil) == 0)
        #expect(ProfileMatching.score(DeviceIdentity(vendorID: "0869", productID: "0389", alsaName: ""), .init(usbVendorID: "", usbProductID: "")) == 0)
    }

    @Test("A score of 100 enrols when auto-enrollment is on and suggests when it is off")
    func exactMatch() {
        let profiles = [ultramic, ultramic192, generic]
        #expect(ProfileMatching.match(evo, profiles: profiles, autoEnrollment: true) == .enroll(profile: "ultramic_384_evo", score: 100))
        #expect(ProfileMatching.match(evo, profiles: profiles, autoEnrollment: false) == .suggest(profile: "ultramic_384_evo", score: 100))
    }

    @Test("A name-only match is a suggestion; equal best scores stay pending with no profile")
    func suggestionsAndTies() {
        let byName = DeviceIdentity(vendorID: "dead", productID: "beef", alsaName: "UltraMic 250")
        let outcome = ProfileMatching.match(byName, profiles: [ultramic, ultramic192, generic], autoEnrollment: true)
        #expect(outcome == .tie(profiles: ["ultramic_192k", "ultramic_384_evo"], score: 50))
        #expect(outcome.profileSlug == nil)
        #expect(outcome.enrollmentStatus == "pending")
        #expect(ProfileMatching.match(byName, profiles: [ultramic, generic], autoEnrollment: true) == .suggest(profile: "ultramic_384_evo", score: 50))
    }

    @Test("No match falls back to generic_usb when it exists, else stays pending")
    func fallback() {
        let unknown = DeviceIdentity(vendorID: "1234", productID: "5678", alsaName: "USB Audio Device")
        #expect(ProfileMatching.match(unknown, profiles: [ultramic, generic], autoEnrollment: true) == .enroll(profile: "generic_usb", score: 0))
        #expect(ProfileMatching.match(unknown, profiles: [ultramic], autoEnrollment: true) == .noMatch)
    }

    @Test("Matching runs on first discovery only; later sightings keep the user's enrollment and write only changes")
    func rowsOnFirstDiscoveryOnly() throws {
        let hardware = HardwareSnapshot(alsaCardIndex: 2, alsaDevice: "hw:2,0", alsaName: "UltraMic 384K", usbVendorID: "0869",
                                        usbProductID: "0389", usbSerial: "ABC034F", usbBusPath: "1-3.2")
        guard case .insert(var row) = DeviceRowPlan.seen(stableID: "0869-0389-ABC034F", hardware: hardware, existing: nil,
                                                          firstMatch: { .enroll(profile: "ultramic_384_evo", score: 100) }) else {
            Issue.record("a new device is inserted"); return
        }
        #expect(row.enrollmentStatus == "enrolled")
        #expect(row.serialNumber == "ABC034F")
        row.enrollmentStatus = "ignored"  // the user ignores it
        var asked = false
        let again = DeviceRowPlan.seen(stableID: row.name, hardware: hardware, existing: row, firstMatch: { asked = true; return .noMatch })
        #expect(again == .unchanged)
        #expect(!asked)
        var moved = hardware
        moved.alsaCardIndex = 3
        moved.alsaDevice = "hw:3,0"
        guard case .update(let updated) = DeviceRowPlan.seen(stableID: row.name, hardware: moved, existing: row, firstMatch: { .noMatch }) else {
            Issue.record("a changed card index is written"); return
        }
        #expect(updated.enrollmentStatus == "ignored")
        #expect(updated.hardware.alsaDevice == "hw:3,0")
        guard case .update(let offline) = DeviceRowPlan.gone(existing: updated) else { Issue.record("offline is written"); return }
        #expect(offline.status == "offline")
        #expect(DeviceRowPlan.gone(existing: offline) == .unchanged)
    }

    @Test("Without a serial, the serial number is the stable id")
    func serialFallback() {
        let hardware = HardwareSnapshot(alsaCardIndex: 1, alsaDevice: "hw:1,0", alsaName: "USB Audio Device", usbVendorID: "0d8c",
                                        usbProductID: "0014", usbSerial: nil, usbBusPath: "1-3.2")
        guard case .insert(let row) = DeviceRowPlan.seen(stableID: "0d8c-0014-port1-3.2", hardware: hardware, existing: nil, firstMatch: { .noMatch }) else {
            Issue.record("inserted"); return
        }
        #expect(row.serialNumber == "0d8c-0014-port1-3.2")
    }

    @Test("Colliding workspace names get a stable tag from the stable id; a free one is the reference's")
    func workspaceCollisions() {
        let a = HardwareSnapshot(alsaCardIndex: 1, alsaDevice: nil, alsaName: nil, usbVendorID: nil, usbProductID: nil, usbSerial: nil, usbBusPath: "1-3.2")
        let b = HardwareSnapshot(alsaCardIndex: 2, alsaDevice: nil, alsaName: nil, usbVendorID: nil, usbProductID: nil, usbSerial: nil, usbBusPath: "1-3.4")
        let first = WorkspaceNaming.name(profileSlug: "generic_usb", stableID: "x-port1-3.2", hardware: a, takenByOthers: [])
        let second = WorkspaceNaming.name(profileSlug: "generic_usb", stableID: "x-port1-3.4", hardware: b, takenByOthers: [first])
        #expect(first == "generic-usb-p1d3")
        #expect(second.hasPrefix("generic-usb-p1d3-"))
        #expect(second.count == "generic-usb-p1d3-".count + 6)
        #expect(second == WorkspaceNaming.name(profileSlug: "generic_usb", stableID: "x-port1-3.4", hardware: b, takenByOthers: [first]))
    }

    @Test("The second of two microphones with one serial gets a serial_number with its port, so the UNIQUE column takes both")
    func duplicateSerial() {
        let hardware = HardwareSnapshot(alsaCardIndex: 2, alsaDevice: "hw:2,0", alsaName: "UltraMic", usbVendorID: "0869",
                                        usbProductID: "0389", usbSerial: "ABC", usbBusPath: "1-4")
        guard case .insert(let plain) = DeviceRowPlan.seen(stableID: "0869-0389-ABC", hardware: hardware, existing: nil,
                                                           firstMatch: { .noMatch }),
              case .insert(let second) = DeviceRowPlan.seen(stableID: "0869-0389-ABC-port1-4", hardware: hardware, existing: nil,
                                                            firstMatch: { .noMatch }) else { Issue.record("inserts"); return }
        #expect(plain.serialNumber == "ABC")
        #expect(second.serialNumber == "ABC-port1-4")
    }

    @Test("A recorder is wanted only when online, enabled, enrolled and with a profile; max_recorders keeps running ones first")
    func desiredState() {
        func device(_ id: String, online: Bool = true, enabled: Bool = true, status: String = "enrolled", profile: String? = "p") -> DeviceDesire {
            DeviceDesire(id: id, online: online, enabled: enabled, enrollmentStatus: status, profileSlug: profile)
        }
        let devices = [device("a"), device("b", online: false), device("c", enabled: false), device("d", status: "pending"),
                       device("e", profile: nil), device("f"), device("g")]
        #expect(DesiredState.recording(devices, running: [], maxRecorders: nil) == ["a", "f", "g"])
        #expect(DesiredState.recording(devices, running: ["g"], maxRecorders: 2) == ["a", "g"])
        #expect(DesiredState.recording(devices, running: [], maxRecorders: 0).isEmpty)
        // Why each of the others has none, said when a recorder is stopped for it.
        #expect(devices.map(IdleReason.of) == [nil, .offline, .disabled, .pending, .noProfile, nil, nil])
        #expect(IdleReason.of(device("h", status: "ignored")) == .ignored)
    }

    @Test("A plan says why a device gets no recorder; one cut by max_recorders is over the limit")
    func idleReasons() {
        let generic = RecorderProfileConfig(sampleRate: 48_000)
        func row(_ id: String, enabled: Bool = true, enrollment: String = "enrolled") -> Reconciliation.Device {
            Reconciliation.Device(row: DeviceRow(name: id, serialNumber: id, model: "m", status: "online", enrollmentStatus: enrollment,
                                                 enabled: enabled, profileSlug: "generic_usb", workspaceName: nil,
                                                 hardware: HardwareSnapshot(alsaCardIndex: 1, alsaDevice: nil, alsaName: nil, usbVendorID: nil,
                                                                            usbProductID: nil, usbSerial: nil, usbBusPath: id)),
                                  profile: generic, profileProblem: nil)
        }
        let plan = Reconciliation.plan([row("1-1"), row("1-2"), row("1-3", enabled: false), row("1-4", enrollment: "ignored")],
                                       settings: StationSettings(), system: 1, running: ["1-2"])
        #expect(plan.decisions["1-1"] == .idle(.recorderLimit))
        #expect(plan.decisions["1-3"] == .idle(.disabled))
        #expect(plan.decisions["1-4"] == .idle(.ignored))
        guard case .record = plan.decisions["1-2"] else { Issue.record("the running one keeps its place"); return }
    }
}

@Suite("One reconcile: devices and profiles in, a decision per device out")
struct ReconciliationTests {
    func row(_ id: String, bus: String, status: String = "online", enrollment: String = "enrolled",
             profile: String? = "generic_usb", workspace: String? = nil) -> DeviceRow {
        DeviceRow(name: id, serialNumber: id, model: "USB Audio Device", status: status, enrollmentStatus: enrollment,
                  enabled: true, profileSlug: profile, workspaceName: workspace,
                  hardware: HardwareSnapshot(alsaCardIndex: 1, alsaDevice: "hw:1,0", alsaName: "USB Audio Device",
                                             usbVendorID: "0d8c", usbProductID: "0014", usbSerial: nil, usbBusPath: bus))
    }

    @Test("Wanted devices get a recorder spec; two colliding names are told apart; the names are stored")
    func plan() {
        let generic = RecorderProfileConfig(sampleRate: 48_000)
        let devices = [
            Reconciliation.Device(row: row("a", bus: "1-3.2"), profile: generic, profileProblem: nil),
            Reconciliation.Device(row: row("b", bus: "1-3.4"), profile: generic, profileProblem: nil),
            Reconciliation.Device(row: row("c", bus: "1-4", status: "offline"), profile: generic, profileProblem: nil),
        ]
        let plan = Reconciliation.plan(devices, settings: StationSettings(), system: 5, running: [])
        guard case .record(let a) = plan.decisions["a"], case .record(let b) = plan.decisions["b"] else {
            Issue.record("both online devices record"); return
        }
        #expect(a.name == "silvasonic-recorder-generic-usb-p1d3")
        #expect(b.name.hasPrefix("silvasonic-recorder-generic-usb-p1d3-"))
        #expect(plan.decisions["c"] == .idle(.offline))
        #expect(plan.workspaceNames["a"] == "generic-usb-p1d3")
        #expect(plan.workspaceNames["b"] == String(b.name.dropFirst("silvasonic-recorder-".count)))
    }

    @Test("Planning some devices alone: a name another device holds is taken, as in a plan of all")
    func takenByOthers() {
        let generic = RecorderProfileConfig(sampleRate: 48_000)
        let alone = [Reconciliation.Device(row: row("b", bus: "1-3.4"), profile: generic, profileProblem: nil)]
        let plan = Reconciliation.plan(alone, settings: StationSettings(), system: nil, running: [],
                                       takenByOthers: ["generic-usb-p1d3"])
        let together = Reconciliation.plan([Reconciliation.Device(row: row("a", bus: "1-3.2", workspace: "generic-usb-p1d3"),
                                                                  profile: generic, profileProblem: nil)] + alone,
                                           settings: StationSettings(), system: nil, running: [])
        #expect(plan.workspaceNames["b"]?.hasPrefix("generic-usb-p1d3-") == true)
        #expect(plan.workspaceNames["b"] == together.workspaceNames["b"])
        #expect(plan.decisions["b"] == together.decisions["b"])
    }

    @Test("A stored workspace name is kept while it fits, so the recorder never moves")
    func stableNames() {
        let generic = RecorderProfileConfig(sampleRate: 48_000)
        let devices = [
            Reconciliation.Device(row: row("b", bus: "1-3.4", workspace: "generic-usb-p1d3-abcdef"), profile: generic, profileProblem: nil),
        ]
        let plan = Reconciliation.plan(devices, settings: StationSettings(), system: nil, running: [])
        guard case .record(let spec) = plan.decisions["b"] else { Issue.record("records"); return }
        #expect(spec.name == "silvasonic-recorder-generic-usb-p1d3-abcdef")
        #expect(plan.workspaceNames.isEmpty)
    }

    @Test("A device whose profile cannot be read is left as it is; the others go on")
    func failStaticPerDevice() {
        let devices = [
            Reconciliation.Device(row: row("a", bus: "1-1"), profile: nil, profileProblem: "audio.format: one of S16LE, S24LE, S32LE"),
            Reconciliation.Device(row: row("b", bus: "1-2"), profile: RecorderProfileConfig(sampleRate: 48_000), profileProblem: nil),
        ]
        let plan = Reconciliation.plan(devices, settings: StationSettings(), system: 5, running: [])
        #expect(plan.decisions["a"] == .keep(reason: "audio.format: one of S16LE, S24LE, S32LE"))
        guard case .record = plan.decisions["b"] else { Issue.record("b records"); return }
    }

    @Test("A row with a value the contract does not know is left as it is, naming column and value; the others go on")
    func failStaticOnUnknownValues() {
        let generic = RecorderProfileConfig(sampleRate: 48_000)
        let devices = [
            Reconciliation.Device(row: row("a", bus: "1-1", enrollment: "bogus"), profile: generic, profileProblem: nil),
            Reconciliation.Device(row: row("b", bus: "1-2", status: "ONLINE\u{7}"), profile: generic, profileProblem: nil),
            Reconciliation.Device(row: row("c", bus: "1-3"), profile: generic, profileProblem: nil),
        ]
        let plan = Reconciliation.plan(devices, settings: StationSettings(), system: 5, running: ["a", "b"])
        #expect(plan.decisions["a"] == .keep(reason: "enrollment_status \"bogus\" is not pending, enrolled or ignored"))
        #expect(plan.decisions["b"] == .keep(reason: "status \"ONLINE?\" is not online or offline"))
        guard case .record = plan.decisions["c"] else { Issue.record("c records"); return }
        #expect(row("c", bus: "1-3").problem == nil)
        #expect(row("d", bus: "1-4", enrollment: "ignored").problem == nil)
    }

    @Test("A row the store could not read (a NULL, a config of another shape) is left as it is, the reason kept")
    func failStaticOnUnreadableRows() {
        let generic = RecorderProfileConfig(sampleRate: 48_000)
        var unreadable = row("a", bus: "1-1")
        unreadable.readProblem = "status is NULL; config.alsa_device 5 is not a string"
        let devices = [
            Reconciliation.Device(row: unreadable, profile: generic, profileProblem: nil),
            Reconciliation.Device(row: row("b", bus: "1-2"), profile: generic, profileProblem: nil),
        ]
        let plan = Reconciliation.plan(devices, settings: StationSettings(), system: 5, running: ["a"])
        #expect(plan.decisions["a"] == .keep(reason: "status is NULL; config.alsa_device 5 is not a string"))
        guard case .record = plan.decisions["b"] else { Issue.record("b records"); return }
    }
}
