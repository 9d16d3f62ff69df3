/// A random number generator that returns the same value every time, for backoff tests:
/// `FixedRandom(unit: 0.5)` makes the jitter factor exactly 1.
public struct FixedRandom: RandomNumberGenerator, Sendable {
    private let value: UInt64

    /// - Parameter unit: the number in `0..<1` that ``BackoffPolicy/randomUnit(using:)`` should give.
    public init(unit: Double) {
        self.value = UInt64(min(max(unit, 0), 0.999_999_999) * Double(UInt64(1) << 53)) << 11
    }

    /// The same value on every call.
    public mutating func next() -> UInt64 { value }
}
