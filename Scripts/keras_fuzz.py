#!/usr/bin/env python3
"""Differential fuzz: `parallel-rnn run` against LIVE tf_keras 2.21 layers on random held-out cases.

Install (CPU only, once):
    python3 -m pip install tensorflow-cpu==2.21.0 tf-keras==2.21.0
Build the CLI (any scratch path), then run from the repository root:
    swift build -c release --product parallel-rnn
    python3 Scripts/keras_fuzz.py --parallel-rnn .build/release/parallel-rnn --cases 300 --seed 1
    python3 Scripts/keras_fuzz.py --parallel-rnn ... --seed 1 --only 17 -v   # re-run one case of that seed

Every case draws (from numpy's PCG64 seeded with [seed, case index], so `--only K` reproduces case K exactly):
  * the cell: LSTM, GRU reset_after=True, GRU reset_after=False, SimpleRNN; use_bias; activation and
    recurrent_activation among tanh, sigmoid, hard_sigmoid, relu, linear (the API file's five); with --activations
    all, in about half of the cases one or both replaced by one of softsign, softplus, elu, selu, exponential, swish,
    gelu, mish, relu6, leaky_relu (from their own stream, so that other fields of a case do not change);
  * shapes: B 1..9 (sometimes 16/33/64), T 1..12 (sometimes 25/40), I 1..20, U 1..40 (sometimes 17/48/64/129);
  * go_backwards, time_major, zero_output_for_mask;
  * the mask: none, right-padded (prefix), random (non-prefix), random with fully masked rows, leading masked steps
    (left padding), or everything masked; given to the CLI as bool / float (with NaN, 0.5, -0.0) / integer arrays of
    shape (B, T) or (B, T, 1) (time-major: (T, B[, 1]));
  * initial states: none (zeros) or random; weights glorot-like with a gain, plus a few large entries;
    inputs standard normal, sometimes ×10 or ×100, sometimes stored as float64; with a mask, in one case of five
    (--poison-masked) the masked steps' inputs are NaN, ±inf or a mix (Keras computes and discards those steps:
    nothing of them may leak);
  * --profile workload instead draws the benchmarks' sizes (B 1..256, T 20..100, I 16..256, U 32..512) and, in two
    cases of three, weights from Keras's default initializers (glorot_uniform kernel, orthogonal recurrent kernel),
    in seven of ten Keras's default activations, and no large single weights;
  * how the CLI is driven: every option on the command line, options from the weights' metadata.json, or metadata
    that disagrees with command-line options (which must win); --threads 1, 2, 3, 8 or default, sometimes
    --no-pin (with --threads); output as .npz, compressed .npz or a directory.
For about a quarter of the cases the CLI runs a second time with another --threads value, and the two results must
be bitwise identical (the project's decision 7, README › Execution model: fused cells are bitwise identical for every shard count).

Reference: the tf_keras layer itself, eager on CPU, unroll=False (Project decision 1), called as
`layer(x, mask=..., initial_state=[...])` with return_sequences=True and return_state=True (outputs, states); the
last output comes from an identical layer with return_sequences=False (i.e. what Keras returns as the last output;
spec §8: equal to outputs[:, -1] in processing order, zeroed by zero_output_for_mask when the last processed step is
masked, §6.3). None of the Project decisions departs from Keras for what the CLI can express (no unroll, no
input_length), so Keras's numbers are the expected numbers.

Pass criterion per array (outputs, last_output, every state): max |engine - keras| / max(1, |keras|) <= --tol (1e-5).
Every case also runs Keras in float64 (same float32-rounded data) to measure how far float32 itself is from exact:
  PASS        every array within tol of Keras float32 (and bitwise identical across thread counts when re-run);
  ROUNDING    beyond tol, but the case is ill-conditioned (relu/linear recurrences, large weights or states) and
              the difference is what float32 rounding order alone produces: Keras float32 moves as much when its
              weights move by one ulp, or a plain numpy float32 implementation differs from Keras as much, or the
              engine is no further from float64 than Keras is (details in run_case). Reported and kept; a failure
              only with --strict;
  DEGENERATE  Keras overflowed to inf/NaN or is more than 1e-2 from float64 (chaotic); values are not judged;
  FAIL        anything else: a semantic error, a CLI error, or results that change with --threads.
A FAIL or ROUNDING case prints its configuration, the CLI command line and a reproduction command, and its files
(inputs, mask, weights, initial states, Keras's results `keras.npz` / `keras_float64.npz`, the engine's result,
config.json) are kept under --keep-dir.

A few probes (--probes, on by default) also check inputs Keras accepts that the CLI may reject (float16 inputs,
Fortran-order arrays, big-endian arrays, B = 0, activations outside the five, metadata time_major).

Exit status: 1 when a case FAILs (or, with --strict, is ROUNDING), else 0; rejections found by the probes are
reported, not failures.
"""
import argparse
import io
import json
import math
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

ACTIVATIONS = ["tanh", "sigmoid", "hard_sigmoid", "relu", "linear"]
# tf_keras's other element-wise activations, which `Activation` also has (--activations all).
MORE_ACTIVATIONS = ["softsign", "softplus", "elu", "selu", "exponential", "swish", "gelu", "mish", "relu6",
                    "leaky_relu"]
# Unbounded above: the recurrence can grow, so most cases with one get smaller weights (`tame`).
UNBOUNDED = {"relu", "linear", "softplus", "elu", "selu", "exponential", "swish", "gelu", "mish", "leaky_relu"}
CELLS = ["lstm", "gru", "gru_v1", "simple"]  # gru = reset_after=True, gru_v1 = reset_after=False
GATES = {"lstm": 4, "gru": 3, "gru_v1": 3, "simple": 1}
CHAOTIC = 1e-2  # Keras float32 vs float64 scaled error beyond which a case is not judged (see run_case)
MASK_KINDS = ["none", "prefix", "random", "rows_all_masked", "leading", "all_masked"]


# --------------------------------------------------------------------------------------------------------------------
# Case generation


