import Foundation
import KerasFormat
import KerasGraph
import Testing
import _TestSupport

/// `ModelGraph.layersCarryingExecutableCode`, the function `convert`, `edit` (and `export`) call to warn about or
/// refuse Lambda layers, on models saved by real Keras (Fixtures/hostile, tools/fixtures_hostile.py).
@Suite("layers carrying executable code",
       .enabled(if: FileManager.default.fileExists(atPath: TestFixtures.path("hostile/lambda_k3.keras")),
                "Fixtures/hostile is missing: run tools/.venv/bin/python tools/fixtures_hostile.py (tools/test.sh does)"))
struct ExecutableCodeTests {
    @Test("a Lambda saved by tf_keras (.h5) and by Keras 3 (.keras) is found with its bytecode", arguments: ["lambda_k2.h5", "lambda_k3.keras"])
    func lambda(_ name: String) throws {
        let graph = try KerasFile.open(TestFixtures.path("hostile/\(name)")).loadGraph()
        let found = graph.layersCarryingExecutableCode
        #expect(found == [ExecutableCodeLayer(path: "doubler", className: "Lambda", code: "marshalled Python bytecode (the layer's function)")])
        let warnings = graph.executableCodeWarnings(action: "copies it unchanged into x.keras")
        #expect(warnings.count == 1 && warnings[0].hasPrefix("warning: layer `doubler` (Lambda)"), "\(warnings)")
    }

    @Test("models of built-in layers carry none, nested ones included")
    func none() throws {
        for f in ["models/example/model.h5", "models/nested_k2/model.h5", "models/prelu_k3/model.keras"] {
            guard FileManager.default.fileExists(atPath: TestFixtures.path(f)) else { continue }
            #expect(try KerasFile.open(TestFixtures.path(f)).loadGraph().layersCarryingExecutableCode.isEmpty, "\(f)")
        }
    }

    @Test("the config forms: Keras 2 function types, Keras 1 lists, Keras 3 __lambda__ and named functions, custom layers")
    func forms() throws {
        func opaque(_ cls: String, _ json: String) throws -> OpaqueLayer {
            OpaqueLayer(className: cls, common: LayerCommon(name: "l"), config: try JSONValue.parse(json))
        }
        #expect(ModelGraph.executableCode(in: try opaque("Lambda", #"{"function": ["YWJj", null, null], "function_type": "lambda"}"#))
                == "marshalled Python bytecode (the layer's function)")
        #expect(ModelGraph.executableCode(in: try opaque("Lambda", #"{"function": ["YWJj", null, null]}"#))
                == "marshalled Python bytecode (the layer's function)")
        #expect(ModelGraph.executableCode(in: try opaque("Lambda", #"{"function": "my_fn", "function_type": "function"}"#))
                == "a reference to the Python function `my_fn` (the layer's function)")
        #expect(ModelGraph.executableCode(in: try opaque("Lambda",
            #"{"function": {"module": "builtins", "class_name": "function", "config": "abs"}, "output_shape": {"class_name": "__lambda__", "config": {"code": "x"}}}"#))
                == "a reference to the Python function `builtins.abs` (the layer's function) and marshalled Python bytecode (its output_shape function)")
        #expect(ModelGraph.executableCode(in: try opaque("MyLayer", #"{"fn": {"class_name": "__lambda__", "config": {"code": "x"}}}"#)) != nil)
        #expect(ModelGraph.executableCode(in: try opaque("MyLayer", #"{"units": 3}"#)) == nil)
    }
}
