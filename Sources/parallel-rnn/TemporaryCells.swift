// TEMPORARY stand-in for the lead's fused cells (Sources/ParallelRNN/Cells), with the public-api.md signatures,
// written with Tensor ops through `rnn`. DELETE this file when the cells land on main (they shadow the library's
// otherwise).
import ParallelRNN

enum Activation: Sendable, Equatable {
    case tanh, sigmoid, hardSigmoid, relu, linear
    func callAsFunction(_ x: Tensor<Float>) -> Tensor<Float> {
        switch self {
        case .tanh: return ParallelRNN.tanh(x)
        case .sigmoid: return ParallelRNN.sigmoid(x)
        case .hardSigmoid: return ParallelRNN.hardSigmoid(x)
        case .relu: return ParallelRNN.relu(x)
        case .linear: return x
        }
    }
}

protocol TemporaryCell: Sendable {
    var stepFunction: StepFunction<Float> { get }
    var stateCount: Int { get }
    var units: Int { get }
}

extension TemporaryCell {
    func callAsFunction(_ inputs: Tensor<Float>, mask: Tensor<Bool>? = nil, initialStates: [Tensor<Float>]? = nil,
                        goBackwards: Bool = false, timeMajor: Bool = false, zeroOutputForMask: Bool = false,
                        returnAllOutputs: Bool = true, execution: Execution = .automatic) throws -> RNNResult<Float> {
        let b = inputs.shape[timeMajor ? 1 : 0]
        let states = initialStates ?? Array(repeating: Tensor<Float>(zeros: [b, units]), count: stateCount)
        return try rnn(stepFunction, inputs: inputs, initialStates: states, goBackwards: goBackwards, mask: mask,
                       timeMajor: timeMajor, zeroOutputForMask: zeroOutputForMask, returnAllOutputs: returnAllOutputs,
                       execution: execution)
    }
}

struct SimpleRNN: TemporaryCell {
    let kernel: Tensor<Float>, recurrentKernel: Tensor<Float>, bias: Tensor<Float>?, activation: Activation
    var units: Int { recurrentKernel.shape[0] }
    var stateCount: Int { 1 }
    init(kernel: Tensor<Float>, recurrentKernel: Tensor<Float>, bias: Tensor<Float>?, activation: Activation = .tanh) throws {
        (self.kernel, self.recurrentKernel, self.bias, self.activation) = (kernel, recurrentKernel, bias, activation)
    }
    var stepFunction: StepFunction<Float> {
        let (k, r, bias, act) = (kernel, recurrentKernel, bias, activation)
        return { x, s in
            var z = matmul(x, k)
            if let bias { z = z + bias }
            let h = act(z + matmul(s[0], r))
            return (h, [h])
        }
    }
}

struct LSTM: TemporaryCell {
    let kernel: Tensor<Float>, recurrentKernel: Tensor<Float>, bias: Tensor<Float>?
    let activation: Activation, recurrentActivation: Activation
    var units: Int { recurrentKernel.shape[0] }
    var stateCount: Int { 2 }
    init(kernel: Tensor<Float>, recurrentKernel: Tensor<Float>, bias: Tensor<Float>?,
         activation: Activation = .tanh, recurrentActivation: Activation = .sigmoid) throws {
        (self.kernel, self.recurrentKernel, self.bias) = (kernel, recurrentKernel, bias)
        (self.activation, self.recurrentActivation) = (activation, recurrentActivation)
    }
    var stepFunction: StepFunction<Float> {
        let (k, r, bias, act, ract, u) = (kernel, recurrentKernel, bias, activation, recurrentActivation, units)
        return { x, s in
            var z = matmul(x, k)
            if let bias { z = z + bias }
            z = z + matmul(s[0], r)
            let i = ract(z[lastAxis: 0..<u]), f = ract(z[lastAxis: u..<2 * u])
            let c = f * s[1] + i * act(z[lastAxis: 2 * u..<3 * u])
            let h = ract(z[lastAxis: 3 * u..<4 * u]) * act(c)
            return (h, [h, c])
        }
    }
}

struct GRU: TemporaryCell {
    let kernel: Tensor<Float>, recurrentKernel: Tensor<Float>, bias: Tensor<Float>?, resetAfter: Bool
    let activation: Activation, recurrentActivation: Activation
    var units: Int { recurrentKernel.shape[0] }
    var stateCount: Int { 1 }
    init(kernel: Tensor<Float>, recurrentKernel: Tensor<Float>, bias: Tensor<Float>?, resetAfter: Bool = true,
         activation: Activation = .tanh, recurrentActivation: Activation = .sigmoid) throws {
        (self.kernel, self.recurrentKernel, self.bias, self.resetAfter) = (kernel, recurrentKernel, bias, resetAfter)
        (self.activation, self.recurrentActivation) = (activation, recurrentActivation)
    }
    var stepFunction: StepFunction<Float> {
        let (k, r, bias, act, ract, u, after) = (kernel, recurrentKernel, bias, activation, recurrentActivation, units, resetAfter)
        return { x, s in
            let h = s[0]
            var mx = matmul(x, k)
            var inputBias: Tensor<Float>? = nil, recurrentBias: Tensor<Float>? = nil
            if let bias {
                if after {
                    let flat = bias.scalars
                    inputBias = try Tensor(shape: [3 * u], scalars: Array(flat[0..<3 * u]))
                    recurrentBias = try Tensor(shape: [3 * u], scalars: Array(flat[3 * u..<6 * u]))
                } else { inputBias = bias }
            }
            if let inputBias { mx = mx + inputBias }
            let z: Tensor<Float>, rr: Tensor<Float>, hh: Tensor<Float>
            if after {
                var mi = matmul(h, r)
                if let recurrentBias { mi = mi + recurrentBias }
                z = ract(mx[lastAxis: 0..<u] + mi[lastAxis: 0..<u])
                rr = ract(mx[lastAxis: u..<2 * u] + mi[lastAxis: u..<2 * u])
                hh = act(mx[lastAxis: 2 * u..<3 * u] + rr * mi[lastAxis: 2 * u..<3 * u])
            } else {
                let rzr = matmul(h, r[lastAxis: 0..<2 * u])
                z = ract(mx[lastAxis: 0..<u] + rzr[lastAxis: 0..<u])
                rr = ract(mx[lastAxis: u..<2 * u] + rzr[lastAxis: u..<2 * u])
                hh = act(mx[lastAxis: 2 * u..<3 * u] + matmul(rr * h, r[lastAxis: 2 * u..<3 * u]))
            }
            let out = z * h + (1 - z) * hh
            return (out, [out])
        }
    }
}
