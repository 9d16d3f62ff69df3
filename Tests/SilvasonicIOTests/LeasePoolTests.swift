import SilvasonicIO
import Synchronization
import Testing

@Suite("A bounded pool of connections: made on need, lent one caller at a time, waiters served in order")
struct LeasePoolTests {
    final class Resource: Sendable {
        let number: Int
        init(number: Int) { self.number = number }
    }

    /// A pool whose resources are numbered 1, 2, ... in the order they are made.
    func pool(limit: Int) -> LeasePool<Resource> {
        let made = Atomic(0)
        return LeasePool(limit: limit) { Resource(number: made.add(1, ordering: .relaxed).newValue) }
    }

    /// Holds a lease until `release` yields; says which resource it holds through `entered`.
    func hold(_ pool: LeasePool<Resource>, entered: AsyncStream<Int>.Continuation,
              release: AsyncStream<Void>) -> Task<Void, any Error> {
        Task {
            try await pool.withLease { resource in
                entered.yield(resource.number)
                for await _ in release { break }
            }
        }
    }

    /// Lets other tasks run until `condition` holds (no clock involved).
    func until(_ condition: () -> Bool) async {
        while !condition() { await Task.yield() }
    }

    @Test("No more than the limit exist; a caller past it waits and gets the first one returned; none is made anew")
    func bounded() async throws {
        let pool = pool(limit: 2)
        let (entered, enteredIn) = AsyncStream.makeStream(of: Int.self)
        var enteredNumbers = entered.makeAsyncIterator()
        let (first, releaseFirst) = AsyncStream.makeStream(of: Void.self)
        let (second, releaseSecond) = AsyncStream.makeStream(of: Void.self)
        let holders = [hold(pool, entered: enteredIn, release: first), hold(pool, entered: enteredIn, release: second)]
        let held = [await enteredNumbers.next(), await enteredNumbers.next()].compactMap { $0 }
        #expect(Set(held) == [1, 2])
        let third = Task { try await pool.withLease { $0.number } }
        await until { pool.usage.waiting == 1 }
        #expect(pool.usage.made == 2)
        releaseFirst.yield()
        let handedOn = try await third.value
        try await holders[0].value
        #expect(held.contains(handedOn))
        releaseSecond.yield()
        try await holders[1].value
        #expect(pool.usage.made == 2 && pool.usage.waiting == 0)
        #expect(try await pool.withLease { $0.number } <= 2, "a returned one is lent again")
    }

    @Test("A waiter whose task is cancelled stops waiting with CancellationError and takes nothing")
    func cancelledWaiter() async throws {
        let pool = pool(limit: 1)
        let (entered, enteredIn) = AsyncStream.makeStream(of: Int.self)
        var enteredNumbers = entered.makeAsyncIterator()
        let (release, releaseIn) = AsyncStream.makeStream(of: Void.self)
        let holder = hold(pool, entered: enteredIn, release: release)
        #expect(await enteredNumbers.next() == 1)
        let waiter = Task { try await pool.withLease { $0.number } }
        await until { pool.usage.waiting == 1 }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(pool.usage.waiting == 0)
        releaseIn.yield()
        try await holder.value
        #expect(try await pool.withLease { $0.number } == 1)
        #expect(pool.usage.made == 1)
    }

    @Test("What the body throws reaches the caller, and the resource goes back to the pool")
    func bodyThrows() async throws {
        struct Refused: Error {}
        let pool = pool(limit: 1)
        await #expect(throws: Refused.self) { try await pool.withLease { _ in throw Refused() } }
        #expect(try await pool.withLease { $0.number } == 1)
    }
}
