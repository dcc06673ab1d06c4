import ArgumentParser
import Foundation
import KerasPort
import KerasPortTooling

extension KerasPortCommand {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time loading and prediction of a model on random input.",
            discussion: "tools/bench_compare runs this side by side with Keras and ONNX Runtime.")

        @OptionGroup var model: ModelOptions

        @Option(name: .long, help: "Batch size.")
        var batch: Int = 1

        @Option(name: .long, help: "Timed predictions.")
        var iterations: Int = 20

        @Option(name: .long, help: "Untimed predictions before timing.")
        var warmup: Int = 3

        @Flag(name: .long, help: "Print one JSON object (median_s, min_s, batch, iterations, load_s, times_s, kernels, …).")
        var json = false

        @Flag(name: .long, help: "Also time each layer (median per batch).")
        var profile = false

        @Option(name: .long, help: ArgumentHelp(
            "Full input shape, batch first (e.g. 1,96,96,3), for inputs with None sizes; once per model input.",
            valueName: "d0,d1,…"))
        var shape: [String] = []

        /// `--shape` values as integer lists.
        func parsedShapes() throws -> [[Int]]? {
            guard !shape.isEmpty else { return nil }
            return try shape.map { text in
                let dims = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard !dims.isEmpty, dims.allSatisfy({ ($0 ?? 0) >= 1 }) else {
                    throw ValidationError("--shape \(text): expected positive integers separated by commas, batch first (e.g. 1,96,96,3)")
                }
                return dims.map { $0! }
            }
        }

        func validate() throws {
            guard batch >= 1, batch <= 1 << 20 else { throw ValidationError("--batch must be between 1 and 1048576") }
            guard iterations >= 1, iterations <= 1_000_000 else { throw ValidationError("--iterations must be at least 1") }
            guard warmup >= 0 else { throw ValidationError("--warmup must not be negative") }
            _ = try parsedShapes()
        }

        func run() throws {
            let r = try Benchmark.run(model: model.model, architecture: model.config, batch: batch,
                                      iterations: iterations, warmup: warmup, profile: profile,
                                      shapes: try parsedShapes())
            if json {
                var o: [(String, JSONValue)] = [
                    ("model", .string(model.model)), ("batch", .number(Double(r.batch))),
                    ("iterations", .number(Double(r.iterations))), ("warmup", .number(Double(r.warmup))),
                    ("median_s", .number(r.medianSeconds)), ("min_s", .number(r.minSeconds)),
                    ("load_s", .number(r.loadSeconds)),
                    ("samples_per_s", .number(Double(r.batch) / max(r.medianSeconds, 1e-12))),
                    ("times_s", .array(r.times.map { .number($0) })), ("kernels", .string(r.kernels)),
                ]
                if let f = r.flops { o.append(("gflops_per_s", .number(f / 1e9 / max(r.medianSeconds, 1e-12)))) }
                if profile {
                    o.append(("profile", .array(r.profile.map {
                        .object([("layer", .string($0.layer)), ("class_name", .string($0.className)), ("median_s", .number($0.seconds))])
                    })))
                }
                print(JSONValue.object(o).serialized())
            } else {
                print("\(model.model): batch \(r.batch), \(r.iterations) iterations after \(r.warmup) warm-up")
                print(String(format: "  load %.1f ms · median %.3f ms · min %.3f ms · %.1f samples/s · %@ kernels",
                             r.loadSeconds * 1e3, r.medianSeconds * 1e3, r.minSeconds * 1e3,
                             Double(r.batch) / max(r.medianSeconds, 1e-12), r.kernels))
                if let f = r.flops { print(String(format: "  %.2f GFLOP per batch · %.1f GFLOP/s", f / 1e9, f / 1e9 / max(r.medianSeconds, 1e-12))) }
                if profile {
                    let total = r.profile.reduce(0) { $0 + $1.seconds }
                    for p in r.profile.sorted(by: { $0.seconds > $1.seconds }) {
                        print(String(format: "  %8.3f ms %5.1f%%  %@ (%@)", p.seconds * 1e3, 100 * p.seconds / max(total, 1e-12), p.layer, p.className))
                    }
                }
            }
        }
    }
}