def draw_config(seed, index, poison_masked=0.2, profile="small", activations="api"):
    """The configuration of case `index` (pure function of seed, index, poison_masked, profile and activations)."""
    rng = np.random.default_rng([seed, index])
    pick = lambda options, p=None: options[int(rng.choice(len(options), p=p))]  # noqa: E731
    cfg = {"index": index, "seed": seed}
    cfg["cell"] = pick(CELLS)
    cfg["B"] = int(rng.integers(1, 10)) if rng.random() < 0.85 else pick([16, 32, 33, 64])
    cfg["T"] = int(rng.integers(1, 13)) if rng.random() < 0.85 else pick([25, 40])
    cfg["I"] = int(rng.integers(1, 21))
    cfg["U"] = int(rng.integers(1, 41)) if rng.random() < 0.8 else pick([17, 48, 64, 129])
    cfg["use_bias"] = bool(rng.random() < 0.75)
    act_p = [0.4, 0.15, 0.15, 0.15, 0.15]
    cfg["activation"] = pick(ACTIVATIONS, act_p)
    cfg["recurrent_activation"] = pick(["sigmoid", "tanh", "hard_sigmoid", "relu", "linear"], act_p)
    if cfg["cell"] == "simple":
        cfg["recurrent_activation"] = None
    cfg["go_backwards"] = bool(rng.random() < 0.5)
    cfg["time_major"] = bool(rng.random() < 0.3)
    cfg["zero_output_for_mask"] = bool(rng.random() < 0.5)
    cfg["mask"] = pick(MASK_KINDS, [0.25, 0.2, 0.2, 0.15, 0.15, 0.05])
    cfg["mask_format"] = pick(["bool", "bool3", "float32", "float64", "int32", "uint8", "int64", "int8"],
                              [0.35, 0.15, 0.15, 0.05, 0.1, 0.1, 0.05, 0.05])
    cfg["initial_states"] = pick(["none", "random", "random_large"], [0.4, 0.45, 0.15])
    cfg["weight_gain"] = pick([0.5, 1.0, 1.5, 2.5])
    cfg["big_weights"] = bool(rng.random() < 0.5)
    cfg["input_scale"] = pick([1.0, 3.0, 10.0, 100.0], [0.7, 0.1, 0.12, 0.08])
    cfg["inputs_float64"] = bool(rng.random() < 0.2)
    cfg["weights_float64"] = bool(rng.random() < 0.1)
    cfg["drive"] = pick(["flags", "metadata", "override"], [0.5, 0.3, 0.2])
    cfg["threads"] = pick([1, 2, 3, 8, None], [0.25, 0.2, 0.2, 0.1, 0.25])
    cfg["no_pin"] = bool(rng.random() < 0.1)
    cfg["output"] = pick(["npz", "npz_compressed", "dir"], [0.5, 0.2, 0.3])
    cfg["rerun_threads"] = pick([1, 2, 3, 5, None]) if rng.random() < 0.25 else "skip"
    # relu/linear make the recurrence unbounded; most such cases get smaller weights so they stay well-conditioned.
    cfg["tame"] = bool(rng.random() < 0.75)
    cfg["data_seed"] = int(rng.integers(0, 2**31))
    # Drawn last, so that the fields above are those of earlier versions; --poison-masked 0 gives their cases exactly.
    u, cfg["poison_share"] = float(rng.random()), poison_masked
    cfg["poison_masked"] = "no" if u >= poison_masked else ["nan", "inf", "mixed"][min(2, int(3 * u / poison_masked))]
    cfg["profile"] = profile
    if profile == "workload":
        draw_workload_shapes(cfg, np.random.default_rng([seed, index, 2]))
    if activations == "all":
        cfg["activations"] = activations
        more = np.random.default_rng([seed, index, 3])
        if more.random() < 0.5:
            cfg["activation"] = MORE_ACTIVATIONS[int(more.integers(len(MORE_ACTIVATIONS)))]
        if cfg["cell"] != "simple" and more.random() < 0.5:
            cfg["recurrent_activation"] = MORE_ACTIVATIONS[int(more.integers(len(MORE_ACTIVATIONS)))]
    return cfg


def draw_workload_shapes(cfg, rng):
    """--profile workload: the benchmark workloads' sizes (B up to 256 rows, T 20-100, I up to 256, U up to 512;
    shards of 16 and 32 rows take the transposed product, on AVX-512 also 48-512 by 16 whose operand fits half the L2
    (larger multiples of 32 in row blocks that do; PRNN_L2_CACHE_BYTES shrinks the L2 to reach them),
    the others the row-major one), with Keras's default
    initializers (glorot_uniform, orthogonal) in two cases of three, no large single weights, and Keras's default
    activations in seven cases of ten; from their own stream (the small profile's fields above are drawn first and
    only overwritten here)."""
    pick = lambda options, p=None: options[int(rng.choice(len(options), p=p))]  # noqa: E731
    cfg["B"] = pick([1, 3, 8, 31, 32, 33, 64, 65, 128, 130, 256])
    cfg["T"] = pick([20, 50, 100])
    cfg["I"] = pick([16, 64, 128, 256])
    cfg["U"] = pick([32, 64, 128, 256, 512], [0.15, 0.2, 0.25, 0.3, 0.1])
    cfg["input_scale"] = pick([1.0, 3.0], [0.8, 0.2])
    cfg["init"] = "keras" if rng.random() < 2 / 3 else "fuzz"
    # At these sizes a few large weights per row, or relu/linear gates, make most cases overflow or chaotic.
    cfg["big_weights"] = False
    if rng.random() < 0.7:
        cfg["activation"] = "tanh"
        if cfg["cell"] != "simple":
            cfg["recurrent_activation"] = "sigmoid"


def make_mask(cfg, rng):
    """Boolean mask (B, T), batch-major, or None."""
    B, T, kind = cfg["B"], cfg["T"], cfg["mask"]
    if kind == "none":
        return None
    if kind == "prefix":  # right padding: valid iff t < L[b], L in 0..T (some full, some empty)
        lengths = rng.integers(0, T + 1, size=B)
        lengths[rng.random(B) < 0.3] = T
        return np.arange(T)[None, :] < lengths[:, None]
    if kind == "leading":  # left padding: valid iff t >= T - L[b]
        lengths = rng.integers(0, T + 1, size=B)
        lengths[rng.random(B) < 0.2] = T
        return np.arange(T)[None, :] >= (T - lengths)[:, None]
    if kind == "all_masked":
        return np.zeros((B, T), dtype=bool)
    m = rng.random((B, T)) < rng.uniform(0.3, 0.8)
    if kind == "rows_all_masked":
        rows = rng.random(B) < 0.4
        rows[rng.integers(0, B)] = True
        m[rows] = False
    return m


