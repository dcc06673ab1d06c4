import Testing
@testable import TensorModule
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The 16-lane (AVX-512F) swish and sigmoid kernels, stand-alone and inside the fused output passes, against the
/// 8-lane AVX2 kernels and the Swift vector loop: the same operations per lane, so every value must match bit for bit
/// (no tolerance), including NaN, ±inf, ±0, denormals, the exponential's clamps (|x| > 87) and the masked tail of a
/// row (counts that are not multiples of 16).
@Suite("AVX-512 swish and sigmoid", .enabled(if: Ops.avx512Available && DirectGEMM.available,
                                            "this CPU has no AVX-512F (the 16-lane kernels never run here)"))
struct AVX512ActivationTests {
    private static let special: [Float] = [Float.leastNormalMagnitude / 64, -Float.leastNormalMagnitude / 64, 0, -0.0,
                                           .nan, .infinity, -.infinity, 87.5, -87.5, 89.5, -89.5, 1e-38, -1e-38, 6, 7]

    private func values(_ n: Int, seed: UInt64) -> [Float] {
        var rng = SeededRandom(seed: seed)
        return (0..<n).map { i in i % 4 == 0 ? Self.special[(i / 4) % Self.special.count] : rng.uniform(-20, 20) }
    }

    @Test("swish and sigmoid in place: 16 lanes, 8 lanes and the vector loop agree bit for bit",
          arguments: [1, 7, 15, 16, 17, 31, 33, 1000, 4099])
    func standAlone(count: Int) {
        let x = values(count, seed: UInt64(count))
        for activation in [Ops.Activation.swish, .sigmoid] {
            func run(avx512: Bool, engine: DirectGEMM.Engine) -> [Float] {
                var v = x
                Ops.$avx512.withValue(avx512) {
                    DirectGEMM.$engine.withValue(engine) {
                        v.withUnsafeMutableBufferPointer { Ops.applyElementwise(activation, $0.baseAddress!, count: count) }
                    }
                }
                return v
            }
            let wide = run(avx512: true, engine: .direct), narrow = run(avx512: false, engine: .direct)
            let loop = run(avx512: false, engine: .blas)
            #expect(wide != x, "\(activation): nothing changed")
            let differing = zip(wide, narrow).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(activation), \(count) values: \(differing) differ from the 8-lane kernel")
            #expect(zip(wide, loop).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(activation): the vector loop differs")
        }
    }

    @Test("fused output passes with swish or sigmoid: 16 lanes equal 8 lanes bit for bit",
          arguments: [1, 15, 16, 17, 40, 96])
    func fusedPasses(columns: Int) {
        let rows = 9, count = rows * columns
        var rng = SeededRandom(seed: 7)
        let scale = (0..<columns).map { $0 % 3 == 0 ? Float(1e-30) : rng.uniform(-2, 2) }
        let bn = Ops.PostOp.scaleShift(scale: scale, shift: values(columns, seed: 3))
        let bias = Tensor(shape: [columns], scalars: values(columns, seed: 5))
        let residual = Tensor(shape: [rows, columns], scalars: values(count, seed: 11))
        // The swish / sigmoid passes the plan makes (EfficientNet's conv + BN + swish, a residual then swish,
        // a Dense with sigmoid, swish after ReLU6, ReLU / ReLU6 after swish (the flush between merged into them), and
        // passes without a swish or sigmoid (BatchNormalization + ReLU6, bias + ReLU, a residual add then ReLU), which
        // run on 16 lanes only where `Ops.wideArithmetic` holds (else both runs take 8 lanes).
        let cases: [(Tensor?, Ops.Activation, [Ops.PostOp])] = [
            (nil, .linear, [.flushDenormals, bn, .flushDenormals, .activation(.swish), .flushDenormals]),
            (bias, .linear, [.flushDenormals, bn, .flushDenormals, .addTensor(residual), .flushDenormals,
                             .activation(.swish), .flushDenormals]),
            (bias, .sigmoid, [.flushDenormals]),
            (bias, .swish, [.flushDenormals]),
            (bias, .relu6, [.flushDenormals, .activation(.swish), .flushDenormals]),
            (nil, .sigmoid, [.flushDenormals, .activation(.swish), .flushDenormals]),
            (bias, .swish, [.flushDenormals, .activation(.relu), .flushDenormals]),
            (nil, .swish, [.flushDenormals, .activation(.relu6), .flushDenormals]),
            (nil, .linear, [.flushDenormals, bn, .flushDenormals, .activation(.relu6), .flushDenormals]),
            (nil, .linear, [.flushDenormals, bn, .flushDenormals, .activation(.hardSilu), .flushDenormals]),
            (bias, .relu, [.flushDenormals]),
            (nil, .linear, [.flushDenormals, bn, .flushDenormals, .addTensor(residual), .flushDenormals,
                            .activation(.relu), .flushDenormals]),
        ]
        let x = values(count, seed: 13)
        for (i, (b, activation, post)) in cases.enumerated() {
            #expect(Ops.FusedEpilogue(bias: b, activation: activation, postOps: post, columns: columns) != nil,
                    "case \(i) has no fused program")
            for first in [0, 4] {   // the whole output, then rows from 4 on (the residual's offset)
                func run(avx512: Bool) -> [Float] {
                    var v = x
                    Ops.$avx512.withValue(avx512) {
                        DirectGEMM.$engine.withValue(.direct) {
                            v.withUnsafeMutableBufferPointer { p in
                                Ops.epilogue(p.baseAddress! + first * columns, rows: rows - first, columns: columns,
                                             bias: b, activation: activation, postOps: post, firstRow: first,
                                             parallel: false)
                            }
                        }
                    }
                    return v
                }
                let wide = run(avx512: true), narrow = run(avx512: false)
                #expect(wide != x, "case \(i): nothing changed")
                let differing = zip(wide, narrow).filter { $0.bitPattern != $1.bitPattern }.count
                #expect(differing == 0, "case \(i), first row \(first): \(differing) of \(count) values differ")
            }
        }
    }
}

