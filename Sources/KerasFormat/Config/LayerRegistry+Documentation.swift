import KerasGraph

extension LayerRegistry {
    /// Keras layer classes KerasPort knows of but does not run, with the reason. A file holding one still reads (as an
    /// ``OpaqueLayer``, which `inspect` shows and `convert` writes back as read); `predict` names the layer and this
    /// reason. Classes a family registers are left out, so a family that starts supporting a class removes it here.
    package static var unsupportedClasses: [(name: String, reason: String)] {
        knownUnsupported.filter { builtinLayerDecoders[$0.name] == nil }.sorted { $0.name < $1.name }
    }

    /// The reason `className` is not supported, when it is a known Keras class KerasPort does not run.
    package static func unsupportedReason(className: String) -> String? {
        let name = unregisteredName(className)
        guard builtinLayerDecoders[name] == nil else { return nil }
        return knownUnsupported.first { $0.name == name }?.reason
    }

    /// Every built-in layer class of Keras 3.15's and tf_keras 2.21's `keras.layers` (and the classes Keras 1 and
    /// TensorFlow functional models record) that no family decodes on this branch, with the reason.
    static let knownUnsupported: [(name: String, reason: String)] = {
        let notYet = "not implemented yet"
        let text = "takes strings (text input); KerasPort runs numeric tensors only"
        var list: [(String, String)] = [
            // Convolution and pooling variants
            ("Conv3D", notYet), ("Convolution3D", notYet), ("Conv3DTranspose", notYet),
            ("Convolution3DTranspose", notYet), ("Conv1DTranspose", notYet), ("Convolution1DTranspose", notYet),
            ("SeparableConv1D", notYet), ("SeparableConvolution1D", notYet), ("DepthwiseConv1D", notYet),
            ("MaxPooling3D", notYet), ("MaxPool3D", notYet), ("AveragePooling3D", notYet), ("AvgPool3D", notYet),
            ("GlobalMaxPooling3D", notYet), ("GlobalMaxPool3D", notYet), ("GlobalAveragePooling3D", notYet),
            ("GlobalAvgPool3D", notYet), ("Cropping3D", notYet), ("ZeroPadding3D", notYet), ("UpSampling3D", notYet),
            ("AdaptiveAveragePooling1D", notYet), ("AdaptiveAveragePooling2D", notYet),
            ("AdaptiveAveragePooling3D", notYet), ("AdaptiveMaxPooling1D", notYet), ("AdaptiveMaxPooling2D", notYet),
            ("AdaptiveMaxPooling3D", notYet),
            ("LocallyConnected1D", "tf_keras only"), ("LocallyConnected2D", "tf_keras only"),
            // Recurrent and attention
            ("SimpleRNN", notYet), ("LSTM", notYet), ("GRU", notYet), ("RNN", notYet), ("Bidirectional", notYet),
            ("TimeDistributed", notYet), ("Masking", notYet), ("ConvLSTM1D", notYet), ("ConvLSTM2D", notYet),
            ("ConvLSTM3D", notYet),
            ("CuDNNLSTM", "tf_keras 1.x/compat.v1 layer that only a CUDA GPU can build and run; load the file in tf_keras with a GPU and save it as LSTM"),
            ("CuDNNGRU", "tf_keras 1.x/compat.v1 layer that only a CUDA GPU can build and run; load the file in tf_keras with a GPU and save it as GRU"),
            ("MultiHeadAttention", notYet), ("Attention", notYet), ("AdditiveAttention", notYet),
            ("GroupQueryAttention", notYet), ("GroupedQueryAttention", notYet),
            ("UnitNormalization", notYet), ("GroupNormalization", notYet), ("RMSNormalization", notYet),
            ("SpectralNormalization", notYet), ("EinsumDense", notYet), ("ReversibleEmbedding", notYet),
            // Recorded Python and TensorFlow calls
            ("Lambda", "holds Python bytecode, which KerasPort cannot run (and does not execute)"),
            ("TFOpLambda", notYet), ("SlicingOpLambda", notYet),
            // Preprocessing
            ("RandomCrop", "at inference tf_keras crops the centre (or resizes) and Keras 3 passes through; " + notYet),
            ("AutoContrast", notYet),
            ("ContrastLimitedAdaptiveHistogramEqualization", "Keras 3 CLAHE (per-tile clipped histograms blended between tiles), which KerasPort does not compute yet"),
            ("CategoryEncoding", notYet),
            ("Hashing", "hashes the decimal string of each value with TensorFlow's FarmHash Fingerprint64 (SipHash with a `salt`), which KerasPort does not reproduce"),
            ("HashedCrossing", "crosses features by TensorFlow's FarmHash of their string forms (`SparseCrossHashed`), which KerasPort does not reproduce"),
            ("IntegerLookup", "its vocabulary is kept outside the config (assets) in most files; " + notYet),
            ("StringLookup", text), ("TextVectorization", text),
            ("MelSpectrogram", "audio front end (framed STFT, mel filter bank, dB scaling) that KerasPort does not compute yet"),
            ("STFTSpectrogram", "audio front end (framed STFT as a convolution with DFT kernels) that KerasPort does not compute yet"),
            ("Pipeline", "a list of preprocessing layers kept inside its config, which KerasPort does not decode yet"),
            ("DenseFeatures", "tf_keras feature columns: takes a dict of named features (TensorFlow feature-column objects), not tensors"),
            // Layers wrapping other frameworks
            ("TFSMLayer", "wraps a TensorFlow SavedModel"), ("JaxLayer", "wraps JAX code"),
            ("FlaxLayer", "wraps Flax code"), ("TorchModuleWrapper", "wraps a PyTorch module"),
            // Building blocks that are not layers of a model on their own
            ("Layer", "the base class of every layer; a file naming it holds a custom layer"),
            ("Wrapper", "an abstract base class (Bidirectional and TimeDistributed are its subclasses)"),
            ("AbstractRNNCell", "an abstract base class for recurrent cells"),
            ("SimpleRNNCell", "a cell runs only inside an `RNN` layer"), ("LSTMCell", "a cell runs only inside an `RNN` layer"),
            ("GRUCell", "a cell runs only inside an `RNN` layer"), ("StackedRNNCells", "a cell runs only inside an `RNN` layer"),
            ("MaxNumBoundingBoxes", "bounding-box preprocessing (a dict of boxes and labels, not a tensor)"),
            // Keras 1
            ("Merge", "Keras 1 merge with a mode string (or a Python function); Keras 2 and 3 cannot load it, and no Keras 1 is available to make a reference"),
            ("Deconvolution2D", "Keras 1 transposed convolution with an explicit output_shape; Keras 2 and 3 cannot load it, and no Keras 1 is available to make a reference"),
        ]
        list.sort { $0.0 < $1.0 }
        return list.map { (name: $0.0, reason: $0.1) }
    }()