def encode_mask(mask_bt, cfg, rng):
    """The mask as the CLI reads it (layout and dtype of cfg), and the boolean (B,T) or (T,B) that Keras gets."""
    m = mask_bt.T if cfg["time_major"] else mask_bt
    fmt = cfg["mask_format"]
    if fmt == "bool":
        stored = m.copy()
    elif fmt == "bool3":
        stored = m[..., None].copy()
    elif fmt in ("float32", "float64"):
        # valid steps: mixed non-zero values, NaN and inf included (cast to True, spec §2.1.4); masked: 0 and -0.
        vals = rng.choice(np.array([1.0, 0.5, -2.0, 1e-30, np.nan, np.inf], dtype=fmt), size=m.shape)
        zeros = rng.choice(np.array([0.0, -0.0], dtype=fmt), size=m.shape)
        stored = np.where(m, vals, zeros).astype(fmt)
        if rng.random() < 0.3:
            stored = stored[..., None]
    else:
        vals = rng.choice(np.array([1, 2, 7, -1 if fmt.startswith("int") else 255]), size=m.shape).astype(fmt)
        stored = np.where(m, vals, np.zeros_like(vals)).astype(fmt)
    keras_mask = (stored.reshape(m.shape) != 0)  # NaN != 0 is True, as TF's cast
    assert np.array_equal(keras_mask, m)
    return stored, keras_mask


def keras_initial_weights(cfg, rng):
    """tf_keras's default initializers' distributions: kernel glorot_uniform, recurrent_kernel orthogonal (the
    [U, gU] matrix with orthonormal rows); biases as after training, small and random, with unit_forget_bias."""
    I, U, g = cfg["I"], cfg["U"], GATES[cfg["cell"]]
    limit = np.sqrt(6.0 / (I + g * U))
    kernel = rng.uniform(-limit, limit, (I, g * U))
    q, r = np.linalg.qr(rng.standard_normal((g * U, U)))
    recurrent = (q * np.sign(np.diag(r))).T
    arrays = {"kernel": kernel.astype(np.float32), "recurrent_kernel": recurrent.astype(np.float32)}
    if cfg["use_bias"]:
        bias = rng.standard_normal((2, 3 * U) if cfg["cell"] == "gru" else (g * U,)) * 0.1
        if cfg["cell"] == "lstm":
            bias[U:2 * U] += 1.0
        arrays["bias"] = bias.astype(np.float32)
    return arrays


def make_weights(cfg, rng):
    if cfg.get("init") == "keras":
        return keras_initial_weights(cfg, rng)
    I, U, g = cfg["I"], cfg["U"], GATES[cfg["cell"]]
    gain = cfg["weight_gain"]
    kernel = rng.standard_normal((I, g * U)) * gain * np.sqrt(2.0 / (I + g * U))
    recurrent = rng.standard_normal((U, g * U)) * gain / np.sqrt(U)
    if cfg["big_weights"]:
        for w in (kernel, recurrent):
            n = max(1, w.size // 50)
            idx = rng.integers(0, w.size, size=n)
            w.flat[idx] = rng.choice([-3.0, 3.0, -5.0, 5.0], size=n)
    unbounded = UNBOUNDED & {cfg["activation"], cfg["recurrent_activation"]}
    if unbounded and cfg.get("tame", True):
        kernel *= 0.7
        recurrent *= 0.35
    arrays = {"kernel": kernel.astype(np.float32), "recurrent_kernel": recurrent.astype(np.float32)}
    if cfg["use_bias"]:
        shape = (2, 3 * U) if cfg["cell"] == "gru" else (g * U,)
        bias = rng.standard_normal(shape) * 0.5
        if cfg["cell"] == "lstm" and rng.random() < 0.5:
            bias[U:2 * U] += 1.0  # unit_forget_bias
        arrays["bias"] = bias.astype(np.float32)
    return arrays


def make_case(cfg):
    rng = np.random.default_rng(cfg["data_seed"])
    B, T, I, U = cfg["B"], cfg["T"], cfg["I"], cfg["U"]
    weights = make_weights(cfg, rng)
    x = rng.standard_normal((B, T, I)) * cfg["input_scale"]
    x[rng.random(x.shape) < 0.05] = 0.0
    x32 = x.astype(np.float32)
    mask_bt = make_mask(cfg, rng)
    states = None
    if cfg["initial_states"] != "none":
        scale = 5.0 if cfg["initial_states"] == "random_large" else 1.0
        n = 2 if cfg["cell"] == "lstm" else 1
        states = [(rng.standard_normal((B, U)) * scale).astype(np.float32) for _ in range(n)]
    mask_stored = keras_mask = None
    if mask_bt is not None:
        mask_stored, keras_mask = encode_mask(mask_bt, cfg, rng)
    if cfg["time_major"]:
        x32 = np.ascontiguousarray(x32.transpose(1, 0, 2))
        x = np.ascontiguousarray(x.transpose(1, 0, 2))
    x_stored = x if cfg["inputs_float64"] else x32
    if keras_mask is not None and cfg.get("poison_masked", "no") != "no":
        # Masked steps' inputs NaN or ±inf: Keras computes those steps and discards them (where), so nothing of them
        # may reach the results. Values from their own stream: the draws above stay those of earlier versions.
        poison = {"nan": [np.nan], "inf": [np.inf, -np.inf], "mixed": [np.nan, np.inf, -np.inf, 3e38]}
        prng = np.random.default_rng([cfg["data_seed"], 1])
        at = ~keras_mask.reshape(x_stored.shape[:2])
        x_stored = x_stored.copy()
        x_stored[at] = prng.choice(poison[cfg["poison_masked"]], size=(int(at.sum()), x_stored.shape[2]))
    # What Keras sees: float32 of what is stored (a float64 file is rounded once, as the CLI does).
    x_keras = x_stored.astype(np.float32)
    return {"weights": weights, "x_stored": x_stored, "x_keras": x_keras, "mask_stored": mask_stored,
            "keras_mask": keras_mask, "states": states}


# --------------------------------------------------------------------------------------------------------------------
# Files


def write_npz(path, arrays, meta=None):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        for name, array in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(array), allow_pickle=False)
            z.writestr(name + ".npy", buf.getvalue())
        if meta is not None:
            z.writestr("metadata.json", json.dumps(meta, indent=2, sort_keys=True))


def cli_cell(cfg):
    return {"lstm": "lstm", "gru": "gru", "gru_v1": "gru", "simple": "simple"}[cfg["cell"]]


