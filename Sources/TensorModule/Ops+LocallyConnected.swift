extension Ops {
    /// How tf_keras stores a locally connected layer's kernel (its `implementation`).
    package enum LocalKernelLayout: Sendable, Equatable {
        /// 1: `[outPositions, window·in, filters]`, each window flattened as (k…, in); full windows only.
        case perPosition
        /// 2: `[in…, in, out…, filters]`, dense, read only inside each output's window.
        case maskedDense
        /// 3: `[entries]`, the sparse entries in sorted (output index, input index) order, where output index =
        /// (out…, filter) and input index = (in…, in channel), both flattened row-major.
        case sparseEntries
    }

    /// A locally connected layer's weights as one `[window·in, filters]` block per output position (row-major over
    /// the output's spatial axes), with the flat input positions each block reads.
    package struct LocalWeights: Sendable {
        /// Per output position, the flat input spatial positions of its window, increasing.
        package var positions: [[Int]]
        /// Where each output position's block starts in ``values``.
        package var offsets: [Int]
        /// The blocks: for output position `o`, `values[offsets[o] + (p·in + c)·filters + f]`.
        package var values: [Float]
        package var inChannels: Int
        package var filters: Int

        /// Re-lays-out `kernel` stored as `layout`, for channels-last input of spatial sizes `inputSpatial` whose
        /// output position `o` reads `windows[axis][o_axis]` on each axis.
        /// - Throws: ``TensorError`` when the kernel's size does not match.
        package init(kernel: Tensor, layout: LocalKernelLayout, inputSpatial: [Int], inChannels: Int, filters: Int,
                     windows: [[Range<Int>]]) throws(TensorError) {
            let op = "locallyConnected"
            let rank = inputSpatial.count
            guard windows.count == rank, rank >= 1 else { throw .argument(op, "windows for \(windows.count) axes, input has \(rank)") }
            let outSpatial = windows.map(\.count)
            let outCount = outSpatial.reduce(1, *)
            let inCount = inputSpatial.reduce(1, *)
            // The windows, row-major over output positions, each listing input positions row-major.
            var positions: [[Int]] = []
            positions.reserveCapacity(outCount)
            for o in 0..<outCount {
                var index = [Int](repeating: 0, count: rank)
                var rest = o
                for axis in (0..<rank).reversed() { index[axis] = rest % outSpatial[axis]; rest /= outSpatial[axis] }
                var list: [Int] = [0]
                for axis in 0..<rank {
                    let r = windows[axis][index[axis]]
                    list = list.flatMap { base in r.map { base * inputSpatial[axis] + $0 } }
                }
                positions.append(list)
            }
            var offsets: [Int] = []
            var total = 0
            for p in positions { offsets.append(total); total += p.count * inChannels * filters }
            var values = [Float](repeating: 0, count: total)
            let k = kernel.scalars
            switch layout {
            case .perPosition:
                let window = positions.first?.count ?? 0
                guard positions.allSatisfy({ $0.count == window }), kernel.shape == [outCount, window * inChannels, filters] else {
                    throw .shape(op, "kernel \(kernel.shape) must be [\(outCount), \(window * inChannels), \(filters)] with full windows")
                }
                values = k
            case .maskedDense:
                guard kernel.count == inCount * inChannels * outCount * filters else {
                    throw .shape(op, "kernel \(kernel.shape) must hold \(inCount)·\(inChannels)·\(outCount)·\(filters) values")
                }
                for o in 0..<outCount {
                    for (p, i) in positions[o].enumerated() {
                        for c in 0..<inChannels {
                            let src = ((i * inChannels + c) * outCount + o) * filters
                            let dst = offsets[o] + (p * inChannels + c) * filters
                            for f in 0..<filters { values[dst + f] = k[src + f] }
                        }
                    }
                }
            case .sparseEntries:
                guard kernel.rank == 1, kernel.count == total else {
                    throw .shape(op, "kernel \(kernel.shape) must hold the \(total) sparse entries")
                }
                // Sorted (output index, input index): per output position, per filter, per window position, per
                // input channel.
                var e = 0
                for o in 0..<outCount {
                    let n = positions[o].count
                    for f in 0..<filters {
                        for p in 0..<n {
                            for c in 0..<inChannels {
                                values[offsets[o] + (p * inChannels + c) * filters + f] = k[e]
                                e += 1
                            }
                        }
                    }
                }
            }
            self.positions = positions
            self.offsets = offsets
            self.values = values
            self.inChannels = inChannels
            self.filters = filters
        }
    }

    /// tf_keras' `LocallyConnected1D/2D` on channels-last `[batch, spatial…, in]`: for every output position the
    /// dot product of its window with its own kernel block, plus `bias` `[out…, filters]`, then `activation`.
    /// - Returns: `[batch, outputSpatial…, filters]`.
    /// - Throws: ``TensorError`` when the input or bias does not match the weights.
    package static func locallyConnected(input: Tensor, weights w: LocalWeights, bias: Tensor?, outputSpatial: [Int],
                                         activation: Activation) throws(TensorError) -> Tensor {
        let op = "locallyConnected"
        let outCount = w.positions.count
        guard input.rank == outputSpatial.count + 2, input.shape.last == w.inChannels,
              outputSpatial.reduce(1, *) == outCount else {
            throw .shape(op, "input \(input.shape) does not match \(outputSpatial.count) spatial axes and \(w.inChannels) channels")
        }
        let f = w.filters, cin = w.inChannels
        let batch = input.shape[0]
        let inCount = input.count / max(batch * cin, 1)
        guard w.positions.allSatisfy({ $0.allSatisfy { $0 < inCount } }) else {
            throw .shape(op, "input \(input.shape) is smaller than the layer's windows")
        }
        if let bias { guard bias.count == outCount * f else { throw .shape(op, "bias \(bias.shape) must hold \(outCount)·\(f) values") } }
        var out = [Float](repeating: 0, count: batch * outCount * f)
        input.scalars.withUnsafeBufferPointer { x in
            w.values.withUnsafeBufferPointer { k in
                out.withUnsafeMutableBufferPointer { y in
                    for n in 0..<batch {
                        for o in 0..<outCount {
                            let dst = (n * outCount + o) * f
                            if let bias { for j in 0..<f { y[dst + j] = bias.scalars[o * f + j] } }
                            var row = w.offsets[o]
                            for i in w.positions[o] {
                                let src = (n * inCount + i) * cin
                                for c in 0..<cin {
                                    let v = x[src + c]
                                    for j in 0..<f { y[dst + j] += v * k[row + j] }
                                    row += f
                                }
                            }
                        }
                    }
                }
            }
        }
        var result = Tensor(unchecked: [batch] + outputSpatial + [f], scalars: out)
        try applyActivation(activation, to: &result)
        return result
    }
}
