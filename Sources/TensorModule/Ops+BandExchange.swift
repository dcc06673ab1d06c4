internal import CKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Ops {
    /// Whether the chunks of a band-fused block that start mid-image hand each other the expanded rows their windows
    /// share (``HaloExchange``) instead of each making them: true unless the environment sets
    /// `KERASPORT_BAND_EXCHANGE=0` (for comparisons; tests bind it to compare the two, whose values are the same).
    @TaskLocal package static var bandExchange: Bool = {
        guard let v = getenv("KERASPORT_BAND_EXCHANGE") else { return true }
        return String(cString: v) != "0"
    }()

    /// The expanded rows (a band-fused block's 1×1 stage output) that two chunks of output rows meeting mid-image
    /// both read, made once: the chunk above makes the first half of them and the chunk below the rest, each first
    /// thing in its chunk into a small buffer of its own, and each copies the other's half from there when its
    /// bands reach them (waiting, if need be, until they are written: `kp_flag_wait`). Where the other chunk has not
    /// started (one thread running both, one after the other) a chunk makes those rows itself, as every chunk did
    /// before. MobileNetV2 at batch 1 on two cores made 8 of the 14 rows of each 14 × 14 block's expanded image on
    /// each core (1.14× the 1×1 work); with the exchange, 7.
    ///
    /// Every row is the same 1×1 product of the same input row through the same pass wherever it is made, so the
    /// values are those of the rows made in place, bit for bit.
    final class HaloExchange: @unchecked Sendable {
        let lines: Int, outRows: Int, height: Int, stride: Int, padBefore: Int, reach: Int, rowFloats: Int
        /// Per boundary line L (0...lines): the rows the chunk above made for the chunk below (its first half of the
        /// shared rows), then the rows the chunk below made for the chunk above; each allocated by its maker, set
        /// before its ready flag, freed with the exchange.
        let rows: UnsafeMutablePointer<UnsafeMutablePointer<Float>?>
        /// Per boundary line L (0...lines): the chunk above's started and ready flags, then the chunk below's.
        let flags: UnsafeMutablePointer<Int32>

        /// The rows two chunks meeting at output line `L` share: `[lo, mid)` made by the chunk above, `[mid, hi)`
        /// by the chunk below, in image `n`; `nil` where `L` starts an image or the chunks share no row.
        struct Boundary {
            let line: Int, n: Int, lo: Int, mid: Int, hi: Int
        }

        init(lines: Int, outRows: Int, height: Int, stride: Int, padBefore: Int, reach: Int, rowFloats: Int) {
            (self.lines, self.outRows, self.height, self.stride) = (lines, outRows, height, stride)
            (self.padBefore, self.reach, self.rowFloats) = (padBefore, reach, rowFloats)
            rows = .allocate(capacity: 2 * (lines + 1))
            rows.initialize(repeating: nil, count: 2 * (lines + 1))
            flags = .allocate(capacity: 4 * (lines + 1))
            flags.initialize(repeating: 0, count: 4 * (lines + 1))
        }

        deinit {
            for i in 0..<(2 * (lines + 1)) { rows[i]?.deallocate() }
            rows.deallocate()
            flags.deallocate()
        }

        func boundary(at line: Int) -> Boundary? {
            guard line > 0, line < lines, line % outRows != 0 else { return nil }
            let n = line / outRows, oh = line % outRows
            let below = max(0, min(height, oh * stride - padBefore))
            let above = max(0, min(height, (oh - 1) * stride - padBefore + reach))
            guard above > below else { return nil }
            return Boundary(line: line, n: n, lo: below, mid: below + (above - below) / 2, hi: above)
        }

        fileprivate func flag(_ kind: Int, _ line: Int) -> UnsafeMutablePointer<Int32> { flags + kind * (lines + 1) + line }

        /// Row `r` of the rows made for boundary `b`: by the chunk above (`lo ..< mid`) or below (`mid ..< hi`).
        fileprivate func row(_ b: Boundary, _ r: Int) -> UnsafeMutablePointer<Float> {
            r < b.mid ? rows[b.line]! + (r - b.lo) * rowFloats : rows[lines + 1 + b.line]! + (r - b.mid) * rowFloats
        }

        /// Makes rows `[r0, r1)` of image `n` for boundary `line` (`side` 0: the chunk above's, 1: the chunk
        /// below's) into a buffer of their own, between its started and ready flags.
        private func export(_ b: Boundary, side: Int, _ r0: Int, _ r1: Int,
                            make: (Int, Int, Int, UnsafeMutablePointer<Float>) -> Void) {
            kp_flag_set(flag(2 * side, b.line))
            let buffer = alignedFloats((r1 - r0) * rowFloats)
            make(b.n, r0, r1, buffer)
            rows[side * (lines + 1) + b.line] = buffer
            kp_flag_set(flag(2 * side + 1, b.line))
        }

        /// What one chunk of output lines `[start, end)` exchanges; makes the rows it owes its neighbours first.
        /// `make(n, r0, r1, into)` computes expanded rows `[r0, r1)` of image `n`.
        func chunk(start: Int, end: Int,
                   make: (Int, Int, Int, UnsafeMutablePointer<Float>) -> Void) -> Chunk {
            var up = boundary(at: start), down = boundary(at: end)
            // A chunk so short that the rows it owes above and below overlap (or meet rows the chunk above owes)
            // exchanges nothing: its neighbours, finding it not started, make those rows themselves.
            if let u = up, let d = down, u.n == d.n, d.lo < u.hi { (up, down) = (nil, nil) }
            if let u = up, u.hi > u.mid { export(u, side: 1, u.mid, u.hi, make: make) }
            if let d = down, d.mid > d.lo { export(d, side: 0, d.lo, d.mid, make: make) }
            return Chunk(exchange: self, up: up, down: down)
        }

        struct Chunk {
            let exchange: HaloExchange, up: Boundary?, down: Boundary?

            /// The run of shared rows from row `r` of image `n` (up to `r1`): its boundary, whether the other chunk
            /// makes them, where the run ends, and the kinds of that chunk's ready and started flags.
            private func sharedRun(_ n: Int, _ r: Int, _ r1: Int)
                -> (boundary: Boundary, theirs: Bool, stop: Int, ready: Int, started: Int)? {
                if let u = up, u.n == n, r >= u.lo, r < u.hi {
                    let theirs = r < u.mid
                    return (u, theirs, min(r1, theirs ? u.mid : u.hi), 1, 0)
                }
                if let d = down, d.n == n, r >= d.lo, r < d.hi {
                    let theirs = r >= d.mid
                    return (d, theirs, min(r1, theirs ? d.hi : d.mid), 3, 2)
                }
                return nil
            }

            /// Expanded rows `[r0, r1)` of image `n` into `dest`: the shared rows copied (once written), the rest
            /// (and shared rows whose maker has not started) made by `make`.
            func fill(_ n: Int, _ r0: Int, _ r1: Int, into dest: UnsafeMutablePointer<Float>,
                      make: (Int, Int, Int, UnsafeMutablePointer<Float>) -> Void) {
                let e = exchange, floats = e.rowFloats
                var r = r0
                while r < r1 {
                    let out = dest + (r - r0) * floats
                    // A row shared with the chunk above (its [lo, mid), this chunk's [mid, hi)) or below (this
                    // chunk's [lo, mid), its [mid, hi)), and the rows after it of the same kind.
                    if let run = sharedRun(n, r, r1) {
                        let b = run.boundary
                        if !run.theirs || kp_flag_wait(e.flag(run.ready, b.line), e.flag(run.started, b.line)) != 0 {
                            out.update(from: e.row(b, r), count: (run.stop - r) * floats)
                        } else {
                            make(n, r, run.stop, out)
                        }
                        r = run.stop
                        continue
                    }
                    var stop = r1
                    if let u = up, u.n == n, u.lo > r { stop = min(stop, u.lo) }
                    if let d = down, d.n == n, d.lo > r { stop = min(stop, d.lo) }
                    make(n, r, stop, out)
                    r = stop
                }
            }
        }
    }
}