def metadata_for(cfg, contradict):
    """metadata.json as Scripts/export_keras_weights.py writes it; `contradict` flips the values that the command
    line then overrides (it must win)."""
    flip_act = {"tanh": "relu", "sigmoid": "hard_sigmoid", "hard_sigmoid": "sigmoid", "relu": "linear",
                "linear": "tanh", **{a: "tanh" for a in MORE_ACTIVATIONS}}
    meta = {"cell": cli_cell(cfg), "units": cfg["U"], "input_dim": cfg["I"],
            "activation": flip_act[cfg["activation"]] if contradict else cfg["activation"],
            "use_bias": cfg["use_bias"],
            "go_backwards": (not cfg["go_backwards"]) if contradict else cfg["go_backwards"],
            "time_major": cfg["time_major"], "layer": "fuzz", "keras": "tf_keras 2.21.0",
            "zero_output_for_mask": (not cfg["zero_output_for_mask"]) if contradict else cfg["zero_output_for_mask"]}
    if cfg["cell"] != "simple":
        ract = cfg["recurrent_activation"]
        meta["recurrent_activation"] = flip_act[ract] if contradict else ract
    if cfg["cell"] in ("gru", "gru_v1"):
        ra = cfg["cell"] == "gru"
        meta["reset_after"] = (not ra) if contradict else ra
    return meta


def write_case_files(cfg, case, d):
    """Writes the CLI's inputs into directory d; returns the argv (without the binary) and the output path."""
    w = case["weights"]
    if cfg["weights_float64"]:
        w = {k: v.astype(np.float64) for k, v in w.items()}
    drive = cfg["drive"]
    meta = None if drive == "flags" else metadata_for(cfg, contradict=(drive == "override"))
    write_npz(os.path.join(d, "weights.npz"), w, meta)
    np.save(os.path.join(d, "inputs.npy"), case["x_stored"])
    args = ["run", "--weights", "weights.npz", "--inputs", "inputs.npy"]
    if case["mask_stored"] is not None:
        np.save(os.path.join(d, "mask.npy"), case["mask_stored"])
        args += ["--mask", "mask.npy"]
    if case["states"] is not None:
        np.savez(os.path.join(d, "initial_states.npz"), **{f"state_{i}": s for i, s in enumerate(case["states"])})
        args += ["--initial-states", "initial_states.npz"]
    if drive in ("flags", "override"):
        args += ["--cell", cli_cell(cfg), "--activation", cfg["activation"]]
        if cfg["cell"] != "simple":
            args += ["--recurrent-activation", cfg["recurrent_activation"]]
        if cfg["cell"] in ("gru", "gru_v1"):
            args += ["--reset-after" if cfg["cell"] == "gru" else "--no-reset-after"]
        if cfg["go_backwards"]:
            args += ["--go-backwards"]
        elif drive == "override":
            args += ["--no-go-backwards"]
    if cfg["time_major"]:
        args += ["--time-major"]
    if cfg["zero_output_for_mask"] and drive != "metadata":
        args += ["--zero-output-for-mask"]
    elif drive == "override":
        args += ["--no-zero-output-for-mask"]
    if cfg["threads"] is not None:
        args += ["--threads", str(cfg["threads"])]
    if cfg["no_pin"] and cfg["threads"] is not None:  # --no-pin without --threads is a usage error
        args += ["--no-pin"]
    out = "engine" if cfg["output"] == "dir" else "engine.npz"
    args += ["--output", out]
    if cfg["output"] == "npz_compressed":
        args += ["--compressed"]
    return args, out


def read_result(path, n_states):
    names = ["outputs", "last_output"] + [f"state_{i}" for i in range(n_states)]
    if path.endswith(".npz"):
        with np.load(path) as z:
            missing = [n for n in names if n not in z.files]
            if missing:
                raise RuntimeError(f"{path} lacks {missing} (has {z.files})")
            return {n: z[n] for n in names}
    return {n: np.load(os.path.join(path, n + ".npy")) for n in names}


