#!/usr/bin/env python3
"""End-to-end check of a Bidirectional layer's halves through `parallel-rnn run` (needs tf_keras 2.21).

tf_keras's Bidirectional forces zero_output_for_mask = return_sequences on its forward_/backward_ sub-layers, and
Scripts/export_keras_weights.py records it in metadata.json. This builds Masking → Bidirectional(LSTM, return_sequences)
with right-padded inputs, saves it, exports both sub-layers, runs each through the CLI (the backward half's outputs
reversed into time order, as Bidirectional does) and prints the largest difference from the layer's own output halves;
then the same without zero_output_for_mask (`--no-zero-output-for-mask`), which the forward half must miss.

    python3 Scripts/check_bidirectional_export.py --parallel-rnn .build/release/parallel-rnn
Exit status 1 when a half with the metadata's setting is more than 1e-5 from Keras.
"""
import argparse
import os
import subprocess
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parallel-rnn", required=True)
    binary = os.path.abspath(parser.parse_args().parallel_rnn)
    exporter = os.path.join(os.path.dirname(os.path.abspath(__file__)), "export_keras_weights.py")
    import tf_keras
    tf_keras.utils.set_random_seed(3)
    B, T, I, U = 5, 7, 4, 6
    inp = tf_keras.Input((T, I))
    masked = tf_keras.layers.Masking(0.0)(inp)
    model = tf_keras.Model(inp, tf_keras.layers.Bidirectional(tf_keras.layers.LSTM(U, return_sequences=True))(masked))
    x = np.random.default_rng(0).standard_normal((B, T, I)).astype(np.float32)
    lengths = np.array([7, 3, 5, 1, 6])
    x[np.arange(T)[None, :] >= lengths[:, None]] = 0.0
    ref = model(x).numpy()
    worst = 0.0
    with tempfile.TemporaryDirectory() as d:
        path = lambda name: os.path.join(d, name)  # noqa: E731
        model.save(path("m.keras"))
        np.save(path("x.npy"), x)
        np.save(path("mask.npy"), np.arange(T)[None, :] < lengths[:, None])
        for name, half in (("forward_lstm", slice(0, U)), ("backward_lstm", slice(U, 2 * U))):
            subprocess.run([sys.executable, exporter, "from-model", "--model", path("m.keras"), "--layer", name,
                            "--output", path(name + ".npz")], check=True, stderr=subprocess.DEVNULL)
            for label, extra in (("metadata", []), ("--no-zero-output-for-mask", ["--no-zero-output-for-mask"])):
                out = path(name + "_out.npz")
                subprocess.run([binary, "run", "--weights", path(name + ".npz"), "--inputs", path("x.npy"),
                                "--mask", path("mask.npy"), "--output", out] + extra, check=True,
                               stderr=subprocess.DEVNULL)
                got = np.load(out)["outputs"]
                got = got[:, ::-1] if name.startswith("backward") else got
                diff = float(np.abs(got - ref[..., half]).max())
                print(f"{name} ({label}): max |diff| from the Bidirectional output {diff:.3g}")
                if label == "metadata":
                    worst = max(worst, diff)
    sys.exit(1 if worst > 1e-5 else 0)


if __name__ == "__main__":
    main()
