import SilvasonicController
import SilvasonicRedis
import Testing

@Suite("Redis's wire protocol read by hiredis's reader, and the nudges it carries")
struct RedisReplyReaderTests {
    let pushed = Array("*3\r\n$7\r\nmessage\r\n$16\r\nsilvasonic:nudge\r\n$9\r\nreconcile\r\n".utf8)

    @Test("A pushed message, fed a byte at a time, is one reply: a nudge that asks for a reconcile")
    func pushedMessage() throws {
        let reader = RedisReplyReader()
        var replies: [RedisReply] = []
        for byte in pushed {
            reader.feed([byte])
            while let reply = try reader.next() { replies.append(reply) }
        }
        #expect(replies.count == 1)
        let message = try #require(replies.first.flatMap(RedisMessage.init(pushed:)))
        #expect(message == RedisMessage(channel: "silvasonic:nudge", payload: Array("reconcile".utf8)))
        #expect(NudgeActor.asksForReconcile(message))
    }

    @Test("Confirmations, other payloads and a NULL payload are no reconcile; garbage is refused as a dropped connection")
    func others() throws {
        let reader = RedisReplyReader()
        reader.feed(Array("*3\r\n$9\r\nsubscribe\r\n$16\r\nsilvasonic:nudge\r\n:1\r\n".utf8))
        reader.feed(Array("*3\r\n$7\r\nmessage\r\n$16\r\nsilvasonic:nudge\r\n$10\r\nreconcile \r\n".utf8))
        reader.feed(Array("*3\r\n$7\r\nmessage\r\n$16\r\nsilvasonic:nudge\r\n$-1\r\n".utf8))
        let confirmation = try #require(try reader.next())
        #expect(RedisMessage(pushed: confirmation) == nil)
        let spaced = try #require(try reader.next().flatMap(RedisMessage.init(pushed:)))
        #expect(!NudgeActor.asksForReconcile(spaced), "reconcile with a trailing space")
        #expect(try reader.next().flatMap(RedisMessage.init(pushed:)) == nil, "a NULL payload carries no message")
        #expect(try reader.next() == nil)
        reader.feed(Array("x not RESP\r\n".utf8))
        let refused = #expect(throws: RedisError.self) { try reader.next() }
        #expect(refused?.code == .connectionClosed)
        #expect(refused?.message.hasPrefix("not Redis's protocol") == true)
    }

    @Test("An array that announces hundreds of millions of elements is refused, not allocated (found by NudgeFuzzer)")
    func hugeArray() throws {
        let reader = RedisReplyReader()
        reader.feed(Array("*322222222\r\n$7\r\nmessage\r\n".utf8))
        let refused = #expect(throws: RedisError.self) { try reader.next() }
        #expect(refused?.message.contains("too large") == true, "\(refused?.message ?? "")")
        let fine = RedisReplyReader()
        fine.feed(Array("*2\r\n:1\r\n:2\r\n".utf8))
        #expect(try fine.next() == .array([.integer(1), .integer(2)]))
    }
}
