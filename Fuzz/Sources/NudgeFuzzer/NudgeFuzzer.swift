import SilvasonicController
import SilvasonicRedis

/// One fuzz input: any bytes as what Redis sends on the nudge subscription, fed to hiredis's
/// reader in two chunks split where the first byte says. Reading must not crash; the same
/// replies must come whatever the split; and a pushed message asks for a reconcile exactly when
/// its payload is `reconcile`, byte for byte.
func fuzzNudges(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size))
    guard let first = bytes.first else { return 0 }
    let wire = Array(bytes.dropFirst())
    func read(split: Int) -> (replies: [RedisReply], failed: Bool) {
        let reader = RedisReplyReader()
        var replies: [RedisReply] = []
        for chunk in [Array(wire.prefix(split)), Array(wire.dropFirst(split))] {
            reader.feed(chunk)
            do {
                while let reply = try reader.next() { replies.append(reply) }
            } catch {
                return (replies, true)
            }
        }
        return (replies, false)
    }
    let whole = read(split: wire.count)
    let split = read(split: wire.isEmpty ? 0 : Int(first) % wire.count)
    precondition(whole.replies == split.replies, "the replies depend on how the bytes arrived")
    precondition(whole.failed == split.failed, "a protocol error depends on how the bytes arrived")
    for reply in whole.replies {
        guard let message = RedisMessage(pushed: reply) else { continue }
        precondition(NudgeActor.asksForReconcile(message) == (message.payload == Array("reconcile".utf8)),
                     "a nudge taken for another payload")
    }
    return 0
}
