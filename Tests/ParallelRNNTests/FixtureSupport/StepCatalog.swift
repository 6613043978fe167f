import ParallelRNN

// The Swift twins of the step functions in Scripts/fixture_steps.py (keep the two in sync).
// Every step is row-independent: row b of its results depends only on row b of its arguments plus constants,
// so the fixtures run sharded. `states` is the current states followed by the constants.

enum StepCatalog {
    /// A flat step (`flat: true` cases).
    static func flat<S: TensorFloatingPoint>(_ name: String, _ p: [String: Tensor<S>]) throws -> StepFunction<S> {
        switch name {
        case "tanh_rnn":
            let w = p["W"]!, r = p["R"]!
            return { x, s in
                let h = tanh(matmul(x, w) + matmul(s[0], r))
                return (h, [h])
            }
        case "tanh_rnn_proj":
            let w = p["W"]!, r = p["R"]!, proj = p["P"]!
            return { x, s in
                let h = tanh(matmul(x, w) + matmul(s[0], r))
                return (matmul(h, proj), [h])
            }
        case "two_state":
            let wh = p["Wh"]!, rh = p["Rh"]!, ch = p["Ch"]!, wc = p["Wc"]!, hc = p["Hc"]!, proj = p["P"]!
            return { x, s in
                let h = s[0], c = s[1]
                let h2 = tanh(matmul(x, wh) + matmul(h, rh) + matmul(c, ch))
                let c2 = c * 0.5 + hardSigmoid(matmul(x, wc) + matmul(h, hc))
                let out = concatenated([relu(matmul(h2, proj)), c2[lastAxis: 0..<1]], alongAxis: -1)
                return (out, [h2, c2])
            }
        case "no_state":
            let w = p["W"]!
            return { x, _ in (tanh(matmul(x, w)), []) }
        case "accumulate":
            return { x, s in
                let h = s[0] + x
                return (h, [h])
            }
        case "const_matrix":
            let w = p["W"]!
            return { x, s in
                let h = tanh(matmul(x, w) + matmul(s[0], s[1]))
                return (h, [h])
            }
        case "const_bias":
            let w = p["W"]!, r = p["R"]!
            return { x, s in
                let h = tanh(matmul(x, w) + matmul(s[0], r) + s[1])
                return (h, [h])
            }
        case "const_memory":
            let w = p["W"]!, r = p["R"]!, v = p["V"]!
            return { x, s in
                let (h, memory, scale) = (s[0], s[1], s[2])
                let context = memory.sum(squeezingAxes: 1)
                let h2 = tanh(matmul(x, w) + matmul(h, r) + matmul(context, v)) * scale
                return (h2, [h2])
            }
        case "nan_pad":
            let w = p["W"]!, r = p["R"]!
            return { x, s in
                let q = (x * x).sum(alongAxes: -1)
                let h = tanh(matmul(x, w) + matmul(s[0], r)) * (q / q)
                return (concatenated([h, 1 / q, -1 / q], alongAxis: -1), [h])
            }
        case "rank4":
            let w = p["W"]!, r = p["R"]!
            return { x, s in
                let (h, g) = (s[0], s[1])
                let h2 = tanh(matmul(x, w) + matmul(h, r))
                let g2 = g + h2.sum(squeezingAxes: 1)
                return (h2, [h2, g2])
            }
        default:
            throw FixtureError.unknownStep(name)
        }
    }

    /// A nested step (`flat: false` cases).
    static func nested<S: TensorFloatingPoint>(_ name: String, _ p: [String: Tensor<S>]) throws -> NestedStepFunction<S> {
        switch name {
        case "nested", "nested_const":
            let wx = p["Wx"]!, wa = p["Wa"]!, r = p["R"]!, ch = p["Ch"]!, wd = p["Wd"]!, hc = p["Hc"]!
            return { input, s in
                let x = input.at("seq").leafValue
                let a = input.at("aux").at(0).leafValue
                let d = input.at("aux").at(1).at("deep").leafValue
                let h = s[0].leafValue, c = s[1].at("zc").leafValue, g = s[1].at("ab").at(0).leafValue
                var pre = matmul(x, wx) + matmul(a, wa) + matmul(h, r) + matmul(c, ch)
                if s.count > 2 { pre = pre + s[2].at("bias").leafValue + s[2].at("mem").leafValue }
                let h2 = tanh(pre)
                let c2 = sigmoid(matmul(d, wd) + matmul(h2, hc))
                let g2 = g + h2
                let output: Nest<Tensor<S>> = .dict(["y": .leaf(h2), "m": .list([.leaf(c2), .leaf(relu(g2))])])
                return (output, [.leaf(h2), .dict(["zc": .leaf(c2), "ab": .list([.leaf(g2)])])])
            }
        default:
            throw FixtureError.unknownStep(name)
        }
    }
}

extension Nest {
    /// The entry `key` of a dict nest (traps otherwise: a broken step, not caller input).
    func at(_ key: String) -> Nest {
        guard case let .dict(entries) = self, let value = entries[key] else { preconditionFailure("no key \(key) in \(self)") }
        return value
    }

    /// The item `index` of a list nest.
    func at(_ index: Int) -> Nest {
        guard case let .list(items) = self, items.indices.contains(index) else { preconditionFailure("no item \(index)") }
        return items[index]
    }

    /// The tensor of a leaf nest.
    var leafValue: Leaf {
        guard case let .leaf(value) = self else { preconditionFailure("not a leaf: \(self)") }
        return value
    }
}
