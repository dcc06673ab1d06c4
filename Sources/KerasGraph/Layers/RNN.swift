/// `keras.layers.RNN` with built-in cells: one `SimpleRNNCell`, `LSTMCell` or `GRUCell`, or a `StackedRNNCells` of
/// them, run over the time axis of `[batch, time, features]` input.
///
/// Each cell is held as the matching layer (``SimpleRNN``, ``LSTM``, ``GRU``) whose ``RecurrentLayer/options``
/// carry the cell's arguments (`units`, activations, initializers, …) and whose name is the cell's; the sequence
/// options are the RNN's own. A stack runs each cell over the whole sequence in turn (the same numbers as Keras'
/// step-by-step stack: a cell's state depends only on its own past and the cell below at the same step).
///
/// Weights: each cell's `kernel`, `recurrent_kernel`, `bias` (when `use_bias`) in cell order, named as Keras names
/// them under the layer: `lstm_cell/kernel`, or `stacked_rnn_cells/gru_cell/kernel` in a stack.
/// Outputs: the last cell's `[batch, time, units]` with `returnSequences`, else `[batch, units]`; with
/// `returnState` (one cell only) its final states follow.
public struct RNN: Layer {
    public var className: String { "RNN" }
    public var common: LayerCommon
    /// The cells, bottom first; each a ``SimpleRNN``, ``LSTM`` or ``GRU`` standing for its cell class.
    public var cells: [any RecurrentLayer]
    /// The `StackedRNNCells` object's name, trainable flag and dtype when the cell is a stack; `nil` for one cell.
    public var stack: LayerCommon?
    public var returnSequences: Bool
    public var returnState: Bool
    public var goBackwards: Bool
    /// Must be false to run.
    public var stateful: Bool
    /// No effect on results.
    public var unroll: Bool
    /// Keras 3's `zero_output_for_mask`.
    public var zeroOutputForMask: Bool
    /// tf_keras `time_major`; refused at inference when true.
    public var timeMajor: Bool
    public var weights: [Weight]

    public init(common: LayerCommon, cells: [any RecurrentLayer], stack: LayerCommon? = nil,
                returnSequences: Bool = false, returnState: Bool = false, goBackwards: Bool = false,
                stateful: Bool = false, unroll: Bool = false, zeroOutputForMask: Bool = false, timeMajor: Bool = false,
                weights: [Weight] = []) {
        self.common = common
        self.cells = cells
        self.stack = stack
        self.returnSequences = returnSequences
        self.returnState = returnState
        self.goBackwards = goBackwards
        self.stateful = stateful
        self.unroll = unroll
        self.zeroOutputForMask = zeroOutputForMask
        self.timeMajor = timeMajor
        self.weights = weights
    }

    /// The scope of cell `i`'s weights under the layer: `lstm_cell`, or `stacked_rnn_cells/gru_cell`.
    public func cellScope(_ i: Int) -> String {
        stack.map { "\($0.name)/\(cells[i].name)" } ?? cells[i].name
    }

    /// How many of ``weights`` each cell holds, in order.
    public var weightCounts: [Int] { cells.map { $0.options.useBias ? 3 : 2 } }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        _ = try outputShapes(inputShapes: inputShapes)
        guard let input = inputShapes.first, input.count == 3, var features = input[2] else {
            throw inputError("expected input [batch, time, features] with known features")
        }
        var specs: [WeightSpec] = []
        for (i, cell) in cells.enumerated() {
            let scope = cellScope(i)
            specs += try cell.weightSpecs(inputShapes: [[input[0], input[1], features]]).map {
                WeightSpec(name: "\(scope)/\($0.name)", shape: $0.shape)
            }
            features = cell.options.units
        }
        return specs
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard let last = cells.last else { throw configError("an RNN needs at least one cell") }
        guard let input = inputShapes.first, input.count == 3 else {
            throw inputError("expected input [batch, time, features]")
        }
        guard !returnState || cells.count == 1 else {
            throw configError("`return_state` with a StackedRNNCells is not supported")
        }
        let (batch, time) = (input[0], input[1])
        let u: Int? = last.options.units
        var out: [Shape] = [returnSequences ? [batch, time, u] : [batch, u]]
        if returnState { out += Array(repeating: [batch, u], count: last.kind.stateCount) }
        return out
    }
}

extension RNN {
    /// Weight `index` named as Keras names it under the layer (`lstm_cell/kernel`,
    /// `stacked_rnn_cells/gru_cell/bias`), whatever name it was read with.
    public func scopedWeight(_ index: Int) -> Weight {
        var w = weights[index]
        var cell = 0, start = 0
        for (i, n) in weightCounts.enumerated() where index >= start {
            cell = i
            if index < start + n { break }
            start += n
        }
        let short = w.name.split(separator: "/").last.map(String.init) ?? w.name
        w.name = "\(cellScope(cell))/\(short)"
        return w
    }
}
