import Supervision
import SupervisionTesting
import Testing

/// What a keyed child's handle stands for in these tests: the thing other code talks to.
private final class Connection: Sendable {
    let peer: String
    init(peer: String) { self.peer = peer }
}

@Suite("Keyed dynamic children: a child's handle found by its id, for as long as the supervisor keeps the child")
struct ChildHandlesTests {
    @Test("A handle is there from the call on, found by id and listed by type; a duplicate id is refused and the first handle kept")
    func findAndList() async throws {
        var harness = try Harness(options: .init(), children: [])
        let supervisor = harness.supervisor
        let alice = ChildControl("alice"), bob = ChildControl("bob")
        try await supervisor.startChild(alice.spec(restart: .temporary), handle: Connection(peer: "alice"))
        #expect(supervisor.handle(of: "alice", as: Connection.self)?.peer == "alice")
        try await supervisor.startChild(bob.spec(restart: .temporary), handle: Connection(peer: "bob"))
        await harness.waitForStarts(["alice", "bob"])
        #expect(supervisor.handles(as: Connection.self).mapValues(\.peer) == ["alice": "alice", "bob": "bob"])
        #expect(supervisor.handle(of: "alice", as: String.self) == nil, "a handle of another type is not found")

        let duplicate = await #expect(throws: SupervisorError.self) {
            try await supervisor.startChild(ChildControl("alice").spec(), handle: Connection(peer: "mallory"))
        }
        #expect(duplicate?.code == .duplicateChildID)
        #expect(supervisor.handle(of: "alice", as: Connection.self)?.peer == "alice")
        _ = await harness.stop()
    }

    @Test("A temporary child's handle goes when it ends or is terminated; a kept child's when it is deleted, not before")
    func released() async throws {
        var harness = try Harness(options: .init(), children: [])
        let supervisor = harness.supervisor
        let ends = ChildControl("ends"), stopped = ChildControl("stopped"), kept = ChildControl("kept")
        try await supervisor.startChild(ends.spec(restart: .temporary), handle: Connection(peer: "ends"))
        try await supervisor.startChild(stopped.spec(restart: .temporary), handle: Connection(peer: "stopped"))
        try await supervisor.startChild(kept.spec(restart: .transient), handle: Connection(peer: "kept"))
        await harness.waitForStarts(["ends", "stopped", "kept"])

        ends.exit()
        await harness.events.until(.exitedNormally, "ends")
        try await supervisor.terminateChild("stopped")
        #expect(supervisor.handle(of: "stopped", as: Connection.self) == nil)
        try await supervisor.terminateChild("kept")
        #expect(supervisor.handle(of: "kept", as: Connection.self)?.peer == "kept", "a transient child's spec is kept")
        try await supervisor.deleteChild("kept")
        #expect(supervisor.handles(as: Connection.self).isEmpty)
        // The id is free again.
        try await supervisor.startChild(ChildControl("ends").spec(restart: .temporary), handle: Connection(peer: "again"))
        #expect(supervisor.handle(of: "ends", as: Connection.self)?.peer == "again")
        _ = await harness.stop()
    }

    @Test("A handle whose start is refused is released: a supervisor that has ended takes none")
    func refusedStart() async throws {
        let harness = try Harness(options: .init(), children: [])
        _ = await harness.stop()
        let refused = await #expect(throws: SupervisorError.self) {
            try await harness.supervisor.startChild(ChildControl("late").spec(), handle: Connection(peer: "late"))
        }
        #expect(refused?.code == .notRunning)
        #expect(harness.supervisor.handle(of: "late", as: Connection.self) == nil)
    }
}
