import KerasGraph

extension Layer {
    /// Three values of a per-axis config list of a 3-D layer (`strides`, `dilation_rate`, …), or an error naming the key.
    func triple(_ values: [Int], _ key: String) throws -> (Int, Int, Int) {
        guard values.count == 3 else { throw inferenceError("`\(key)` must have 3 values, got \(values)") }
        return (values[0], values[1], values[2])
    }
}
