#!/usr/bin/env python3
"""The kernels' float32 activations against TensorFlow 2.21's on 600,000 points (N(0, 3²) and U(-20, 20)).

Builds the C kernels as a shared library (clang), calls prnn_activation_f32 through ctypes, and prints per activation:
how many results equal TF's bit for bit, the largest and median distance in ulps, and both errors against TF's
float64 result scaled by max(1, |r|) (what the fixtures' absolute 1e-5 measures). Run from the repository root:
    python3 Scripts/compare_activations_tf.py
"""
import ctypes
import glob
import os
import subprocess
import tempfile

import numpy as np
import tensorflow as tf

SRC = "Sources/_ParallelRNNKernels"
KINDS = {"tanh": (0, tf.tanh), "sigmoid": (1, tf.sigmoid), "softsign": (5, tf.math.softsign),
         "softplus": (6, tf.math.softplus), "elu": (7, tf.nn.elu), "selu": (8, tf.nn.selu), "exponential": (9, tf.exp),
         "swish": (10, tf.nn.silu), "gelu": (11, lambda v: tf.nn.gelu(v, approximate=False)),
         "mish": (12, lambda v: v * tf.math.tanh(tf.math.softplus(v))),  # tf_keras.activations.mish
         "relu6": (13, tf.nn.relu6), "leaky_relu": (14, tf.nn.leaky_relu)}


def main():
    with tempfile.TemporaryDirectory() as d:
        lib_path = os.path.join(d, "libprnn.so")
        subprocess.check_call(["clang", "-O2", "-shared", "-fPIC", "-I", f"{SRC}/include",
                               *sorted(glob.glob(f"{SRC}/*.c")), "-lm", "-lpthread", "-o", lib_path])
        lib = ctypes.CDLL(lib_path)
    lib.prnn_activation_f32.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
    lib.prnn_flush_denormals_enter.restype = ctypes.c_uint
    lib.prnn_flush_denormals_restore.argtypes = [ctypes.c_uint]
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.standard_normal(400_000) * 3, rng.uniform(-20, 20, 200_000)]).astype(np.float32)
    print(f"tensorflow {tf.__version__}, {x.size} points")
    for name, (kind, f) in KINDS.items():
        ours = np.empty_like(x)
        mxcsr = lib.prnn_flush_denormals_enter()  # as the engine's work items and TF's kernels run
        lib.prnn_activation_f32(kind, x.ctypes.data, ours.ctypes.data, x.size)
        lib.prnn_flush_denormals_restore(mxcsr)
        theirs = f(x).numpy()
        ulps = np.abs(theirs.view(np.int32).astype(np.int64) - ours.view(np.int32).astype(np.int64))
        ref = f(x.astype(np.float64)).numpy()
        scale = np.maximum(np.abs(ref), 1)
        print(f"{name:12s} bitwise TF's {np.mean(theirs == ours) * 100:6.2f} %, ulps max {ulps.max():9d} median "
              f"{np.median(ulps):.0f} | scaled error vs TF float64: TF float32 {np.max(np.abs(theirs - ref) / scale):.2e}, "
              f"ours {np.max(np.abs(ours - ref) / scale):.2e}")


if __name__ == "__main__":
    main()
