#!/usr/bin/env python3
"""Golden fixtures for ParallelRNN's `rnn` and the Keras cells, computed with tf_keras 2.21.

Install (CPU only, once):
    python3 -m pip install tensorflow-cpu==2.21.0 tf-keras==2.21.0
Run from the repository root:
    python3 Scripts/generate_fixtures.py            # rewrites Tests/ParallelRNNTests/Fixtures/*.json
    python3 Scripts/generate_fixtures.py --only mask_  # only the cases whose name starts with a prefix (no cleanup)

The output is deterministic: every case draws its inputs from numpy's PCG64 seeded with crc32(case name), TF runs on
one intra-op thread, and floats are printed with 9 (float32) or 17 (float64) significant digits.

Reference (Project decision 1): `tf_keras.backend.rnn` on its while_loop path (unroll=False), eager, CPU.
Where a Project decision departs from TF the fixture holds the decided result, and its "derivation" says how it was
computed:
  * unroll=True            -> computed with unroll=False (decision 2; TF's unrolled path has BUG-1/BUG-2/E12).
  * inputLength fixed == T -> TF called with input_length=T (ignored; decision 4).
  * inputLength perSample  -> TF called with the explicit boolean mask "original t < L[b]" (tf.sequence_mask), in both
                              directions (decision 4; corrects QUIRK-3); a mask given too wins, so then TF gets the mask.

JSON schema (one file per case; read by Tests/ParallelRNNTests/FixtureSupport/FixtureLoader.swift):
  tensor = {"shape": [..], "dtype": "float32"|"float64"|"bool", "data": [flat row-major; "nan"/"inf"/"-inf"]}
  nest   = tensor | {"list": [nest, ...]} | {"dict": {"key": nest, ...}}
  case   = {"name", "description", "derivation", "dtype", "step": catalog name or "cell",
            "params": {"name": tensor}, "flat": bool, "inputs": nest, "initialStates": [nest], "constants": [nest],
            "mask": tensor|null, "maskIsNumeric": bool, "goBackwards", "timeMajor", "zeroOutputForMask",
            "returnAllOutputs", "unroll": bool, "inputLength": null|{"fixed": n}|{"perSample": [..]},
            "expected": {"lastOutput": nest, "outputs": nest, "newStates": [nest]}, "stepCalls": T,
            "cell": only for step "cell" (see fixture_cells.py)}
Step functions are in Scripts/fixture_steps.py (TF) and StepCatalog.swift (Swift).
"""

import argparse
import os
import sys
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.threading.set_inter_op_parallelism_threads(1)

from tf_keras import backend as K  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture_json as fj  # noqa: E402
from fixture_steps import CATALOG  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "Tests", "ParallelRNNTests", "Fixtures")
NP = {"float32": np.float32, "float64": np.float64}
WHILE = "tf_keras 2.21.0 backend.rnn, while_loop path (unroll=False), eager, CPU, 1 intra-op thread"


def rng_for(name):
    return np.random.default_rng(zlib.crc32(name.encode()))


# ---------------------------------------------------------------------------------------------------------------------
# Nest helpers (python nests: list / dict / np.ndarray)

def nmap(f, x):
    if isinstance(x, (list, tuple)):
        return [nmap(f, v) for v in x]
    if isinstance(x, dict):
        return {k: nmap(f, v) for k, v in x.items()}
    return f(x)


def leaves(x):
    if isinstance(x, (list, tuple)):
        return [l for v in x for l in leaves(v)]
    if isinstance(x, dict):
        return [l for k in sorted(x) for l in leaves(x[k])]
    return [x]


def swap01(a):
    return np.swapaxes(a, 0, 1)


# ---------------------------------------------------------------------------------------------------------------------
# Masks

