import Synchronization

/// The handles of a supervisor's dynamic children, by id: the value each was started with
/// (``Supervisor/startChild(_:handle:)``), such as the actor that serves it. Behind a lock beside
/// the supervisor, so that a handle is found without a hop to the supervisor's actor and is
/// there as soon as its `startChild` is called; it goes when the supervisor removes the child.
final class ChildHandles: Sendable {
    private let table = Mutex<[ChildID: any Sendable]>([:])

    /// Adds `handle` for `id`; `false` when `id` has one already.
    func insert(_ handle: any Sendable, for id: ChildID) -> Bool {
        table.withLock { table in
            guard table[id] == nil else { return false }
            table[id] = handle
            return true
        }
    }

    func remove(_ ids: [ChildID]) {
        table.withLock { table in
            for id in ids { table[id] = nil }
        }
    }

    func handle<Handle>(of id: ChildID, as type: Handle.Type) -> Handle? {
        table.withLock { $0[id] as? Handle }
    }

    func all<Handle>(as type: Handle.Type) -> [ChildID: Handle] {
        table.withLock { table in table.compactMapValues { $0 as? Handle } }
    }
}
