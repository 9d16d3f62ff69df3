import ControllerCore
import Foundation
import SilvasonicController
import SilvasonicIO
import Simulation
import Testing

/// The simulation's desired-state store is held to what the PostgreSQL repository does.
@Suite("The device store contract, against PostgreSQL and the in-memory store")
struct DeviceStoreContractTests {
    static let hardware = HardwareSnapshot(alsaCardIndex: 2, alsaDevice: "hw:2,0", alsaName: "UltraMic 384K", usbVendorID: "0869",
                                           usbProductID: "0389", usbSerial: "ABC034F", usbBusPath: "1-3.2")
    static let config: JSONValue = ["audio": ["sample_rate": 384_000]]

    func exercise(_ store: any DeviceStore) async throws {
        let insert = DeviceRowPlan.seen(stableID: "0869-0389-ABC034F", hardware: Self.hardware, existing: nil,
                                        firstMatch: { .enroll(profile: "ultramic_384_evo", score: 100) })
        try await store.apply(insert, now: Date())
        let row = try #require(try await store.device("0869-0389-ABC034F"))
        #expect(row.enrollmentStatus == "enrolled")
        #expect(row.profileSlug == "ultramic_384_evo")
        #expect(row.hardware == Self.hardware)
        // A second insert of the same device changes nothing.
        var other = row
        other.model = "changed"
        try await store.apply(.insert(other), now: Date())
        #expect(try await store.device("0869-0389-ABC034F")?.model == "UltraMic 384K")
        // Gone: offline, the rest kept.
        try await store.apply(DeviceRowPlan.gone(existing: row), now: Date())
        #expect(try await store.device("0869-0389-ABC034F")?.status == "offline")
        #expect(try await store.device("0869-0389-ABC034F")?.enrollmentStatus == "enrolled")
        try await store.setWorkspaceName(device: "0869-0389-ABC034F", to: "ultramic-384-evo-034f")
        let records = try await store.devices()
        #expect(records.map(\.row.workspaceName) == ["ultramic-384-evo-034f"])
        #expect(records.first?.profileConfig?["audio"]?["sample_rate"] == .int(384_000))
        #expect(try await store.profiles().profiles.map(\.slug) == ["ultramic_384_evo"])
        #expect(try await store.device("nope") == nil)
        let named = try await store.devices(named: ["0869-0389-ABC034F", "nope"])
        #expect(named.map(\.row.name) == ["0869-0389-ABC034F"])
        #expect(named.first?.profileConfig?["audio"]?["sample_rate"] == .int(384_000))
        #expect(try await store.devices(named: []).isEmpty)

        // Another model that ships the same serial: its own row, its serial qualified, kept so.
        let otherModel = HardwareSnapshot(alsaCardIndex: 3, alsaDevice: "hw:3,0", alsaName: "USB Audio Device", usbVendorID: "0d8c",
                                          usbProductID: "0014", usbSerial: "ABC034F", usbBusPath: "1-4")
        try await store.apply(DeviceRowPlan.seen(stableID: "0d8c-0014-ABC034F", hardware: otherModel, existing: nil,
                                                 firstMatch: { .noMatch }), now: Date())
        let second = try #require(try await store.device("0d8c-0014-ABC034F"))
        #expect(second.serialNumber == "ABC034F-0d8c-0014")
        #expect(try await store.device("0869-0389-ABC034F")?.serialNumber == "ABC034F", "the known one keeps its row")
        #expect(DeviceRowPlan.seen(stableID: "0d8c-0014-ABC034F", hardware: otherModel, existing: second,
                                   firstMatch: { .noMatch }) == .unchanged, "replugged: unchanged")
    }

    @Test("PostgreSQL")
    func postgres() async throws {
        let scratch = try await ScratchDatabase.create()
        try await DatabaseSchema.apply(scratch.client)
        try await scratch.client.query("INSERT INTO microphone_profiles (slug, name, config) VALUES ('ultramic_384_evo', 'U', $1)",
                                       [.json(Self.config)])
        try await exercise(DeviceRepository(db: scratch.client))
        try await scratch.drop()
    }

    @Test("In memory")
    func inMemory() async throws {
        try await exercise(InMemoryDeviceStore(profiles: ["ultramic_384_evo": Self.config]))
    }
}