def run_cli(binary, args, cwd, timeout=300):
    t0 = time.perf_counter()
    p = subprocess.run([binary] + args, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stderr.strip(), time.perf_counter() - t0


# --------------------------------------------------------------------------------------------------------------------
# Keras reference


class Keras:
    def __init__(self):
        import tensorflow as tf
        import tf_keras
        self.tf, self.k = tf, tf_keras
        self.calls = 0

    def layer(self, cfg, return_sequences, dtype):
        L = self.k.layers
        common = dict(units=cfg["U"], activation=cfg["activation"], use_bias=cfg["use_bias"],
                      go_backwards=cfg["go_backwards"], time_major=cfg["time_major"],
                      return_sequences=return_sequences, return_state=True,
                      zero_output_for_mask=cfg["zero_output_for_mask"], dtype=dtype)
        if cfg["cell"] == "lstm":
            return L.LSTM(recurrent_activation=cfg["recurrent_activation"], **common)
        if cfg["cell"] in ("gru", "gru_v1"):
            return L.GRU(recurrent_activation=cfg["recurrent_activation"], reset_after=cfg["cell"] == "gru", **common)
        return L.SimpleRNN(**common)

    def run(self, cfg, case, dtype="float32"):
        """Keras's outputs, last_output and states for the case, as numpy arrays of `dtype`."""
        tf = self.tf
        self.calls += 1
        if self.calls % 50 == 0:
            self.k.backend.clear_session()
        w = case["weights"]
        order = ["kernel", "recurrent_kernel"] + (["bias"] if cfg["use_bias"] else [])
        x = tf.constant(case["x_keras"].astype(dtype))
        mask = None if case["keras_mask"] is None else tf.constant(case["keras_mask"])
        init = None if case["states"] is None else [tf.constant(s.astype(dtype)) for s in case["states"]]
        results = []
        for return_sequences in (True, False):
            layer = self.layer(cfg, return_sequences, dtype)
            layer.build(tuple(x.shape))
            layer.set_weights([w[n].astype(dtype) for n in order])
            results.append(layer(x, mask=mask, initial_state=init))
        seq, last = results
        ref = {"outputs": seq[0].numpy(), "last_output": last[0].numpy()}
        for i, s in enumerate(seq[1:]):
            ref[f"state_{i}"] = s.numpy()
        # The return_sequences=False layer must agree on the states (spec §8); a mismatch would be a Keras oddity.
        for i, s in enumerate(last[1:]):
            if not np.array_equal(s.numpy(), ref[f"state_{i}"]):
                ref.setdefault("_notes", []).append(f"keras state_{i} differs between return_sequences True/False")
        return ref


    def ulp_spread(self, cfg, case, ref, trials=3):
        """How far Keras float32 moves when every weight moves by one ulp (random direction): the case's
        sensitivity to float32 rounding, as a max scaled error over `trials` perturbations."""
        rng = np.random.default_rng(cfg["data_seed"])
        worst = 0.0
        for _ in range(trials):
            up = np.float32(np.inf)
            w = {n: np.nextafter(a, np.where(rng.random(a.shape) < 0.5, up, -up).astype(np.float32))
                 for n, a in case["weights"].items()}
            r = self.run(cfg, dict(case, weights=w))
            r.pop("_notes", None)
            worst = max([worst] + [scaled_error(r[n], ref[n])[0] for n in ref])
        return worst


# --------------------------------------------------------------------------------------------------------------------
# Independent numpy implementation (only to size float32 rounding on ill-conditioned cases)


NUMPY_ACTIVATIONS = {
    "tanh": np.tanh,
    "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
    "hard_sigmoid": lambda v: np.clip(v * 0.2 + 0.5, 0, 1),  # tf_keras 2.x
    "relu": lambda v: np.maximum(v, 0),
    "linear": lambda v: v,
    "softsign": lambda v: v / (np.abs(v) + 1),
    "softplus": lambda v: np.logaddexp(v, 0),
    "elu": lambda v: np.where(v < 0, np.expm1(np.minimum(v, 0)), v),
    "selu": lambda v: 1.0507009873554805 * np.where(v < 0, 1.6732632423543772 * np.expm1(np.minimum(v, 0)), v),
    "exponential": np.exp,
    "swish": lambda v: v / (1 + np.exp(-v)),
    "gelu": lambda v: 0.5 * v * np.vectorize(math.erfc, otypes=[v.dtype])(-v / np.sqrt(2)),
    "mish": lambda v: v * np.tanh(np.logaddexp(v, 0)),
    "relu6": lambda v: np.clip(v, 0, 6),
    "leaky_relu": lambda v: np.where(v > 0, v, v * np.float32(0.2).astype(v.dtype)),  # TF's alpha: a float attribute
}


def numpy_reference(cfg, case, dt):
    """The case computed directly in numpy (dtype dt) from spec §6.1 and the tf_keras cell equations: a second,
    independent implementation with another summation order. Its float64 result must match Keras float64 before its
    float32 result is used to size rounding (run_case)."""
    w = {k: v.astype(dt) for k, v in case["weights"].items()}
    bias = w.get("bias")
    x, m = case["x_keras"].astype(dt), case["keras_mask"]
    if cfg["time_major"]:
        x, m = x.transpose(1, 0, 2), None if m is None else m.T
    B, T, _ = x.shape
    U = cfg["U"]
    if case["states"] is not None:
        states = [s.astype(dt) for s in case["states"]]
    else:
        states = [np.zeros((B, U), dt) for _ in range(2 if cfg["cell"] == "lstm" else 1)]
    act = NUMPY_ACTIVATIONS[cfg["activation"]]
    ract = NUMPY_ACTIVATIONS[cfg["recurrent_activation"] or "linear"]
    kernel, recurrent = w["kernel"], w["recurrent_kernel"]
    previous, outputs = np.zeros((B, U), dt), []
    for k in range(T):
        t = T - 1 - k if cfg["go_backwards"] else k
        xt, h = x[:, t], states[0]
        if cfg["cell"] == "simple":
            z = xt @ kernel + (bias if bias is not None else 0) + h @ recurrent
            new = [act(z)]
        elif cfg["cell"] == "lstm":
            z = xt @ kernel + h @ recurrent + (bias if bias is not None else 0)
            zi, zf, zc, zo = np.split(z, 4, axis=1)
            c = ract(zf) * states[1] + ract(zi) * act(zc)
            new = [ract(zo) * act(c), c]
        elif cfg["cell"] == "gru":  # reset_after: bias rows are input and recurrent biases
            xz, xr, xh = np.split(xt @ kernel + (bias[0] if bias is not None else 0), 3, axis=1)
            iz, ir, ih = np.split(h @ recurrent + (bias[1] if bias is not None else 0), 3, axis=1)
            zg, r = ract(xz + iz), ract(xr + ir)
            new = [zg * h + (1 - zg) * act(xh + r * ih)]
        else:  # GRU reset_after=False
            xz, xr, xh = np.split(xt @ kernel + (bias if bias is not None else 0), 3, axis=1)
            inner = h @ recurrent[:, :2 * U]
            zg, r = ract(xz + inner[:, :U]), ract(xr + inner[:, U:])
            new = [zg * h + (1 - zg) * act(xh + (r * h) @ recurrent[:, 2 * U:])]
        out = new[0]
        if m is not None:
            valid = m[:, t][:, None]
            out = np.where(valid, out, 0 if cfg["zero_output_for_mask"] else previous)
            new = [np.where(valid, n, o) for n, o in zip(new, states)]
        states, previous = new, out
        outputs.append(out)
    seq = np.stack(outputs, 1)
    result = {"outputs": seq.transpose(1, 0, 2) if cfg["time_major"] else seq, "last_output": outputs[-1]}
    for i, state in enumerate(states):
        result[f"state_{i}"] = state
    return result


# --------------------------------------------------------------------------------------------------------------------
# Comparison


def scaled_error(got, ref):
    """max |got - ref| / max(1, |ref|), with equal non-finite values (inf == inf, NaN vs NaN) counting as equal."""
    if got.shape != ref.shape:
        return float("inf"), f"shape {got.shape} vs Keras {ref.shape}"
    if got.size == 0:
        return 0.0, ""
    g, r = got.astype(np.float64), ref.astype(np.float64)
    same = (g == r) | (np.isnan(g) & np.isnan(r))
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(g - r) / np.maximum(1.0, np.abs(r))
    err = np.where(same, 0.0, err)
    err = np.where(np.isnan(err), np.inf, err)
    worst = float(err.max())
    where = np.unravel_index(int(err.argmax()), err.shape)
    return worst, f"at {tuple(int(i) for i in where)}: engine {got[where]!r} keras {ref[where]!r}"


def describe(cfg):
    keys = ["cell", "B", "T", "I", "U", "use_bias", "activation", "recurrent_activation", "go_backwards", "time_major",
            "zero_output_for_mask", "mask", "mask_format", "initial_states", "input_scale", "weight_gain",
            "big_weights", "tame", "inputs_float64", "weights_float64", "drive", "threads", "no_pin", "output",
            "rerun_threads", "poison_masked", "profile", "init"]
    return " ".join(f"{k}={cfg.get(k)}" for k in keys)


def short(cfg):
    cell = {"lstm": "LSTM", "gru": "GRU(ra)", "gru_v1": "GRU(rb)", "simple": "SRNN"}[cfg["cell"]]
    flags = "".join(c for c, on in (("b", cfg["go_backwards"]), ("t", cfg["time_major"]),
                                    ("z", cfg["zero_output_for_mask"])) if on)
    return (f"{cell} B{cfg['B']} T{cfg['T']} I{cfg['I']} U{cfg['U']} {'bias' if cfg['use_bias'] else 'nobias'} "
            f"{cfg['activation']}/{cfg['recurrent_activation'] or '-'} mask={cfg['mask']}"
            f"{'' if cfg.get('poison_masked', 'no') == 'no' or cfg['mask'] == 'none' else '+' + cfg['poison_masked']} "
            f"{flags or '-'} "
            f"thr={cfg['threads']}{' init=keras' if cfg.get('init') == 'keras' else ''}")


def run_case(cfg, binary, keras, workdir, keep_dir, tol):
    """Runs one case. Returns a dict whose status is
    'pass'      every array within tol of Keras (and bitwise identical across thread counts when re-run);
    'rounding'  beyond tol, but the case is ill-conditioned in float32 and the difference is rounding-level. The
                "spread" is the larger of: how far Keras float32 moves when every weight moves by one ulp, and how far
                a plain numpy float32 implementation (numpy_reference, whose float64 twin matches Keras float64 to
                1e-7) is from Keras float32. Rounding when Keras float32 is more than tol/2 from Keras float64 or the
                spread exceeds tol/2, and either the engine is no further from float64 than 4 × max(tol, Keras's
                own error) or its difference from Keras is at most 2 × the spread;
    'degenerate' Keras's float32 or float64 result holds inf/NaN (the recurrence overflowed), or Keras float32 is
                more than CHAOTIC from float64 (chaotic: float32 rounding decides the result): values are not judged,
                only that the CLI succeeds and is bitwise identical across thread counts;
    'fail'      anything else (including CLI errors and thread-count differences);
    'keras_error' when Keras refuses the case (not counted)."""
    case = make_case(cfg)
    n_states = 2 if cfg["cell"] == "lstm" else 1
    d = os.path.join(workdir, f"case_{cfg['index']:05d}")
    os.makedirs(d)
    args, out = write_case_files(cfg, case, d)
    res = {"index": cfg["index"], "cfg": cfg, "errors": {}, "problems": [], "notes": [], "diag": []}
    try:
        ref = keras.run(cfg, case)
        ref64 = keras.run(cfg, case, dtype="float64")
    except Exception as e:  # noqa: BLE001 — Keras refusing a case is reported, not fatal
        res.update(status="keras_error", detail=f"{type(e).__name__}: {e}")
        shutil.rmtree(d, ignore_errors=True)
        return res
    res["notes"] += ref.pop("_notes", [])
    ref64.pop("_notes", None)
    # Keras float32's own distance from float64: the case's conditioning.
    res["noise"] = max(scaled_error(ref[n].astype(np.float64), ref64[n])[0] for n in ref)
    degenerate = (res["noise"] > CHAOTIC
                  or not all(np.isfinite(a).all() for a in list(ref.values()) + list(ref64.values())))
    rc, err, secs = run_cli(binary, args, d)
    res["cli_seconds"] = secs
    hard = []   # problems that rounding cannot explain
    soft = []   # tolerance exceedances
    spread = None
    if rc != 0:
        hard.append(f"CLI exit {rc}: {err}")
    else:
        got = read_result(os.path.join(d, out), n_states)
        for name in ref:
            e, where = scaled_error(got[name], ref[name])
            res["errors"][name] = e
            if e <= tol or (degenerate and got[name].shape == ref[name].shape):
                continue
            e64, _ = scaled_error(got[name].astype(np.float64), ref64[name])
            k64, _ = scaled_error(ref[name].astype(np.float64), ref64[name])
            line = f"{name}: scaled error {e:.3g} {where}"
            if got[name].shape != ref[name].shape:
                hard.append(line)
                continue
            if spread is None:
                spread = res["ulp_spread"] = keras.ulp_spread(cfg, case, ref)
                # A second float32 implementation (numpy), trusted only when its float64 twin matches Keras float64.
                with np.errstate(all="ignore"):
                    n64 = numpy_reference(cfg, case, np.float64)
                    n32 = numpy_reference(cfg, case, np.float32)
                if max(scaled_error(n64[n], ref64[n])[0] for n in ref) <= 1e-7:
                    res["numpy_spread"] = max(scaled_error(n32[n], ref[n])[0] for n in ref)
                    spread = max(spread, res["numpy_spread"])
                else:
                    res["notes"].append("numpy float64 reference disagrees with Keras float64")
            res["diag"].append(f"{name}: keras32-vs-f64 {k64:.3g}, engine-vs-f64 {e64:.3g}, "
                               f"keras-1ulp-spread {res['ulp_spread']:.3g}, numpy32-vs-keras32 "
                               f"{res.get('numpy_spread', float('nan')):.3g}")
            if max(res["noise"], spread) > tol / 2 and (e64 <= 4 * max(tol, k64) or e <= 2 * spread):
                soft.append(line)
            else:
                hard.append(line)
        res["max_error"] = max(res["errors"].values()) if res["errors"] else None
        if cfg["rerun_threads"] != "skip":
            args2 = list(args)
            i = args2.index("--output")
            args2[i + 1] = "engine_rerun.npz"
            if "--threads" in args2:
                j = args2.index("--threads")
                del args2[j:j + 2]
                i -= 2
            if cfg["rerun_threads"] is not None:
                args2[i:i] = ["--threads", str(cfg["rerun_threads"])]
            elif "--no-pin" in args2:  # automatic execution always pins: --no-pin alone is a usage error
                args2.remove("--no-pin")
            rc2, err2, _ = run_cli(binary, args2, d)
            if rc2 != 0:
                hard.append(f"re-run with --threads {cfg['rerun_threads']}: CLI exit {rc2}: {err2}")
            else:
                got2 = read_result(os.path.join(d, "engine_rerun.npz"), n_states)
                for name in got:
                    if got[name].tobytes() != got2[name].tobytes():
                        with np.errstate(invalid="ignore"):
                            diff = float(np.nanmax(np.abs(got[name].astype(np.float64) - got2[name])))
                        hard.append(f"{name}: not bitwise identical between --threads {cfg['threads']} and "
                                    f"--threads {cfg['rerun_threads']} (max |diff| {diff:.3g})")
    res["problems"] = hard + soft
    res["status"] = "fail" if hard else "rounding" if soft else "degenerate" if degenerate else "pass"
    if res["status"] in ("fail", "rounding"):
        dest = os.path.join(keep_dir, f"seed{cfg['seed']}_case{cfg['index']:05d}")
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(d, dest)
        np.savez(os.path.join(dest, "keras.npz"), **ref)
        np.savez(os.path.join(dest, "keras_float64.npz"), **ref64)
        with open(os.path.join(dest, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
        res["kept"] = dest
        res["cli"] = f"cd {shlex.quote(dest)} && {shlex.quote(binary)} {shlex.join(args)}"
        res["repro"] = (f"python3 Scripts/keras_fuzz.py --parallel-rnn {shlex.quote(binary)} --seed {cfg['seed']} "
                        f"--only {cfg['index']} -v"
                        + (f" --poison-masked {cfg['poison_share']}" if cfg.get("poison_share", 0.2) != 0.2 else "")
                        + (f" --profile {cfg['profile']}" if cfg.get("profile", "small") != "small" else "")
                        + (f" --activations {cfg['activations']}" if cfg.get("activations", "api") != "api" else ""))
    shutil.rmtree(d, ignore_errors=True)
    return res


# --------------------------------------------------------------------------------------------------------------------
# Probes: inputs Keras accepts that the CLI may reject


def first_error_line(err):
    lines = [l for l in err.splitlines() if "rror" in l] or err.splitlines() or [""]
    return lines[0].strip()[:240]


# The probes' fixed case: a small LSTM with a prefix mask and random initial states; each probe changes what it tests.
PROBE_BASE = {"index": -1, "seed": 0, "cell": "lstm", "B": 3, "T": 4, "I": 5, "U": 6, "use_bias": True,
              "activation": "tanh", "recurrent_activation": "sigmoid", "go_backwards": False, "time_major": False,
              "zero_output_for_mask": False, "mask": "prefix", "mask_format": "bool", "initial_states": "random",
              "weight_gain": 1.0, "big_weights": False, "input_scale": 1.0, "inputs_float64": False,
              "weights_float64": False, "drive": "flags", "threads": None, "no_pin": False, "output": "npz",
              "rerun_threads": "skip", "data_seed": 7}


def probes(binary, keras, workdir, tol):
    """Small fixed cases; returns report lines."""
    lines = []
    base = dict(PROBE_BASE)

    def attempt(name, cfg, mutate=None, keras_mutate=None):
        case = make_case(cfg)
        d = os.path.join(workdir, "probe_" + name.replace(" ", "_").replace("/", "_"))
        os.makedirs(d)
        args, out = write_case_files(cfg, case, d)
        if mutate:
            mutate(d, case)
        try:
            kcase = dict(case)
            if keras_mutate:
                keras_mutate(kcase)
            ref = keras.run(cfg, kcase)
            ref.pop("_notes", None)
            kmsg = "Keras accepts"
        except Exception as e:  # noqa: BLE001
            ref, kmsg = None, f"Keras rejects ({type(e).__name__}: {str(e).splitlines()[0][:100]})"
        rc, err, _ = run_cli(binary, args, d)
        if rc != 0:
            verdict = f"CLI rejects: {first_error_line(err) or rc}"
        elif ref is None:
            verdict = "CLI accepts"
        else:
            got = read_result(os.path.join(d, out), 2 if cfg["cell"] == "lstm" else 1)
            worst = max(scaled_error(got[n], ref[n])[0] for n in ref)
            verdict = f"CLI accepts, max scaled error {worst:.3g} ({'ok' if worst <= tol else 'MISMATCH'})"
        lines.append(f"  {name}: {kmsg}; {verdict}")
        shutil.rmtree(d, ignore_errors=True)

    def resave(name, transform):
        def mutate(d, case):
            np.save(os.path.join(d, name), transform(np.load(os.path.join(d, name))))
        return mutate

    attempt("float16 inputs", dict(base), mutate=resave("inputs.npy", lambda a: a.astype(np.float16)),
            keras_mutate=lambda c: c.update(x_keras=c["x_keras"].astype(np.float16).astype(np.float32)))
    attempt("Fortran-order inputs (np.save of a transposed view)", dict(base),
            mutate=resave("inputs.npy", np.asfortranarray))
    attempt("big-endian float32 inputs", dict(base), mutate=resave("inputs.npy", lambda a: a.astype(">f4")))
    attempt("big-endian int32 mask", dict(base, mask_format="int32"),
            mutate=resave("mask.npy", lambda a: a.astype(">i4")))
    attempt("float16 mask", dict(base, mask_format="float32"),
            mutate=resave("mask.npy", lambda a: a.astype(np.float16)))
    attempt("B = 0", dict(base, B=0, mask="none", initial_states="none"))
    attempt("B = 0 with mask", dict(base, B=0, mask="random", initial_states="none"))
    for act in MORE_ACTIVATIONS:
        attempt(f"activation={act}", dict(base, activation=act))
        attempt(f"recurrent_activation={act}", dict(base, recurrent_activation=act))
    for act in ("hard_silu", "softmax"):  # names `Activation` does not have (not tf_keras 2.x or not element-wise)
        d = os.path.join(workdir, "probe_act_" + act)
        os.makedirs(d)
        cfg = dict(base)
        case = make_case(cfg)
        args, _ = write_case_files(cfg, case, d)
        i = args.index("--activation")
        args[i + 1] = act
        rc, err, _ = run_cli(binary, args, d)
        lines.append(f"  activation={act}: CLI " + ("accepts" if rc == 0 else f"rejects: {first_error_line(err)}"))
        shutil.rmtree(d, ignore_errors=True)
    return lines


def probe_metadata_time_major(binary, keras, workdir, tol):
    """export_keras_weights.py records time_major in metadata.json; does `run` honour it without --time-major?"""
    cfg = dict(PROBE_BASE, cell="gru", T=5, I=4, time_major=True, mask="none", initial_states="none",
               drive="metadata", data_seed=11)
    case = make_case(cfg)
    d = os.path.join(workdir, "probe_meta_tm")
    os.makedirs(d)
    args, out = write_case_files(cfg, case, d)
    args.remove("--time-major")
    ref = keras.run(cfg, case)
    rc, err, _ = run_cli(binary, args, d)
    if rc != 0:
        line = f"CLI rejects: {err.splitlines()[-1][:200]}"
    else:
        got = read_result(os.path.join(d, out), 1)
        worst = max(scaled_error(got[n], ref[n])[0] for n in ref)
        line = (f"CLI runs it batch-major (metadata time_major ignored; outputs shape {got['outputs'].shape} vs "
                f"Keras {ref['outputs'].shape}, max scaled error {worst:.3g})" if worst > tol else "CLI honours it")
    shutil.rmtree(d, ignore_errors=True)
    return f"  metadata.json time_major=true (as export_keras_weights.py writes it) without --time-major: {line}"


# --------------------------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parallel-rnn", required=True, help="the parallel-rnn executable")
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", type=int, default=0, help="first case index (default 0)")
    parser.add_argument("--only", type=int, action="append", help="run only this case index (repeatable)")
    parser.add_argument("--tol", type=float, default=1e-5)
    parser.add_argument("--poison-masked", type=float, default=0.2,
                        help="share of masked cases whose masked steps' inputs are NaN/±inf (0: the cases of versions "
                             "before 2026-11-27's nineteenth round, bit for bit)")
    parser.add_argument("--profile", choices=["small", "workload"], default="small",
                        help="shapes: small (default; see above) or workload (the benchmarks' sizes, Keras's default "
                             "initializers in two cases of three; slower)")
    parser.add_argument("--activations", choices=["api", "all"], default="api",
                        help="api: the API file's five activations (earlier seeds' cases); all: also tf_keras's "
                             "other element-wise ones in about half of the cases")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 on rounding-level exceedances of ill-conditioned cases too")
    parser.add_argument("--keep-dir", default=None, help="where failing cases are kept (default: a new temp dir)")
    parser.add_argument("--time-limit", type=float, default=None, help="stop starting new cases after N seconds")
    parser.add_argument("--probes", action=argparse.BooleanOptionalAction, default=True,
                        help="also probe inputs Keras accepts that the CLI may reject (default on)")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per case")
    args = parser.parse_args()
    binary = os.path.abspath(args.parallel_rnn)
    if not os.access(binary, os.X_OK):
        sys.exit(f"error: {args.parallel_rnn} is not an executable")
    keras = Keras()
    import tf_keras
    print(f"tf_keras {tf_keras.__version__}, tensorflow {keras.tf.__version__}; engine {binary}; tol {args.tol}",
          flush=True)
    keep_dir = args.keep_dir or tempfile.mkdtemp(prefix="keras_fuzz_failures_")
    os.makedirs(keep_dir, exist_ok=True)
    indices = args.only if args.only else list(range(args.start, args.start + args.cases))
    t_start = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="keras_fuzz_") as workdir:
        for n, index in enumerate(indices):
            if args.time_limit and time.perf_counter() - t_start > args.time_limit:
                print(f"time limit reached after {n} cases", flush=True)
                break
            cfg = draw_config(args.seed, index, args.poison_masked, args.profile, args.activations)
            r = run_case(cfg, binary, keras, workdir, keep_dir, args.tol)
            results.append(r)
            if args.verbose or r["status"] != "pass":
                err = r.get("max_error")
                noise = r.get("noise")
                print(f"[{index:5d}] {r['status'].upper():8s} max_err={'-' if err is None else f'{err:.2e}'} "
                      f"(keras f32 vs f64 {'-' if noise is None else f'{noise:.1e}'}) {short(cfg)}", flush=True)
            if args.verbose:
                for note in r["notes"]:
                    print(f"        note: {note}")
            if r["status"] == "rounding" and not args.verbose:
                print(f"        {r['problems'][0]}; float64 check: {r['diag'][0].split(': ', 1)[1]}; "
                      f"kept: {r['kept']}", flush=True)
            elif r["status"] in ("fail", "rounding"):
                print(f"        config: {describe(cfg)}")
                for p in r["problems"]:
                    print(f"        {p}")
                for p in r["diag"]:
                    print(f"        float64 check: {p}")
                print(f"        kept: {r['kept']}\n        cli:  {r['cli']}\n        repro: {r['repro']}", flush=True)
            elif r["status"] == "keras_error":
                print(f"        {r['detail']}", flush=True)
            if not args.verbose and (n + 1) % 50 == 0:
                print(f"... {n + 1} cases, {sum(x['status'] == 'fail' for x in results)} failing, "
                      f"{time.perf_counter() - t_start:.0f}s", flush=True)
        probe_lines = []
        if args.probes and not args.only:
            probe_lines = probes(binary, keras, workdir, args.tol)
            probe_lines.append(probe_metadata_time_major(binary, keras, workdir, args.tol))
    count = lambda status: [r for r in results if r["status"] == status]  # noqa: E731
    failed, rounding = count("fail"), count("rounding")
    print(f"\n{len(results)} cases in {time.perf_counter() - t_start:.0f}s (seed {args.seed}, tol {args.tol}): "
          f"{len(count('pass'))} pass, {len(rounding)} over tol at rounding level (ill-conditioned), "
          f"{len(count('degenerate'))} degenerate (Keras overflowed or is chaotic in float32; not judged), "
          f"{len(failed)} fail, "
          f"{len(count('keras_error'))} rejected by Keras")
    well = [r["max_error"] for r in results
            if r.get("max_error") is not None and r["noise"] <= args.tol / 2 and r["status"] != "degenerate"]
    if well:
        print(f"cases where Keras float32 is within tol/2 of float64 ({len(well)}): max scaled error {max(well):.3g}, "
              f"median {float(np.median(well)):.3g}")
    by_kind = {}
    for r in results:
        k = short(r["cfg"]).split()[0]
        s = by_kind.setdefault(k, [0, 0, 0, 0, 0.0])
        s[0] += 1
        s[1] += r["status"] == "fail"
        s[2] += r["status"] == "rounding"
        s[3] += r["status"] == "degenerate"
        if r.get("max_error") is not None and r["noise"] <= args.tol / 2 and r["status"] != "degenerate":
            s[4] = max(s[4], r["max_error"])
    for k, (n, f, rd, dg, e) in sorted(by_kind.items()):
        print(f"  {k:8s} {n:5d} cases: {f:4d} fail, {rd:4d} rounding, {dg:4d} degenerate; "
              f"max error where Keras f32 is within tol/2 of f64 {e:.3g}")
    if failed or rounding:
        print("failing cases: " + (", ".join(str(r["index"]) for r in failed) or "none")
              + "; rounding-level: " + (", ".join(str(r["index"]) for r in rounding) or "none")
              + f"  (kept under {keep_dir})")
    elif not os.listdir(keep_dir) and not args.keep_dir:
        os.rmdir(keep_dir)
    if probe_lines:
        print("probes (inputs Keras accepts):")
        print("\n".join(probe_lines))
    sys.exit(1 if failed or (args.strict and rounding) else 0)


if __name__ == "__main__":
    main()
