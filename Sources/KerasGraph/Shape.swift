/// A Keras tensor shape: the batch axis first, `nil` for an unknown size (`None` in Keras).
///
/// `[nil, 8, 8, 3]` is a batch of 8×8 RGB images (channels last).
public typealias Shape = [Int?]

extension Array where Element == Int? {
    /// Python-style rendering, as Keras prints shapes: `(None, 8, 8, 3)`.
    public var kerasDescription: String {
        let parts = map { $0.map(String.init) ?? "None" }
        return "(" + parts.joined(separator: ", ") + (count == 1 ? ",)" : ")")
    }
}