def row_pattern(kind, T):
    """One mask row of length T: full, trail (post-padding), lead (pre-padding), inner (holes), none, or a 0/1 string."""
    k = max(1, (T * 3) // 5)
    if kind == "full":
        return [1] * T
    if kind == "none":
        return [0] * T
    if kind == "trail":
        return [1] * k + [0] * (T - k)
    if kind == "lead":
        return [0] * (T - k) + [1] * k
    if kind == "inner":
        return [1 if (t == 0 or t == T - 1 or t % 3 == 1) else 0 for t in range(T)]
    assert len(kind) == T, kind
    return [int(c) for c in kind]


def pattern_mask(kinds, T):
    return np.array([row_pattern(k, T) for k in kinds], dtype=bool)


MIXED = ["full", "trail", "lead", "inner", "none"]  # B = 5: every padding form in one batch


# ---------------------------------------------------------------------------------------------------------------------
# Default parameters, inputs and states per catalog step

def normal(rng, shape, scale, dtype):
    return (rng.standard_normal(shape) * scale).astype(NP[dtype])


def make_default(step, rng, dtype, B, T, d):
    """(params, inputs (batch-major), initial_states, constants) for a catalog step with dims d."""
    I, U, O, V = d.get("I", 3), d.get("U", 5), d.get("O", 2), d.get("V", 4)
    w = lambda *s: normal(rng, s, 0.9 / np.sqrt(s[0]), dtype)  # noqa: E731
    st = lambda *s: normal(rng, s, 0.5, dtype)  # noqa: E731
    x = lambda *s: normal(rng, s, 1.0, dtype)  # noqa: E731
    if step == "tanh_rnn":
        return {"W": w(I, U), "R": w(U, U)}, x(B, T, I), [st(B, U)], []
    if step == "tanh_rnn_proj":
        return {"W": w(I, U), "R": w(U, U), "P": w(U, O)}, x(B, T, I), [st(B, U)], []
    if step == "two_state":
        p = {"Wh": w(I, U), "Rh": w(U, U), "Ch": w(V, U), "Wc": w(I, V), "Hc": w(U, V), "P": w(U, O)}
        return p, x(B, T, I), [st(B, U), st(B, V)], []
    if step == "no_state":
        return {"W": w(I, U)}, x(B, T, I), [], []
    if step == "accumulate":
        return {}, x(B, T, I), [st(B, I)], []
    if step == "const_matrix":
        assert U != B, "a (U,U) constant must not look batch-aligned"
        return {"W": w(I, U)}, x(B, T, I), [st(B, U)], [w(U, U)]
    if step == "const_bias":
        shared = d.get("shared", False)
        c = st(1, U) if shared else st(B, U)
        return {"W": w(I, U), "R": w(U, U)}, x(B, T, I), [st(B, U)], [c]
    if step == "const_memory":
        S, D = d.get("S", 3), d.get("D", 2)
        scale = np.array([[0.75]], dtype=NP[dtype])
        return ({"W": w(I, U), "R": w(U, U), "V": w(D, U)}, x(B, T, I), [st(B, U)], [st(B, S, D), scale])
    if step == "nan_pad":
        return {"W": w(I, U), "R": w(U, U)}, x(B, T, I), [st(B, U)], []
    if step == "rank4":
        H, Wd = d.get("H", 3), d.get("Wd", 2)
        return {"W": w(Wd, U), "R": w(U, U)}, x(B, T, H, Wd), [st(B, H, U), st(B, U)], []
    if step in ("nested", "nested_const"):
        J, Kd = d.get("J", 2), d.get("K", 3)
        p = {"Wx": w(I, U), "Wa": w(J, U), "R": w(U, U), "Ch": w(V, U), "Wd": w(Kd, V), "Hc": w(U, V)}
        inputs = {"seq": x(B, T, I), "aux": [x(B, T, J), {"deep": x(B, T, Kd)}]}
        states = [st(B, U), {"zc": st(B, V), "ab": [st(B, U)]}]
        consts = [{"mem": st(B, U), "bias": st(1, U)}] if step == "nested_const" else []
        return p, inputs, states, consts
    raise KeyError(step)


# ---------------------------------------------------------------------------------------------------------------------
# Running TF and writing a case

def to_tf(x):
    return nmap(lambda a: tf.constant(a), x)


def to_np(x):
    if isinstance(x, (list, tuple)):
        return [to_np(v) for v in x]
    if isinstance(x, dict):
        return {k: to_np(x[k]) for k in x}
    return x.numpy()


def call_rnn(step_name, params, inputs, states, consts, mask, **kw):
    step = CATALOG[step_name]({k: tf.constant(v) for k, v in params.items()})
    last, outs, new = K.rnn(step, to_tf(inputs), [to_tf(s) for s in states],
                            mask=None if mask is None else tf.constant(mask),
                            constants=[to_tf(c) for c in consts] or None, **kw)
    return to_np(last), to_np(outs), [to_np(s) for s in new]


def max_abs_diff(a, b):
    la, lb = leaves(a), leaves(b)
    assert len(la) == len(lb)
    worst = 0.0
    for x, y in zip(la, lb):
        assert x.shape == y.shape, (x.shape, y.shape)
        if x.size:
            same_nan = np.isnan(x) & np.isnan(y)
            d = np.where(same_nan, 0.0, np.abs(x.astype(np.float64) - y.astype(np.float64)))
            worst = max(worst, float(np.nanmax(np.where(np.isnan(d), np.inf, d))))
    return worst


def build_case(name, description, step="tanh_rnn", dtype="float32", B=4, T=6, dims=None, mask=None,
               mask_numeric=None, mask_trailing_one=False, go_backwards=False, time_major=False, zero_output=False,
               return_all=True, unroll=False, input_length=None, tweak=None):
    """Builds one case. `mask` is a (B,T) bool pattern (batch-major); `mask_numeric` a (B,T) float array.
    `tweak(inputs, mask_bt, rng)` may edit the batch-major inputs (e.g. put NaN at padding)."""
    rng = rng_for(name)
    params, inputs, states, consts = make_default(step, rng, dtype, B, T, dims or {})
    mask_bt = None
    if mask_numeric is not None:
        mask_bt = np.asarray(mask_numeric)
    elif mask is not None:
        mask_bt = np.asarray(mask, dtype=bool)
    if tweak is not None:
        inputs = tweak(inputs, mask_bt if mask_bt is not None else lengths_mask(input_length, B, T), rng)

    # Layouts as the caller passes them.
    inputs_call = nmap(swap01, inputs) if time_major else inputs
    mask_call = None
    if mask_bt is not None:
        mask_call = swap01(mask_bt) if time_major else mask_bt
        if mask_trailing_one:
            mask_call = mask_call[..., None]

    # What TF is called with.
    derivation = [WHILE]
    tf_mask = mask_call
    tf_input_length = None
    if isinstance(input_length, dict) and "fixed" in input_length:
        assert input_length["fixed"] == T
        tf_input_length = T
        derivation.append("inputLength fixed == T: TF called with input_length=T, which it ignores (Project decision 4)")
    if isinstance(input_length, dict) and "perSample" in input_length:
        if mask_call is None:
            lm = lengths_mask(input_length, B, T)
            tf_mask = swap01(lm) if time_major else lm
            derivation.append("inputLength perSample (Project decision 4): TF called with the explicit boolean mask "
                              "valid iff original t < L[b] (tf.sequence_mask), in both directions; TF's own tensor "
                              "input_length differs for go_backwards when max(L) < T (QUIRK-3)")
        else:
            derivation.append("inputLength perSample together with a mask: the mask wins (as in TF); TF called "
                              "with the mask only")
    kw = dict(go_backwards=go_backwards, time_major=time_major, zero_output_for_mask=zero_output,
              return_all_outputs=return_all, input_length=tf_input_length)
    last, outs, new = call_rnn(step, params, inputs_call, states, consts, tf_mask, unroll=False, **kw)

    if unroll:
        nested = not isinstance(inputs, np.ndarray)
        bug1 = tf_mask is not None and go_backwards and zero_output
        bug2 = tf_mask is not None and zero_output and not return_all
        note = "unroll=True: computed with unroll=False (Project decision 2: unroll gives the while path's results)"
        if nested:
            note += "; TF's unrolled path rejects dict/deep inputs (E12/QUIRK-8)"
        elif bug2:
            note += "; TF's unrolled path raises here (BUG-2)"
        elif bug1:
            u = call_rnn(step, params, inputs_call, states, consts, tf_mask, unroll=True, **kw)
            note += "; TF's unrolled path differs here (BUG-1: outputs max |diff| %.3g)" % max_abs_diff(u[1], outs)
        else:
            u = call_rnn(step, params, inputs_call, states, consts, tf_mask, unroll=True, **kw)
            diff = max(max_abs_diff(u[0], last), max_abs_diff(u[1], outs), max_abs_diff(u[2], new))
            assert diff < 1e-5, (name, diff)
            note += "; cross-checked: TF's unrolled path agrees (max |diff| %.3g)" % diff
        derivation.append(note)

    flat = isinstance(inputs, np.ndarray) and all(isinstance(s, np.ndarray) for s in states + consts) \
        and isinstance(last, np.ndarray)
    mask_json = None
    if mask_call is not None:
        mask_json = fj.tensor(mask_call, "bool" if mask_call.dtype == bool else dtype)
    return {
        "name": name,
        "description": description,
        "derivation": "; ".join(derivation),
        "dtype": dtype,
        "step": step,
        "params": {k: fj.tensor(v, dtype) for k, v in params.items()},
        "flat": bool(flat),
        "inputs": fj.nest(inputs_call, dtype),
        "initialStates": [fj.nest(s, dtype) for s in states],
        "constants": [fj.nest(c, dtype) for c in consts],
        "mask": mask_json,
        "maskIsNumeric": mask_call is not None and mask_call.dtype != bool,
        "goBackwards": go_backwards,
        "timeMajor": time_major,
        "zeroOutputForMask": zero_output,
        "returnAllOutputs": return_all,
        "unroll": unroll,
        "inputLength": input_length,
        "expected": {"lastOutput": fj.nest(last, dtype), "outputs": fj.nest(outs, dtype),
                     "newStates": [fj.nest(s, dtype) for s in new]},
        "stepCalls": T,
    }


def lengths_mask(input_length, B, T):
    if isinstance(input_length, dict) and "perSample" in input_length:
        L = np.array(input_length["perSample"])
        return np.arange(T)[None, :] < L[:, None]
    return None


# ---------------------------------------------------------------------------------------------------------------------
# Input tweaks

def pad_with(values):
    """Puts the given values (cycled) into every element of the input at masked positions."""
    def tweak(inputs, mask_bt, rng):
        x = inputs.copy()
        vals = np.array(values, dtype=x.dtype)
        idx = np.argwhere(~mask_bt.astype(bool))
        for n, (b, t) in enumerate(idx):
            x[b, t] = vals[n % len(vals)]
        return x
    return tweak


def away_from_zero(then=None):
    """Valid inputs get magnitude >= 0.5 (keeps 1/sum(x*x) small); then applies `then`."""
    def tweak(inputs, mask_bt, rng):
        x = np.where(inputs >= 0, inputs + 0.5, inputs - 0.5).astype(inputs.dtype)
        return then(x, mask_bt, rng) if then else x
    return tweak


# ---------------------------------------------------------------------------------------------------------------------
# The cases

def cases():
    C = []
    add = lambda *a, **k: C.append((a, k))  # noqa: E731
    mixed = pattern_mask(MIXED, 7)

    # --- basic flags, no mask (tanh_rnn, B=4, T=6) ---
    add("basic_forward", "tanh RNN, no mask, all defaults")
    add("basic_go_backwards", "go_backwards: outputs in processing (reversed) order", go_backwards=True)
    add("basic_time_major", "time_major inputs (T,B,I) and outputs (T,B,U)", time_major=True)
    add("basic_time_major_go_backwards", "time_major + go_backwards", time_major=True, go_backwards=True)
    add("basic_last_only", "return_all_outputs=False: outputs (B,1,U) == last_output", return_all=False)
    add("basic_last_only_backwards_time_major", "return_all_outputs=False + go_backwards + time_major: outputs (1,B,U)",
        return_all=False, go_backwards=True, time_major=True)
    add("basic_zero_output_no_mask", "zero_output_for_mask without a mask has no effect", zero_output=True)
    add("basic_unroll", "unroll=True, no mask", unroll=True)
    add("basic_unroll_backwards", "unroll=True + go_backwards, no mask", unroll=True, go_backwards=True)
    add("basic_input_length_fixed", "inputLength .fixed(T) is ignored", input_length={"fixed": 6})
    add("basic_proj_output_width", "output width O=2 differs from state width U=5", step="tanh_rnn_proj")

    # --- mask (B,T) bool, all go_backwards x zero_output x return_all combinations (B=5 mixed padding, T=7) ---
    for gb in (False, True):
        for z in (False, True):
            for ra in (True, False):
                add("mask_gb%d_z%d_all%d" % (gb, z, ra),
                    "mask (B,T) with full/trailing/leading/interior/fully-masked rows; go_backwards=%s, "
                    "zero_output_for_mask=%s, return_all_outputs=%s" % (gb, z, ra),
                    step="tanh_rnn_proj", B=5, T=7, mask=mixed, go_backwards=gb, zero_output=z, return_all=ra)
    add("mask_bt1_forward", "mask (B,T,1)", step="tanh_rnn_proj", B=5, T=7, mask=mixed, mask_trailing_one=True)
    add("mask_bt1_backwards_zero", "mask (B,T,1) + go_backwards + zero_output_for_mask", step="tanh_rnn_proj", B=5,
        T=7, mask=mixed, mask_trailing_one=True, go_backwards=True, zero_output=True)
    add("mask_time_major_tb", "time_major with mask (T,B)", step="tanh_rnn_proj", B=5, T=7, mask=mixed,
        time_major=True)
    add("mask_time_major_tb_backwards_zero", "time_major mask (T,B) + go_backwards + zero_output_for_mask",
        step="tanh_rnn_proj", B=5, T=7, mask=mixed, time_major=True, go_backwards=True, zero_output=True)
    add("mask_time_major_tb1", "time_major with mask (T,B,1)", step="tanh_rnn_proj", B=5, T=7, mask=mixed,
        time_major=True, mask_trailing_one=True)
    add("mask_time_major_tb1_backwards_zero_last", "time_major mask (T,B,1) + go_backwards + zero_output + last only",
        step="tanh_rnn_proj", B=5, T=7, mask=mixed, time_major=True, mask_trailing_one=True, go_backwards=True,
        zero_output=True, return_all=False)
    numeric = np.array([[1, 0.5, -2, 1e-30, np.nan, np.inf, -np.inf],
                        [0, -0.0, 1, 0, 3, 0, -0.0],
                        [np.nan, 0, 0, np.inf, 0, 2, 0],
                        [-0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0],
                        [1e-30, -1e-30, 0.25, -np.inf, 0, 7, 1]], dtype=np.float32)
    add("mask_numeric_f32", "numeric float32 mask with NaN, +-inf, -0, 0, tiny values (cast as TF: non-zero valid)",
        step="tanh_rnn_proj", B=5, T=7, mask_numeric=numeric)
    add("mask_numeric_f32_backwards_zero", "numeric float32 mask + go_backwards + zero_output_for_mask",
        step="tanh_rnn_proj", B=5, T=7, mask_numeric=numeric, go_backwards=True, zero_output=True)
    add("mask_numeric_f64_time_major_bt1", "numeric float64 mask (T,B,1), float64 step, time_major",
        step="tanh_rnn_proj", dtype="float64", B=5, T=7, mask_numeric=numeric.astype(np.float64), time_major=True,
        mask_trailing_one=True)
    # Subnormals: TF's CPU cast treats them as zero (its kernels run with denormals-are-zero), so they mask.
    subnormal = np.array([[1, 1e-40, -1e-40, 1, 1.4e-45],
                          [1e-40, 1, -1.4e-45, 1e-38, 0],
                          [1.2e-38, 5e-39, 1, -1e-40, 1]], dtype=np.float32)
    add("mask_numeric_subnormal_f32", "numeric float32 mask with subnormals (masked, as TF's CPU cast treats them as 0)",
        step="tanh_rnn_proj", B=3, T=5, mask_numeric=subnormal)
    subnormal64 = np.array([[1, 1e-310, -5e-324, 1, 1e-300],
                            [2.2e-308, 1, 1e-320, -1e-310, 1]], dtype=np.float64)
    add("mask_numeric_subnormal_f64", "numeric float64 mask with subnormals, float64 step, zero_output_for_mask",
        step="tanh_rnn_proj", dtype="float64", B=2, T=5, mask_numeric=subnormal64, zero_output=True)
    add("mask_all_masked_forward", "every step of every row masked: zeros outputs, initial states back",
        B=3, T=5, mask=pattern_mask(["none"] * 3, 5))
    add("mask_all_masked_backwards_zero", "fully masked + go_backwards + zero_output_for_mask",
        B=3, T=5, mask=pattern_mask(["none"] * 3, 5), go_backwards=True, zero_output=True)
    add("mask_all_valid", "a mask that is all true equals no mask", B=3, T=5, mask=pattern_mask(["full"] * 3, 5))
    add("mask_leading_only_backwards_zero", "leading padding only; go_backwards + zero_output zeroes last_output",
        B=3, T=6, mask=pattern_mask(["lead", "001111", "000001"], 6), go_backwards=True, zero_output=True)
    add("mask_trailing_only_zero", "trailing padding only; zero_output zeroes last_output", B=3, T=6,
        mask=pattern_mask(["trail", "111110", "100000"], 6), zero_output=True)
    add("mask_interior_only", "interior holes only", B=3, T=6, mask=pattern_mask(["101101", "110011", "100001"], 6))
    add("mask_interior_only_backwards", "interior holes only, go_backwards", B=3, T=6,
        mask=pattern_mask(["101101", "110011", "100001"], 6), go_backwards=True)
    for gb in (False, True):
        for z in (False, True):
            add("mask_unroll_gb%d_z%d" % (gb, z), "unroll=True with mask, go_backwards=%s, zero_output=%s "
                "(decided: same as while path)" % (gb, z), step="tanh_rnn_proj", B=5, T=7, mask=mixed,
                unroll=True, go_backwards=gb, zero_output=z)
    add("mask_unroll_z1_last_only", "unroll=True + mask + zero_output + return_all_outputs=False (TF: BUG-2 raises)",
        step="tanh_rnn_proj", B=5, T=7, mask=mixed, unroll=True, zero_output=True, return_all=False)

    # --- NaN / inf produced by the step only at masked positions (selection, not blending) ---
    add("nan_pad_forward", "step makes NaN/inf/-inf at zero-padded masked positions; never leaks", step="nan_pad",
        B=5, T=7, mask=mixed, tweak=away_from_zero(pad_with([0.0])))
    add("nan_pad_zero_output", "NaN/inf at masked positions + zero_output_for_mask", step="nan_pad", B=5, T=7,
        mask=mixed, zero_output=True, tweak=away_from_zero(pad_with([0.0])))
    add("nan_pad_backwards_time_major", "NaN/inf at masked positions + go_backwards + time_major", step="nan_pad",
        B=5, T=7, mask=mixed, go_backwards=True, time_major=True, tweak=away_from_zero(pad_with([0.0])))
    add("nan_pad_f64_backwards_zero", "float64 NaN/inf at masked positions + go_backwards + zero_output",
        step="nan_pad", dtype="float64", B=5, T=7, mask=mixed, go_backwards=True, zero_output=True,
        tweak=away_from_zero(pad_with([0.0])))
    add("nan_inputs_at_padding", "inputs hold NaN/inf/-inf at masked positions (tanh RNN)", step="tanh_rnn_proj",
        B=5, T=7, mask=mixed, tweak=pad_with([np.nan, np.inf, -np.inf]))
    add("nan_inputs_at_padding_backwards_zero_last", "NaN/inf inputs at padding + go_backwards + zero_output + last only",
        step="tanh_rnn_proj", B=5, T=7, mask=mixed, go_backwards=True, zero_output=True, return_all=False,
        tweak=pad_with([np.nan, np.inf, -np.inf]))
    add("nan_pad_input_length", "NaN/inf at positions masked by per-sample lengths", step="nan_pad", B=4, T=6,
        input_length={"perSample": [6, 3, 0, 1]}, tweak=away_from_zero(pad_with([0.0])))

    # --- constants ---
    add("const_matrix_forward", "constant (U,U) matrix (not batch-aligned, passed whole to every shard)",
        step="const_matrix", B=5, T=6, dims={"U": 3})
    add("const_matrix_mask_backwards", "constant (U,U) matrix + mask + go_backwards", step="const_matrix", B=5, T=7,
        dims={"U": 3}, mask=mixed, go_backwards=True)
    add("const_batch_forward", "batch-aligned constant (B,U) (sliced per shard)", step="const_bias", B=5, T=6)
    add("const_batch_mask_zero_time_major", "batch-aligned constant (B,U) + mask + zero_output + time_major "
        "(constants keep batch-major)", step="const_bias", B=5, T=7, mask=mixed, zero_output=True, time_major=True)
    add("const_shared_row", "shared (1,U) constant broadcast over the batch", step="const_bias", B=5, T=6,
        dims={"shared": True})
    add("const_shared_row_mask_last_only", "shared (1,U) constant + mask + return_all_outputs=False",
        step="const_bias", B=5, T=7, dims={"shared": True}, mask=mixed, return_all=False)
    add("const_memory_forward", "batch-aligned rank-3 memory (B,S,D) + shared (1,1) scale", step="const_memory",
        B=5, T=6)
    add("const_memory_mask_backwards_zero", "memory constants + mask + go_backwards + zero_output",
        step="const_memory", B=5, T=7, mask=mixed, go_backwards=True, zero_output=True)

    # --- nested inputs / states / outputs (dict key order: "seq" written before "aux", sorted order aux < seq) ---
    add("nested_forward", "nested dict/list inputs, states and outputs (depth 3)", step="nested", B=4, T=5)
    add("nested_mask_backwards_zero", "nested + mask + go_backwards + zero_output", step="nested", B=5, T=7,
        mask=mixed, go_backwards=True, zero_output=True)
    add("nested_mask_forward", "nested + mask", step="nested", B=5, T=7, mask=mixed)
    add("nested_time_major_mask_tb1", "nested + time_major + mask (T,B,1)", step="nested", B=5, T=7, mask=mixed,
        time_major=True, mask_trailing_one=True)
    add("nested_last_only_mask", "nested + mask + return_all_outputs=False", step="nested", B=5, T=7, mask=mixed,
        return_all=False)
    add("nested_f64_backwards", "nested float64 + go_backwards", step="nested", dtype="float64", B=3, T=5,
        go_backwards=True)
    add("nested_const_mask", "nested constants [{mem (B,U) batch-aligned, bias (1,U) shared}] + mask",
        step="nested_const", B=5, T=7, mask=mixed)
    add("nested_unroll_mask", "nested + unroll=True + mask (decided: same as while path)", step="nested", B=5, T=7,
        mask=mixed, unroll=True)
    add("nested_input_length_per_sample_backwards", "nested + perSample lengths + go_backwards", step="nested",
        B=4, T=6, input_length={"perSample": [6, 2, 0, 4]}, go_backwards=True)

    # --- rank-4 inputs, rank-3 states / outputs ---
    add("rank4_forward", "inputs (B,T,H,W), states (B,H,U) and (B,U), output (B,H,U)", step="rank4", B=3, T=5)
    add("rank4_mask_bt1_backwards_zero", "rank-4 inputs + mask (B,T,1) + go_backwards + zero_output", step="rank4",
        B=5, T=7, mask=mixed, mask_trailing_one=True, go_backwards=True, zero_output=True)
    add("rank4_time_major_mask", "rank-4 time_major inputs (T,B,H,W) + mask (T,B)", step="rank4", B=5, T=7,
        mask=mixed, time_major=True)
    add("rank4_last_only_mask", "rank-4 + mask + return_all_outputs=False", step="rank4", B=5, T=7, mask=mixed,
        return_all=False)

    # --- multiple states of different widths, output width != state width ---
    add("two_state_forward", "states (B,U=5) and (B,V=4); output (B,O+1=3)", step="two_state", B=4, T=6)
    add("two_state_mask", "two states + mask", step="two_state", B=5, T=7, mask=mixed)
    add("two_state_mask_backwards_zero", "two states + mask + go_backwards + zero_output", step="two_state", B=5,
        T=7, mask=mixed, go_backwards=True, zero_output=True)
    add("two_state_time_major_last_only", "two states + time_major + return_all_outputs=False", step="two_state",
        B=4, T=6, time_major=True, return_all=False)
    add("two_state_unroll_mask_backwards", "two states + unroll + mask + go_backwards", step="two_state", B=5, T=7,
        mask=mixed, unroll=True, go_backwards=True)

    # --- no states ---
    add("no_state_mask", "no states, mask: outputs carry the last valid output", step="no_state", B=5, T=7,
        mask=mixed)
    add("no_state_mask_backwards_zero", "no states, mask + go_backwards + zero_output", step="no_state", B=5, T=7,
        mask=mixed, go_backwards=True, zero_output=True)

    # --- float64 ---
    add("f64_forward", "float64 tanh RNN", dtype="float64")
    add("f64_mask_backwards_zero_time_major", "float64 + mask + go_backwards + zero_output + time_major",
        step="tanh_rnn_proj", dtype="float64", B=5, T=7, mask=mixed, go_backwards=True, zero_output=True,
        time_major=True)
    add("f64_two_state_mask_last_only", "float64 two states + mask + last only", step="two_state", dtype="float64",
        B=5, T=7, mask=mixed, return_all=False)
    add("f64_rank4_mask", "float64 rank-4 + mask", step="rank4", dtype="float64", B=5, T=7, mask=mixed)

    # --- sizes ---
    add("size_b0", "B = 0: empty outputs", B=0, T=4)
    add("size_b0_mask_time_major", "B = 0 with a (T,0) mask, time_major", B=0, T=4,
        mask=np.zeros((0, 4), dtype=bool), time_major=True)
    add("size_b1_mask_backwards_zero", "B = 1 + mask + go_backwards + zero_output", B=1, T=6,
        mask=pattern_mask(["inner"], 6), go_backwards=True, zero_output=True)
    add("size_t1", "T = 1", B=3, T=1)
    add("size_t1_mask_backwards_zero", "T = 1 + mask + go_backwards + zero_output", B=3, T=1,
        mask=pattern_mask(["1", "0", "1"], 1), go_backwards=True, zero_output=True)
    add("size_long_t512_mask", "long T = 512, B = 3, U = 4, trailing/leading padding", B=3, T=512,
        dims={"I": 2, "U": 4}, mask=np.array([[t < 400 for t in range(512)], [t >= 37 for t in range(512)],
                                              [True] * 512]))
    add("size_long_t600_accumulate_backwards", "long T = 600, exact accumulation h' = h + x, go_backwards",
        step="accumulate", B=2, T=600, dims={"I": 3}, go_backwards=True)
    add("size_long_t500_f64_two_state_mask", "long T = 500 float64 two states + per-sample lengths", step="two_state",
        dtype="float64", B=3, T=500, dims={"U": 3, "V": 2}, input_length={"perSample": [500, 123, 499]})
    add("accumulate_mask_zero", "exact accumulation + mask + zero_output", step="accumulate", B=5, T=7,
        mask=mixed, zero_output=True)

    # --- inputLength ---
    add("input_length_fixed_mask_backwards", "inputLength .fixed(T) with a mask + go_backwards (ignored)",
        B=5, T=7, mask=mixed, go_backwards=True, input_length={"fixed": 7})
    add("input_length_per_sample_forward", "perSample lengths [7,4,0,1,7] act as the mask", step="tanh_rnn_proj",
        B=5, T=7, input_length={"perSample": [7, 4, 0, 1, 7]})
    add("input_length_per_sample_backwards_short", "perSample lengths with max(L) < T + go_backwards "
        "(corrects QUIRK-3)", step="tanh_rnn_proj", B=3, T=5, input_length={"perSample": [3, 2, 1]},
        go_backwards=True)
    add("input_length_per_sample_backwards_zero", "perSample lengths + go_backwards + zero_output",
        step="tanh_rnn_proj", B=5, T=7, input_length={"perSample": [7, 4, 0, 1, 6]}, go_backwards=True,
        zero_output=True)
    add("input_length_per_sample_forward_zero_last", "perSample lengths + zero_output + return_all_outputs=False",
        step="tanh_rnn_proj", B=5, T=7, input_length={"perSample": [7, 4, 0, 1, 6]}, zero_output=True,
        return_all=False)
    add("input_length_per_sample_time_major", "perSample lengths + time_major", step="two_state", B=4, T=6,
        input_length={"perSample": [2, 6, 5, 0]}, time_major=True)
    add("input_length_per_sample_with_mask", "perSample lengths and a mask: the mask wins", step="tanh_rnn_proj",
        B=5, T=7, mask=mixed, input_length={"perSample": [1, 1, 1, 1, 1]})
    add("input_length_per_sample_unroll_backwards", "perSample lengths + unroll + go_backwards",
        step="tanh_rnn_proj", B=4, T=6, input_length={"perSample": [6, 3, 5, 0]}, unroll=True, go_backwards=True)
    add("input_length_per_sample_rank4", "perSample lengths with rank-3 outputs/states", step="rank4", B=4, T=5,
        input_length={"perSample": [5, 0, 2, 4]})
    return C


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", default=None, help="only cases whose name starts with this prefix (no cleanup)")
    ap.add_argument("--no-cells", action="store_true", help="skip the Keras cell fixtures")
    args = ap.parse_args()
    os.makedirs(OUT_DIR, exist_ok=True)
    jobs = [(a[0], (lambda a=a, k=k: build_case(*a, **k))) for a, k in cases()]
    if not args.no_cells:
        import fixture_cells
        jobs += fixture_cells.cases()
    seen = set()
    written = set()
    for name, build in jobs:
        assert name not in seen, "duplicate case name " + name
        seen.add(name)
        if args.only and not name.startswith(args.only):
            continue
        case = build()
        assert case["name"] == name
        write(case)
        written.add(name)
    if not args.only:
        for f in sorted(os.listdir(OUT_DIR)):
            if f.endswith(".json") and f[:-5] not in written and not (args.no_cells and f.startswith("cell_")):
                os.remove(os.path.join(OUT_DIR, f))
    total = sum(os.path.getsize(os.path.join(OUT_DIR, f)) for f in os.listdir(OUT_DIR) if f.endswith(".json"))
    print("wrote %d cases to %s (%.2f MB in all)" % (len(written), os.path.relpath(OUT_DIR, ROOT), total / 1e6))


def write(case):
    path = os.path.join(OUT_DIR, case["name"] + ".json")
    with open(path, "w") as f:
        f.write(fj.dumps(case) + "\n")


if __name__ == "__main__":
    main()
