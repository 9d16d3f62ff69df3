import PropertyBased
import SilvasonicHardware
import Testing

/// Identity follows the physical microphone when USB serials collide (``HardwareInventory``):
/// random plug, unplug and restart sequences over three microphones of one model sharing one
/// serial, and one of another model with the same serial, against the rows the controller
/// writes from the changes.
@Suite("Microphones sharing a USB serial keep their ids, in any order")
struct SharedSerialPropertyTests {
    /// A physical microphone: its model, its serial and the port it sits in.
    struct Microphone: Hashable {
        var vendorID: String
        var productID: String
        var serial: String
        var busPath: String
    }

    static let microphones = [
        Microphone(vendorID: "0869", productID: "0389", serial: "SAME", busPath: "1-3.2"),
        Microphone(vendorID: "0869", productID: "0389", serial: "SAME", busPath: "1-4"),
        Microphone(vendorID: "0869", productID: "0389", serial: "SAME", busPath: "1-1"),
        Microphone(vendorID: "0d8c", productID: "0014", serial: "SAME", busPath: "1-5"),
    ]

    /// The station in the test: what is plugged (with its card index), the rows as the
    /// controller writes them (id → stored bus path), and the running controller's inventory.
    struct Station {
        var plugged: [Microphone: Int] = [:]
        var nextCard = 0
        var rows: [String: String] = [:]
        var inventory = HardwareInventory()

        mutating func plug(_ microphone: Microphone) {
            nextCard += 1   // a replug gets a new card index, as ALSA gives one
            plugged[microphone] = nextCard
        }

        /// One scan; its changes written as rows, as ``DeviceRowPlan`` stores the bus path.
        mutating func scan() {
            let devices = plugged.map { microphone, card in
                AudioDevice(cardIndex: card, cardID: "card\(card)", name: "Mic", vendorID: microphone.vendorID,
                            productID: microphone.productID, serial: microphone.serial, busPath: microphone.busPath)
            }
            for change in inventory.apply(ScanResult(devices: devices, problems: [])).changes {
                switch change {
                case .appeared(let device), .changed(let device): rows[device.stableID] = device.busPath
                case .gone: break
                }
            }
        }

        /// A controller restart: a new inventory that knows the rows' bus paths.
        mutating func restart() {
            inventory = HardwareInventory(knownBusPaths: rows)
        }

        /// Each plugged microphone's id, by its port.
        var ids: [String: String] {
            Dictionary(uniqueKeysWithValues: inventory.devices.values.map { ($0.busPath ?? "?", $0.stableID) })
        }
    }

    @Test("Once all have been seen, any plug, unplug and restart sequence keeps each port's id, row and no other")
    func anySequence() async {
        // Drawn: the order they are first plugged in (a key each), whether a scan follows each of
        // those plugs, and the steps after: a microphone (step % 4), what happens to it
        // ((step / 4) % 10: a restart, an unplug, else a plug or replug), and whether a scan
        // follows (three steps in four; else two things happen between scans).
        await propertyCheck(count: 200, input: Gen.int(in: 0...3).array(of: 4...4), Gen.int(in: 0...1).array(of: 4...4),
                            Gen.int(in: 0...159).array(of: 1...60)) { order, scanAfter, steps in
            var station = Station()
            let plugOrder = Self.microphones.indices.sorted { (order[$0], $0) < (order[$1], $1) }
            for (position, index) in plugOrder.enumerated() {
                station.plug(Self.microphones[index])
                if scanAfter[position] == 1 { station.scan() }
            }
            station.scan()
            let identity = station.ids
            #expect(identity.count == Self.microphones.count)
            #expect(Set(identity.values).count == identity.count, "one id a microphone")
            #expect(identity["1-5"] == "0d8c-0014-SAME", "the other model has its own id")
            for step in steps {
                let microphone = Self.microphones[step % 4]
                switch (step / 4) % 10 {
                case 0:
                    station.restart()
                case 1...4 where station.plugged[microphone] != nil:
                    station.plugged[microphone] = nil
                default:
                    station.plugged[microphone] = nil   // a replug when it was in
                    station.plug(microphone)
                }
                if step < 120 { station.scan() }
                for (port, id) in station.ids {
                    #expect(id == identity[port], "\(port) is \(id), was \(identity[port] ?? "-")")
                }
                #expect(station.rows == Dictionary(uniqueKeysWithValues: identity.map { ($1, $0) }),
                        "the same rows, each at its port")
            }
        }
    }

    @Test("The issue's order: the plain id's microphone unplugged and plugged back; the other keeps its port's id throughout")
    func unplugTheHolder() {
        var station = Station()
        let (holder, other) = (Self.microphones[0], Self.microphones[1])
        station.plug(holder)
        station.scan()
        station.plug(other)
        station.scan()
        #expect(station.ids == ["1-3.2": "0869-0389-SAME", "1-4": "0869-0389-SAME-port1-4"])
        station.plugged[holder] = nil
        station.scan()
        #expect(station.ids == ["1-4": "0869-0389-SAME-port1-4"], "never another port's row")
        station.restart()
        station.scan()
        #expect(station.ids == ["1-4": "0869-0389-SAME-port1-4"], "nor after a restart")
        station.plug(holder)
        station.scan()
        #expect(station.ids == ["1-3.2": "0869-0389-SAME", "1-4": "0869-0389-SAME-port1-4"])
        #expect(station.rows == ["0869-0389-SAME": "1-3.2", "0869-0389-SAME-port1-4": "1-4"])
    }

    @Test("A serial never seen shared follows its microphone to another port, before and after a restart")
    func unsharedFollows() {
        var station = Station()
        var microphone = Self.microphones[0]
        station.plug(microphone)
        station.scan()
        station.plugged = [:]
        microphone.busPath = "1-2"
        station.plug(microphone)
        station.scan()
        #expect(station.ids == ["1-2": "0869-0389-SAME"])
        station.restart()
        station.plugged = [:]
        station.scan()
        microphone.busPath = "1-7"
        station.plug(microphone)
        station.scan()
        #expect(station.ids == ["1-7": "0869-0389-SAME"])
        #expect(station.rows == ["0869-0389-SAME": "1-7"])
    }

    @Test("A shared serial's microphone moved to a port none of them used gets that port's id, a new row")
    func sharedMoves() {
        var station = Station()
        station.plug(Self.microphones[0])
        station.plug(Self.microphones[1])
        station.scan()
        station.plugged[Self.microphones[1]] = nil
        var moved = Self.microphones[1]
        moved.busPath = "1-6"
        station.plug(moved)
        station.scan()
        #expect(station.ids == ["1-3.2": "0869-0389-SAME", "1-6": "0869-0389-SAME-port1-6"])
        #expect(station.rows.count == 3, "the row of 1-4 stays for whatever is plugged there next")
    }
}
