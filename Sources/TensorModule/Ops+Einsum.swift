extension Ops {
    /// A two-operand einsum (`"abc,cd->abd"`) reduced to one (batched) matrix product with transposes and
    /// reshapes around it.
    ///
    /// Each letter of the equation is one of: a batch letter (in both operands and the output), a free letter of
    /// either operand (in it and the output), or a contracted letter (in both operands, not the output). `...` stands
    /// for the leading axes an operand has beyond its letters (the same count in every term that has it). Letters
    /// repeated within a term (diagonals) and letters summed out of a single operand are refused.
    package struct EinsumPlan: Sendable, Equatable {
        package let equation: String
        let lhs: [Character], rhs: [Character], out: [Character]
        let batch: [Character], freeL: [Character], freeR: [Character], contracted: [Character]

        /// Parses `equation` for operands of the given ranks.
        /// - Throws: ``TensorError`` naming what is not supported.
        package init(_ equation: String, lhsRank: Int, rhsRank: Int) throws(TensorError) {
            let op = "einsum"
            self.equation = equation
            let compact = equation.filter { $0 != " " }
            let sides = compact.split(separator: "->", omittingEmptySubsequences: false).map(String.init)
            guard sides.count == 2 else { throw .argument(op, "`\(equation)` must have the form `in,kernel->out`") }
            let operands = sides[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard operands.count == 2 else { throw .argument(op, "`\(equation)` must have exactly two operands") }
            var used = Set(compact.filter(\.isLetter))
            var fresh: [Character] = []
            // `...`: fresh letters for the leading axes not spelled out (as many as the larger operand needs).
            func expanded(_ term: String, rank: Int?) throws(TensorError) -> [Character] {
                guard term.contains("...") else { return Array(term) }
                let parts = term.split(separator: "...", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 2, parts[0].isEmpty || parts[1].isEmpty else {
                    throw .argument(op, "`\(equation)`: only a leading or trailing `...` is supported")
                }
                let spelled = parts[0].count + parts[1].count
                let count: Int
                if let rank { count = rank - spelled } else { count = fresh.count }
                guard count >= 0 else { throw .argument(op, "`\(equation)`: `\(term)` has more letters than the operand has axes") }
                var code: UInt8 = 65  // fresh letters A, B, … not used by the equation
                while fresh.count < count, code <= 90 {
                    let c = Character(Unicode.Scalar(code))
                    code += 1
                    if used.insert(c).inserted { fresh.append(c) }
                }
                guard fresh.count >= count else { throw .argument(op, "`\(equation)`: too many axes under `...`") }
                let letters = Array(fresh.suffix(count))
                return parts[0].isEmpty ? letters + Array(parts[1]) : Array(parts[0]) + letters
            }
            lhs = try expanded(operands[0], rank: lhsRank)
            rhs = try expanded(operands[1], rank: rhsRank)
            out = try expanded(sides[1], rank: nil)
            guard lhs.count == lhsRank else { throw .argument(op, "`\(equation)`: the first operand has rank \(lhsRank)") }
            guard rhs.count == rhsRank else { throw .argument(op, "`\(equation)`: the second operand has rank \(rhsRank)") }
            for (name, term) in [("first operand", lhs), ("second operand", rhs), ("output", out)]
            where Set(term).count != term.count || !term.allSatisfy(\.isLetter) {
                throw .argument(op, "`\(equation)`: the \(name) repeats a letter or has a non-letter (not supported)")
            }
            var batch: [Character] = [], freeL: [Character] = [], freeR: [Character] = [], contracted: [Character] = []
            for c in lhs {
                switch (rhs.contains(c), out.contains(c)) {
                case (true, true): batch.append(c)
                case (false, true): freeL.append(c)
                case (true, false): contracted.append(c)
                case (false, false):
                    throw .argument(op, "`\(equation)`: `\(c)` is summed out of the first operand alone (not supported)")
                }
            }
            for c in rhs where !lhs.contains(c) {
                guard out.contains(c) else {
                    throw .argument(op, "`\(equation)`: `\(c)` is summed out of the second operand alone (not supported)")
                }
                freeR.append(c)
            }
            for c in out where !lhs.contains(c) && !rhs.contains(c) {
                throw .argument(op, "`\(equation)`: output letter `\(c)` is in neither operand")
            }
            (self.batch, self.freeL, self.freeR, self.contracted) = (batch, freeL, freeR, contracted)
        }

        /// The output shape for operands of these shapes.
        /// - Throws: ``TensorError`` when a letter has two sizes.
        package func outputShape(lhs l: [Int], rhs r: [Int]) throws(TensorError) -> [Int] {
            let sizes = try self.sizes(l, r)
            return out.map { sizes[$0]! }
        }

        func sizes(_ l: [Int], _ r: [Int]) throws(TensorError) -> [Character: Int] {
            guard l.count == lhs.count, r.count == rhs.count else {
                throw .shape("einsum", "`\(equation)` does not fit operands \(l) and \(r)")
            }
            var sizes: [Character: Int] = [:]
            for (c, d) in zip(lhs, l) { sizes[c] = d }
            for (c, d) in zip(rhs, r) {
                if let e = sizes[c], e != d {
                    throw .shape("einsum", "`\(equation)`: `\(c)` is \(e) in the first operand and \(d) in the second")
                }
                sizes[c] = d
            }
            return sizes
        }
    }

    /// `einsum(plan.equation, lhs, rhs)`: operands transposed to `[batch, free, contracted]` and
    /// `[batch, contracted, free]`, one (batched) matrix product, the result transposed to the output's order.
    /// - Throws: ``TensorError`` when the shapes do not fit the plan.
    package static func einsum(_ plan: EinsumPlan, _ lhs: Tensor, _ rhs: Tensor) throws(TensorError) -> Tensor {
        let sizes = try plan.sizes(lhs.shape, rhs.shape)
        func dims(_ letters: [Character]) -> [Int] { letters.map { sizes[$0]! } }
        func permuted(_ t: Tensor, _ term: [Character], to order: [Character]) throws(TensorError) -> Tensor {
            try transpose(input: t, permutation: order.map { c in term.firstIndex(of: c)! })
        }
        let bt = product(dims(plan.batch)[...]), m = product(dims(plan.freeL)[...])
        let k = product(dims(plan.contracted)[...]), n = product(dims(plan.freeR)[...])
        let a = try permuted(lhs, plan.lhs, to: plan.batch + plan.freeL + plan.contracted)
        let b = try permuted(rhs, plan.rhs, to: plan.batch + plan.contracted + plan.freeR)
        let product3 = try batchMatmul(a: Tensor(unchecked: [bt, m, k], scalars: a.scalars),
                                       b: Tensor(unchecked: [bt, k, n], scalars: b.scalars))
        let natural = plan.batch + plan.freeL + plan.freeR
        let result = Tensor(unchecked: dims(natural), scalars: product3.scalars)
        return try permuted(result, natural, to: plan.out)
    }
}
