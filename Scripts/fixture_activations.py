#!/usr/bin/env python3
"""TensorFlow 2.21's float32 activations on fixed points: the golden file of the activation-exactness test.

Writes Tests/ParallelRNNTests/ActivationFixtures/tf_activations.json: the inputs and, per Keras activation, TF's
outputs, each as base64 of little-endian float32 (bit-exact). Inputs: specials (zeros, TF's cut-offs, the exp and
sigmoid clamps, the edges of erfc's branches, the denormal range), then N(0, 3²) and U(-20, 20), 2048 in all (a
multiple of TF's packet size, computed on one intra-op thread: every value comes from TF's vector path).
Deterministic; run from the repository root:
    python3 Scripts/fixture_activations.py
"""
import base64
import json

import numpy as np
import tensorflow as tf

tf.config.threading.set_intra_op_parallelism_threads(1)
OUT = "Tests/ParallelRNNTests/ActivationFixtures/tf_activations.json"
N = 2048
ACTIVATIONS = {  # Keras name → TF 2.21 function (as tf_keras.activations calls it)
    "tanh": tf.tanh, "sigmoid": tf.sigmoid, "softsign": tf.math.softsign, "softplus": tf.math.softplus,
    "elu": tf.nn.elu, "selu": tf.nn.selu, "exponential": tf.exp, "swish": tf.nn.silu,
    "gelu": lambda v: tf.nn.gelu(v, approximate=False),
    "mish": lambda v: v * tf.math.tanh(tf.math.softplus(v)),  # tf_keras.activations.mish
    "relu6": tf.nn.relu6, "leaky_relu": tf.nn.leaky_relu,  # names tf_keras's activations.get resolves to tf.nn
}


def inputs():
    specials = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1e-8, -1e-8, 1e-30, -1e-30, 13.942385, -13.942385, 13.9424, -13.9424,
                7.90738964, -7.90738964, 8.0, -8.0, 16.6355324, -16.6355324, 17.0, 87.0, -87.0, 87.5, -87.5, 88.5,
                88.72, -88.72, -95.0, -100.0, -103.9, -104.0, -104.1, -110.0, 1.41421356, -1.41421356, 1.4142, -1.4142,
                1.5, -1.5, 7.0, -7.0, 10.0, -10.0, 12.0, -12.0, 15.0, -15.0, 20.0, -20.0, 40.0, -40.0,
                # softplus's 1 + exp(x) with the mantissa float(√2), the edge of log's range reduction
                -0.881373703, -0.881373644, -0.881373584, 4.49434662,
                # gelu 5–8 ulps from TF (its approximate reciprocal in erfc's large branch)
                -1.8517]
    rng = np.random.default_rng(20261128)
    rest = N - len(specials)
    x = np.concatenate([np.array(specials), rng.standard_normal(rest // 2) * 3, rng.uniform(-20, 20, rest - rest // 2)])
    return x.astype(np.float32)


def b64(a):
    return base64.b64encode(np.asarray(a, dtype="<f4").tobytes()).decode()


def main():
    x = inputs()
    doc = {"generator": f"Scripts/fixture_activations.py, tensorflow {tf.__version__}, eager, CPU, 1 intra-op thread",
           "count": int(x.size), "inputs": b64(x),
           "outputs": {name: b64(f(tf.constant(x)).numpy()) for name, f in ACTIVATIONS.items()}}
    with open(OUT, "w") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")
    print(f"wrote {OUT}: {x.size} points, {len(ACTIVATIONS)} activations")


if __name__ == "__main__":
    main()