    /// The activation names decoded in a layer's `activation` (and by `Activation` layers), sorted.
    package static var supportedActivationNames: [String] { LayerConfig.activationNames.sorted() }

    /// The README's layer section, generated from the registry: the classes each family decodes, the activation
    /// names, and the known classes that are not supported with the reason. `keras-port layers --markdown` prints
    /// it; `LayerRegistryTests` checks README.md holds it between the markers ``readmeBeginMarker`` and
    /// ``readmeEndMarker``.
    package static func supportedLayersMarkdown() -> String {
        var out: [String] = []
        let total = Set(supportedClassNames).count
        out.append("KerasPort decodes and runs \(total) Keras class names (aliases and the model classes included):")
        out.append("")
        out.append("| Family | Classes |")
        out.append("|---|---|")
        for (name, decoders) in builtinLayerFamilies where !decoders.isEmpty {
            out.append("| \(name) | \(decoders.keys.sorted().map { "`\($0)`" }.joined(separator: ", ")) |")
        }
        out.append("| Inputs and models as layers | \((["InputLayer"] + modelClassNames.sorted()).map { "`\($0)`" }.joined(separator: ", ")) |")
        out.append("")
        out.append("Activation names (a layer's `activation`, `Activation` layers): "
                   + supportedActivationNames.map { "`\($0)`" }.joined(separator: ", ") + ". "
                   + "`glu` and `threshold` are refused: `glu` halves an axis, `threshold` needs arguments a name cannot give.")
        out.append("")
        out.append("Not supported (a file holding one still reads, and `inspect` and `convert` work; `predict` names the layer and the reason):")
        out.append("")
        out.append("| Class | Why |")
        out.append("|---|---|")
        for (name, reason) in unsupportedClasses {
            out.append("| `\(name)` | \(reason) |")
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The comment that starts the generated section in README.md.
    package static let readmeBeginMarker = "<!-- BEGIN supported-layers: generated by `keras-port layers --markdown`, checked by LayerRegistryTests -->"
    /// The comment that ends it.
    package static let readmeEndMarker = "<!-- END supported-layers -->"
}