/// GELU with the exact erf (ConvNeXt's activation): the 8-lane AVX2 and, where the CPU has AVX-512F, the 16-lane
/// kernels against the Swift vector loop, bit for bit (the same operations per lane; no tolerance), over NaN, ±inf,
/// ±0, denormals, the erf clamp at |x / √2| = 4 and counts with partial last vectors.
@Suite("GELU (erf) kernels", .enabled(if: DirectGEMM.available, "this CPU has no AVX2/FMA (the Swift loop runs)"))
struct GELUKernelTests {
    @Test("8 and 16 lanes give the Swift loop's GELU bit for bit", arguments: [1, 9, 16, 17, 100, 4097])
    func gelu(count: Int) {
        var rng = SeededRandom(seed: UInt64(count) + 101)
        let special: [Float] = [Float.leastNormalMagnitude / 64, -Float.leastNormalMagnitude / 64, 0, -0.0, .nan,
                                .infinity, -.infinity, 5.656854, -5.656854, 5.6568546, -5.6568546, 1e-30, -7, 3]
        let x = (0..<count).map { i in i % 3 == 0 ? special[(i / 3) % special.count] : rng.uniform(-9, 9) }
        func run(avx512: Bool, engine: DirectGEMM.Engine) -> [Float] {
            var v = x
            Ops.$avx512.withValue(avx512) {
                DirectGEMM.$engine.withValue(engine) {
                    v.withUnsafeMutableBufferPointer {
                        Ops.applyElementwise(.gelu(approximate: false), $0.baseAddress!, count: count)
                    }
                }
            }
            return v
        }
        let loop = run(avx512: false, engine: .blas)
        #expect(loop != x)
        let narrow = run(avx512: false, engine: .direct)
        let differing8 = zip(narrow, loop).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing8 == 0, "8 lanes: \(differing8) of \(count) values differ from the Swift loop")
        if Ops.avx512Available {
            let wide = run(avx512: true, engine: .direct)
            let differing16 = zip(wide, loop).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing16 == 0, "16 lanes: \(differing16) of \(count) values differ from the Swift loop")
        }
    }
}

/// Which kernels a process picks from its measured 512-bit FMA speed and `KERASPORT_AVX512` (`Ops.kernelWidths`):
/// the 16-lane kernels where 512-bit FMAs are not slower per float (Zen 4 measures 1.00, Intel cores with two 512-bit
/// units about 2), Winograd's products and narrow last panels on them only from 1.3, and the setting overriding both. Pure: runs anywhere.
@Suite("AVX-512 kernel choice")
struct KernelWidthTests {
    @Test("the measured speed decides: 16 lanes from 0.9, Winograd's products from 1.3; none without AVX-512F")
    func measured() {
        let w = { (avx512: Bool, s: Double) in Ops.kernelWidths(avx512: avx512, fma512Speedup: s, setting: nil) }
        #expect(w(true, 1.0) == (true, false))     // Zen 4
        #expect(w(true, 0.9) == (true, false))
        #expect(w(true, 2.0) == (true, true))      // two 512-bit FMA units
        #expect(w(true, 1.3) == (true, true))
        #expect(w(true, 0.89) == (false, false))   // 512-bit FMAs slower per float
        #expect(w(true, 0) == (false, false))
        #expect(w(false, 2.0) == (false, false))   // no AVX-512F (or no AVX2 kernels)
        // Anything but "0" / "1" counts as unset.
        #expect(Ops.kernelWidths(avx512: true, fma512Speedup: 1.0, setting: "yes") == (true, false))
    }

    @Test("KERASPORT_AVX512=0 turns both off, =1 both on, wherever the processor has AVX-512F")
    func setting() {
        for s in [0.5, 1.0, 2.0] {
            #expect(Ops.kernelWidths(avx512: true, fma512Speedup: s, setting: "0") == (false, false))
            #expect(Ops.kernelWidths(avx512: true, fma512Speedup: s, setting: "1") == (true, true))
            #expect(Ops.kernelWidths(avx512: false, fma512Speedup: s, setting: "1") == (false, false))
        }
        // The FMAs are measured (about 0.25 ms at start-up) only where the setting leaves the choice to them.
        for (avx512, setting, measures) in [(true, "0", false), (true, "1", false), (false, nil, false),
                                            (true, nil, true), (true, "yes", true)] as [(Bool, String?, Bool)] {
            var measured = false
            _ = Ops.kernelWidths(avx512: avx512, fma512Speedup: { measured = true; return 1 }(), setting: setting)
            #expect(measured == measures, "avx512 \(avx512), setting \(setting ?? "unset")")
        }
    }

    @Test("this process's choice is the function's, and Winograd's products go wide only with the other kernels")
    func process() {
        let env = getenv("KERASPORT_AVX512").map { String(cString: $0) }
        let w = Ops.kernelWidths(avx512: Ops.avx512Available && DirectGEMM.available,
                                 fma512Speedup: Ops.fma512Speedup, setting: env)
        #expect(Ops.wideArithmetic == w.kernels)
        #expect(Ops.wideWinograd == w.fastWide)
        #expect(Ops.narrowPanelsApart == !w.fastWide)
        #expect(!Ops.wideWinograd || Ops.wideArithmetic)
    }
}
