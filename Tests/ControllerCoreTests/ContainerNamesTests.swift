import ControllerCore
import Testing

@Suite("Container and workspace names (contract §3)")
struct ContainerNamesTests {
    @Test("A profile slug becomes lowercase runs of [a-z0-9] joined by single dashes")
    func slugFolding() {
        #expect(ContainerNames.slug("ultramic_384_evo") == "ultramic-384-evo")
        #expect(ContainerNames.slug("  Generic__USB!! ") == "generic-usb")
        #expect(ContainerNames.slug("---") == "")
        #expect(ContainerNames.slug("Rode NT-USB") == "rode-nt-usb")
    }

    @Test("The suffix prefers the serial's last four characters, lowercased and cleaned")
    func serialSuffix() {
        #expect(ContainerNames.suffix(serial: "ABC034F", busPath: "1-3.2", cardIndex: 2) == "034f")
        #expect(ContainerNames.suffix(serial: "FLOW-TEST-001", busPath: nil, cardIndex: nil) == "001")
    }

    @Test("Without a serial the suffix is p plus the bus path with dashes and dots as d, cut to four")
    func busPathSuffix() {
        #expect(ContainerNames.suffix(serial: nil, busPath: "1-3.2", cardIndex: 1) == "p1d3")
        #expect(ContainerNames.suffix(serial: "", busPath: "3-6", cardIndex: 1) == "p3d6")
    }

    @Test("Without serial and bus path the suffix is c plus the card index in three digits")
    func cardSuffix() {
        #expect(ContainerNames.suffix(serial: nil, busPath: nil, cardIndex: 7) == "c007")
        #expect(ContainerNames.suffix(serial: nil, busPath: nil, cardIndex: nil) == "c000")
    }

    @Test("Hostile serial characters never reach a name")
    func hostileSerial() {
        #expect(ContainerNames.suffix(serial: "x/;'$ ", busPath: nil, cardIndex: nil) == "")
        #expect(ContainerNames.suffix(serial: "ÄÖ12", busPath: nil, cardIndex: nil) == "12")
    }

    @Test("The contract's test vectors give the reference's container names")
    func contractVectors() {
        let first = ContainerNames.workspaceName(profileSlug: "ultramic_384_evo", serial: "ABC034F",
                                                 busPath: "1-3.2", cardIndex: 2)
        #expect(ContainerNames.recorderContainerName(workspaceName: first) == "silvasonic-recorder-ultramic-384-evo-034f")
        let second = ContainerNames.workspaceName(profileSlug: "generic_usb", serial: nil, busPath: "1-3.2", cardIndex: 1)
        #expect(ContainerNames.recorderContainerName(workspaceName: second) == "silvasonic-recorder-generic-usb-p1d3")
    }
}
