#!/usr/bin/env python3
"""Times ParallelRNN's five benchmark workloads in peer frameworks and side by side with `parallel-rnn bench`.

Peers (each in its own subprocess, single process, all cores the process may use). Where a peer has more than one
reasonable way to run a workload, every variant is timed and the fastest counts (all are in the JSON, "variants"):
  tf_keras     tf_keras.layers.LSTM / GRU(reset_after=True) inside tf.function, with and without XLA
               (jit_compile=True) (w3: with the (B,T) mask); w4: tf_keras.backend.rnn in tf.function (the same two)
               with step h' = tanh(x_t + h W)
  torch        torch.nn.LSTM / GRU under inference_mode (w3: pack_padded_sequence, or all T steps padded with the
               outputs past each length replaced by the last valid one); w4: an eager Python loop, and the same loop
               in torch.jit.script
  onnxruntime  ONNX LSTM / GRU(linear_before_reset=1) operators built with onnx.helper, time-major input made before
               timing (w3: sequence_lens); w4: an ONNX Scan whose body is tanh(x_t + MatMul(h, W)), over batch-major
               input (the transposes timed) or time-major input made before timing
  keras3_jax   Keras 3 (JAX backend) LSTM / GRU layer through jax.jit(layer.stateless_call) (w3: mask);
               w4: jax.jit(jax.lax.scan) with the same step, over batch-major input (swapaxes inside the jit) or
               time-major input made before timing
Workloads (float32, inputs standard normal, weights standard normal x 0.1, as Sources/parallel-rnn/Workload.swift defines them):
  w1 LSTM B64 T100 I128 U256 | w2 GRU(resetAfter) same | w3 LSTM, right-padded, L[b] = 1 + (37 b + 11) mod T |
  w4 h' = tanh(x_t + h W) B32 T1000 U32 | w5 LSTM B512 T50 I256 U512
Each number is the median of --reps timed runs after --warmup untimed ones (min and max too). ParallelRNN
(`parallel-rnn bench`; w4 over batch-major input and with `--time-major`, the faster counting, as for the peers' w4)
runs once after each peer, so that it samples the same stretch of time as the peers on a shared machine; its figure
is the median of those runs' medians.

Usage (from the repository root):
  python3 Benchmarks/peers/run_peers.py                       # all workloads, all peers, table on stdout
  python3 Benchmarks/peers/run_peers.py --workloads w1,w4 --peers torch,onnxruntime --reps 10
  python3 Benchmarks/peers/run_peers.py --json peers.json     # also write every raw number as JSON
  python3 Benchmarks/peers/run_peers.py --parallel-rnn .build/release/parallel-rnn
Missing peers are installed with pip into .venv-peers (created with --system-site-packages so the system's
tensorflow / tf_keras / keras are visible) and the script re-runs itself there; --no-install skips that.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VENV = os.path.join(ROOT, ".venv-peers")
PEERS = ["tf_keras", "torch", "onnxruntime", "keras3_jax"]
WORKLOADS = {
    "w1": dict(kind="lstm", B=64, T=100, I=128, U=256, masked=False),
    "w2": dict(kind="gru", B=64, T=100, I=128, U=256, masked=False),
    "w3": dict(kind="lstm", B=64, T=100, I=128, U=256, masked=True),
    "w4": dict(kind="user", B=32, T=1000, I=32, U=32, masked=False),
    "w5": dict(kind="lstm", B=512, T=50, I=256, U=512, masked=False),
}
# What each peer needs importable, and how pip installs it.
IMPORTS = {"tf_keras": ["tensorflow", "tf_keras"], "torch": ["torch"], "onnxruntime": ["onnxruntime", "onnx"],
           "keras3_jax": ["keras", "jax"]}


def cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def lengths(B, T):
    return [1 + (37 * b + 11) % T for b in range(B)]


def nominal_flops(w):
    """Multiply-adds x 2 of the matmuls over all B*T steps (padding included; elementwise work not counted)."""
    g = {"lstm": 4, "gru": 3, "user": 1}[w["kind"]]
    inner = w["I"] + w["U"] if w["kind"] != "user" else w["U"]
    return 2.0 * w["B"] * w["T"] * inner * g * w["U"]


def make_data(w):
    """Inputs (B,T,I), Keras-layout weights, mask (B,T) bool. Same numbers for every peer (seed 0)."""
    import numpy as np
    rng = np.random.default_rng(0)
    B, T, I, U = w["B"], w["T"], w["I"], w["U"]
    x = rng.standard_normal((B, T, I)).astype(np.float32)
    g = {"lstm": 4, "gru": 3, "user": 1}[w["kind"]]
    if w["kind"] == "user":
        return x, {"W": (rng.standard_normal((U, U)) * 0.1).astype(np.float32)}, None
    kernel = (rng.standard_normal((I, g * U)) * 0.1).astype(np.float32)
    recurrent = (rng.standard_normal((U, g * U)) * 0.1).astype(np.float32)
    bias_shape = (2, g * U) if w["kind"] == "gru" else (g * U,)
    bias = (rng.standard_normal(bias_shape) * 0.1).astype(np.float32)
    mask = None
    if w["masked"]:
        mask = np.arange(T)[None, :] < np.array(lengths(B, T))[:, None]
    return x, {"kernel": kernel, "recurrent": recurrent, "bias": bias}, mask


def time_it(fn, reps, warmup):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return times


# ---------------------------------------------------------------------------------------------------------------------
# Peers: each returns a zero-argument callable that runs the workload once and waits for the result.

def setup_tf_keras(w, x, p, mask):
    import tensorflow as tf
    import tf_keras
    from tf_keras import backend as K
    tf.config.threading.set_intra_op_parallelism_threads(cores())
    xt = tf.constant(x)
    if w["kind"] == "user":
        W = tf.constant(p["W"])
        h0 = tf.zeros((w["B"], w["U"]))

        def step(xs, s):
            h = tf.tanh(xs + tf.matmul(s[0], W))
            return h, [h]
        return [(lambda run=tf.function(lambda: K.rnn(step, xt, [h0]), jit_compile=xla): run()[1].numpy(),
                 "backend.rnn in tf.function" + (" (XLA)" if xla else "")) for xla in (False, True)]
    if w["kind"] == "lstm":
        layer = tf_keras.layers.LSTM(w["U"], return_sequences=True, return_state=True)
    else:
        layer = tf_keras.layers.GRU(w["U"], return_sequences=True, return_state=True, reset_after=True)
    layer.build((w["B"], w["T"], w["I"]))
    layer.set_weights([p["kernel"], p["recurrent"], p["bias"]])
    m = None if mask is None else tf.constant(mask)

    return [(lambda run=tf.function(lambda: layer(xt, mask=m), jit_compile=xla): run()[0].numpy(),
             "layer in tf.function" + (" (XLA)" if xla else "") + (" with mask" if m is not None else ""))
            for xla in (False, True)]


def setup_torch(w, x, p, mask):
    import numpy as np
    import torch
    torch.set_num_threads(cores())
    torch.manual_seed(0)
    xt = torch.from_numpy(x)
    if w["kind"] == "user":
        W = torch.from_numpy(p["W"])

        def loop(xt, W):
            h = torch.zeros(xt.shape[0], W.shape[1])
            outs = []
            for t in range(xt.shape[1]):
                h = torch.tanh(xt[:, t] + h @ W)
                outs.append(h)
            return torch.stack(outs, 1)
        scripted = torch.jit.script(loop)

        def timed(f):
            def run():
                with torch.inference_mode():
                    return f(xt, W)
            return run
        return [(timed(loop), "eager Python loop"), (timed(scripted), "the loop in torch.jit.script")]
    g = 4 if w["kind"] == "lstm" else 3
    mod = (torch.nn.LSTM if w["kind"] == "lstm" else torch.nn.GRU)(w["I"], w["U"], batch_first=True)

    def reorder(m):  # Keras gate blocks -> torch's: LSTM i,f,c,o is torch's i,f,g,o; GRU z,r,h -> r,z,n
        if w["kind"] == "lstm":
            return m
        z, r, h = np.split(m, 3, axis=-1)
        return np.concatenate([r, z, h], axis=-1)
    with torch.no_grad():
        mod.weight_ih_l0.copy_(torch.from_numpy(reorder(p["kernel"]).T.copy()))
        mod.weight_hh_l0.copy_(torch.from_numpy(reorder(p["recurrent"]).T.copy()))
        b = p["bias"].reshape(-1, g * w["U"])
        mod.bias_ih_l0.copy_(torch.from_numpy(reorder(b[0]).copy()))
        mod.bias_hh_l0.copy_(torch.from_numpy(reorder(b[-1]).copy() if b.shape[0] > 1 else b[0] * 0))
    mod.eval()
    if mask is not None:
        lens = torch.tensor(lengths(w["B"], w["T"]))
        # Past its length a row's outputs are its last valid output (Keras, zero_output_for_mask=False).
        last = (lens - 1).view(-1, 1, 1).expand(-1, 1, w["U"])
        past = (torch.arange(w["T"]).view(1, -1, 1) >= lens.view(-1, 1, 1))

        def packed_run():
            with torch.inference_mode():
                packed = torch.nn.utils.rnn.pack_padded_sequence(xt, lens, batch_first=True, enforce_sorted=False)
                out, _ = mod(packed)
                return torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=w["T"])[0]

        def padded_run():
            with torch.inference_mode():
                out = mod(xt)[0]
                return torch.where(past, out.gather(1, last), out)
        return [(packed_run, "nn.LSTM with pack_padded_sequence"),
                (padded_run, "nn.LSTM over all T padded steps, outputs past each length filled")]

    def run():
        with torch.inference_mode():
            return mod(xt)[0]
    return [(run, "nn.%s" % ("LSTM" if w["kind"] == "lstm" else "GRU"))]


# IR version 8 covers opsets 14 and 17 and loads in every onnxruntime since 1.10; the onnx package's default (its
# newest IR) is refused by an onnxruntime older than that onnx (seen: onnx 1.23 with onnxruntime 1.30).
ONNX_IR_VERSION = 8


def setup_onnxruntime(w, x, p, mask):
    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper
    B, T, I, U = w["B"], w["T"], w["I"], w["U"]
    so = ort.SessionOptions()
    so.intra_op_num_threads = cores()
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if w["kind"] == "user":
        return [onnx_scan(w, x, p, so, axis) for axis in (1, 0)]
    g = 4 if w["kind"] == "lstm" else 3
    # Keras gate order -> ONNX: LSTM i,f,c,o -> i,o,f,c; GRU z,r,h -> z,r,h. Weights (1, gU, I) etc.
    def reorder(m):
        if w["kind"] != "lstm":
            return m
        i, f, c, o = np.split(m, 4, axis=-1)
        return np.concatenate([i, o, f, c], axis=-1)
    Wt = reorder(p["kernel"]).T[None].copy()
    Rt = reorder(p["recurrent"]).T[None].copy()
    b = p["bias"].reshape(-1, g * U)
    Bt = np.concatenate([reorder(b[0]), reorder(b[-1]) if b.shape[0] > 1 else np.zeros(g * U, np.float32)])[None]
    inits = [numpy_helper.from_array(Wt.astype(np.float32), "W"), numpy_helper.from_array(Rt.astype(np.float32), "R"),
             numpy_helper.from_array(Bt.astype(np.float32), "B")]
    inputs = [helper.make_tensor_value_info("X", TensorProto.FLOAT, [T, B, I])]
    names = ["X", "W", "R", "B"]
    feed = {"X": np.ascontiguousarray(np.swapaxes(x, 0, 1))}
    if mask is not None:
        inputs.append(helper.make_tensor_value_info("seq", TensorProto.INT32, [B]))
        names.append("seq")
        feed["seq"] = np.array(lengths(B, T), dtype=np.int32)
    attrs = dict(hidden_size=U)
    if w["kind"] == "gru":
        attrs["linear_before_reset"] = 1
    node = helper.make_node("LSTM" if w["kind"] == "lstm" else "GRU", names, ["Y", "Y_h"], **attrs)
    graph = helper.make_graph([node], w["kind"], inputs,
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [T, 1, B, U])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)], ir_version=ONNX_IR_VERSION)
    onnx.checker.check_model(model)
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    note = "ONNX %s op, time-major input" % node.op_type + (" + sequence_lens" if mask is not None else "")
    return [(lambda: sess.run(["Y"], feed), note)]


def onnx_scan(w, x, p, so, axis):
    """w4 as an ONNX Scan over the time axis `axis` of its input: 1 batch-major (ORT transposes inside the timed
    call), 0 time-major (made before timing, as for the LSTM/GRU rows)."""
    import numpy as np
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper
    B, T, U = w["B"], w["T"], w["U"]
    W = numpy_helper.from_array(p["W"], "W")
    body = helper.make_graph(
        [helper.make_node("MatMul", ["h_in", "W"], ["hw"]), helper.make_node("Add", ["x_t", "hw"], ["pre"]),
         helper.make_node("Tanh", ["pre"], ["h_out"]), helper.make_node("Identity", ["h_out"], ["y_t"])],
        "body",
        [helper.make_tensor_value_info("h_in", TensorProto.FLOAT, [B, U]),
         helper.make_tensor_value_info("x_t", TensorProto.FLOAT, [B, U])],
        [helper.make_tensor_value_info("h_out", TensorProto.FLOAT, [B, U]),
         helper.make_tensor_value_info("y_t", TensorProto.FLOAT, [B, U])])
    shape = [B, T, U] if axis == 1 else [T, B, U]
    scan = helper.make_node("Scan", ["h0", "X"], ["h_last", "Y"], num_scan_inputs=1, body=body,
                            scan_input_axes=[axis], scan_output_axes=[axis])
    graph = helper.make_graph([scan], "w4", [helper.make_tensor_value_info("X", TensorProto.FLOAT, shape),
                                             helper.make_tensor_value_info("h0", TensorProto.FLOAT, [B, U])],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, shape)], [W])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=ONNX_IR_VERSION)
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    feed = {"X": x if axis == 1 else np.ascontiguousarray(np.swapaxes(x, 0, 1)), "h0": np.zeros((B, U), np.float32)}
    return (lambda: sess.run(["Y"], feed),
            "Scan(tanh(x_t + MatMul(h, W))), " + ("batch-major input" if axis == 1 else "time-major input"))


def setup_keras3_jax(w, x, p, mask):
    os.environ["KERAS_BACKEND"] = "jax"
    import numpy as np
    import jax
    import jax.numpy as jnp
    import keras
    assert keras.backend.backend() == "jax", keras.backend.backend()
    xj = jnp.asarray(x)
    if w["kind"] == "user":
        W = jnp.asarray(p["W"])

        def step(h, xt):
            h2 = jnp.tanh(xt + h @ W)
            return h2, h2

        @jax.jit
        def batch_major(xs):
            _, ys = jax.lax.scan(step, jnp.zeros((w["B"], w["U"]), jnp.float32), jnp.swapaxes(xs, 0, 1))
            return jnp.swapaxes(ys, 0, 1)

        @jax.jit
        def time_major(xs):
            return jax.lax.scan(step, jnp.zeros((w["B"], w["U"]), jnp.float32), xs)[1]
        xtm = jnp.asarray(np.ascontiguousarray(np.swapaxes(x, 0, 1)))
        return [(lambda: batch_major(xj).block_until_ready(), "jax.jit(lax.scan), batch-major input"),
                (lambda: time_major(xtm).block_until_ready(), "jax.jit(lax.scan), time-major input")]
    if w["kind"] == "lstm":
        layer = keras.layers.LSTM(w["U"], return_sequences=True, return_state=True)
    else:
        layer = keras.layers.GRU(w["U"], return_sequences=True, return_state=True, reset_after=True)
    layer.build((w["B"], w["T"], w["I"]))
    layer.set_weights([p["kernel"], p["recurrent"], p["bias"]])
    tv = [v.value for v in layer.trainable_variables]
    ntv = [v.value for v in layer.non_trainable_variables]
    m = None if mask is None else jnp.asarray(mask)

    @jax.jit
    def run(tv, ntv, xs, ms):
        out, _ = layer.stateless_call(tv, ntv, xs, mask=ms)
        return out[0]
    return [(lambda: run(tv, ntv, xj, m).block_until_ready(), "jax.jit(layer.stateless_call)")]


SETUP = {"tf_keras": setup_tf_keras, "torch": setup_torch, "onnxruntime": setup_onnxruntime,
         "keras3_jax": setup_keras3_jax}


def worker(peer, workloads, reps, warmup):
    """Runs one peer over the workloads, printing one JSON line each."""
    if peer == "keras3_jax":
        os.environ["KERAS_BACKEND"] = "jax"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    for wid in workloads:
        w = WORKLOADS[wid]
        rec = {"peer": peer, "workload": wid, "threads": cores(), "reps": reps}
        try:
            x, p, mask = make_data(w)
            timed = []  # every variant of the peer; the fastest median counts
            for fn, note in SETUP[peer](w, x, p, mask):
                try:
                    timed.append((time_it(fn, reps, warmup), note))
                except Exception as e:  # a variant that fails is reported beside the others
                    rec.setdefault("variant_errors", {})[note] = "%s: %s" % (type(e).__name__, str(e)[:200])
            if not timed:
                raise RuntimeError("no variant ran: %s" % rec.get("variant_errors"))
            times, note = min(timed, key=lambda t: statistics.median(t[0]))
            med = statistics.median(times)
            rec.update(median_ms=med, min_ms=min(times), max_ms=max(times), note=note,
                       gflops=nominal_flops(w) / (med * 1e-3) / 1e9,
                       variants={n: statistics.median(t) for t, n in timed})
        except Exception as e:  # a peer that cannot run a workload is reported, not fatal
            rec["error"] = "%s: %s" % (type(e).__name__, str(e).splitlines()[0][:300] if str(e) else "")
        print("PEER " + json.dumps(rec), flush=True)


# ---------------------------------------------------------------------------------------------------------------------
# Driver

def importable(python, modules):
    code = "import importlib,sys\nfor m in sys.argv[1:]: importlib.import_module(m)"
    r = subprocess.run([python, "-c", code] + modules, capture_output=True,
                       env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    return r.returncode == 0


def cpu_torch_version(vpy):
    """The newest torch version pip can see with a `+cpu` local label (e.g. 2.13.0+cpu), or None."""
    try:
        out = subprocess.run([vpy, "-m", "pip", "index", "versions", "torch"], capture_output=True, text=True,
                             timeout=120).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in out.splitlines():
        if line.strip().startswith("Available versions:"):
            versions = [v.strip() for v in line.split(":", 1)[1].split(",")]
            cpu = [v for v in versions if v.endswith("+cpu")]
            return cpu[0] if cpu else None  # pip lists the newest first
    return None


def ensure_venv(peers):
    """Installs missing peers into .venv-peers and re-executes this script there (once)."""
    if os.environ.get("RUN_PEERS_IN_VENV"):
        return
    missing = [p for p in peers if not importable(sys.executable, IMPORTS[p])]
    if not missing:
        return
    vpy = os.path.join(VENV, "bin", "python")
    if not os.path.exists(vpy):
        print("creating %s" % VENV, file=sys.stderr)
        subprocess.check_call([sys.executable, "-m", "venv", "--system-site-packages", VENV])
    pip = [vpy, "-m", "pip", "install", "--quiet"]
    for p in missing:
        if importable(vpy, IMPORTS[p]):
            continue
        print("installing %s into %s" % (p, VENV), file=sys.stderr)
        if p == "torch":
            subprocess.call(pip + ["--no-deps", "torch"])
            subprocess.call(pip + ["filelock", "sympy", "networkx", "jinja2", "fsspec", "typing-extensions"])
            if not importable(vpy, ["torch"]):
                # PyPI's Linux torch wheels link the CUDA runtime: a CPU-only build (a `+cpu` version, where the
                # index or a find-links folder has one) imports without it; else the CUDA libraries (≈ 4 GB; no GPU
                # is needed to import them).
                cpu = cpu_torch_version(vpy)
                if cpu:
                    subprocess.call(pip + ["--no-deps", "torch==" + cpu])
                if not importable(vpy, ["torch"]):
                    subprocess.call(pip + ["torch"])
        elif p == "onnxruntime":
            subprocess.call(pip + ["onnxruntime", "onnx"])
        elif p == "keras3_jax":
            subprocess.call(pip + ["jax[cpu]", "keras"])
        elif p == "tf_keras":
            subprocess.call(pip + ["tensorflow-cpu==2.21.0", "tf-keras==2.21.0"])
    os.execve(vpy, [vpy] + sys.argv, dict(os.environ, RUN_PEERS_IN_VENV="1"))


# Ours in more than one layout, as for the peers: w4 over batch-major input and over time-major input made before
# timing (`bench --time-major`), like ONNX Runtime's and JAX's w4; the faster counts, both are in "variants".
OUR_VARIANTS = {"w4": [("batch-major input", []), ("time-major input", ["--time-major"])]}


def run_ours(binary, workloads, reps, warmup, batch=None, time=None):
    out = {}
    if not binary or not os.path.exists(binary):
        return out
    for wid in workloads:
        variants, errors = {}, {}
        for name, extra in OUR_VARIANTS.get(wid, [("batch-major input", [])]):
            cmd = [binary, "bench", "--workload", wid, "--json", "--warmup", str(warmup)] + extra  # the peers' warm-ups too
            cmd += ["--reps", str(reps)] if reps else []
            cmd += ["--batch", str(batch)] if batch else []
            cmd += ["--time", str(time)] if time else []
            r = subprocess.run(cmd, capture_output=True, text=True)
            for line in r.stdout.splitlines():
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if isinstance(rec, dict) and rec.get("workload") == wid and "median_ms" in rec:
                    variants[name] = dict(rec, variant=name)
            if name not in variants:
                errors[name] = "rc %d: %s" % (r.returncode, (r.stderr or r.stdout).strip()[-300:])
        if errors:  # a failing variant is reported, never silently dropped
            out[wid] = {"error": "; ".join("%s: %s" % e for e in errors.items())}
        else:
            best = min(variants.values(), key=lambda v: v["median_ms"])
            out[wid] = dict(best, variants={k: v["median_ms"] for k, v in variants.items()})
    return out


def main():
    ap = argparse.ArgumentParser(description="Peer benchmarks for the five ParallelRNN workloads")
    ap.add_argument("--workloads", default="w1,w2,w3,w4,w5")
    ap.add_argument("--peers", default=",".join(PEERS))
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--parallel-rnn", default=os.path.join(ROOT, ".build", "release", "parallel-rnn"))
    ap.add_argument("--json", default=None, help="write all raw results to this file ('-' for stdout)")
    ap.add_argument("--no-install", action="store_true")
    ap.add_argument("--batch", type=int, default=None,
                    help="every workload's batch size B instead of its own (ours: bench --batch); e.g. 1 for latency")
    ap.add_argument("--time", type=int, default=None,
                    help="every workload's time steps T instead of its own (ours: bench --time); e.g. 1 for one step "
                         "per call, as in streaming inference")
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    workloads = [w for w in args.workloads.split(",") if w]
    peers = [p for p in args.peers.split(",") if p]
    for w in workloads:
        assert w in WORKLOADS, "unknown workload " + w
    for p in peers:
        assert p in PEERS, "unknown peer " + p
    assert args.batch is None or args.batch >= 1, "--batch must be at least 1"
    assert args.time is None or args.time >= 1, "--time must be at least 1"
    for w in WORKLOADS.values():
        w["B"] = args.batch or w["B"]
        w["T"] = args.time or w["T"]
    if args.worker:
        worker(args.worker, workloads, args.reps, args.warmup)
        return
    if not args.no_install:
        ensure_venv(peers)

    results = {p: {} for p in peers}
    ours_rounds = []  # ours after each peer: the same stretch of time as the peers
    for p in peers:
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", p, "--workloads", ",".join(workloads),
               "--reps", str(args.reps), "--warmup", str(args.warmup)]
        cmd += ["--batch", str(args.batch)] if args.batch else []
        cmd += ["--time", str(args.time)] if args.time else []
        print("running %s ..." % p, file=sys.stderr, flush=True)
        r = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
        for line in r.stdout.splitlines():
            if line.startswith("PEER "):
                rec = json.loads(line[5:])
                results[p][rec["workload"]] = rec
        for w in workloads:
            if w not in results[p]:
                results[p][w] = {"error": "worker rc %d: %s" % (r.returncode, r.stderr.strip()[-300:])}
        ours_rounds.append(run_ours(args.parallel_rnn, workloads, args.reps, args.warmup, args.batch, args.time))
    if not peers:
        ours_rounds.append(run_ours(args.parallel_rnn, workloads, args.reps, args.warmup, args.batch, args.time))
    ours = {}
    for w in workloads:  # median_ms: the median of the rounds' medians; the other fields from a middle round
        done = sorted((rd[w] for rd in ours_rounds if "median_ms" in rd.get(w, {})), key=lambda r: r["median_ms"])
        if done:
            medians = [r["median_ms"] for r in done]
            ours[w] = dict(done[(len(done) - 1) // 2], median_ms=statistics.median(medians), rounds_median_ms=medians)
        elif ours_rounds and w in ours_rounds[-1]:
            ours[w] = ours_rounds[-1][w]

    rows = []
    for w in workloads:
        ok = {p: results[p][w]["median_ms"] for p in peers if "median_ms" in results[p][w]}
        best = min(ok, key=ok.get) if ok else None
        mine = ours.get(w, {}).get("median_ms")
        rows.append({"workload": w, "peers": {p: results[p][w] for p in peers}, "best_peer": best,
                     "best_peer_ms": ok.get(best), "ours": ours.get(w),
                     "ratio_ours_over_best": (mine / ok[best]) if (mine and best) else None})

    cell = lambda v: "%10.2f" % v if isinstance(v, (int, float)) else "%10s" % (v or "n/a")  # noqa: E731
    print("median ms over %d reps (%d warmup), %d threads%s%s" % (args.reps, args.warmup, cores(),
                                                                  ", batch %d" % args.batch if args.batch else "",
                                                                  ", time %d" % args.time if args.time else ""))
    print("%-4s " % "wl" + "".join("%12s" % p for p in peers) + "%12s%10s%12s" % ("best", "ours", "ours/best"))
    for row in rows:
        line = "%-4s " % row["workload"]
        for p in peers:
            rec = row["peers"][p]
            line += "  " + cell(rec.get("median_ms", "error"))
        line += "%12s" % (row["best_peer"] or "n/a") + cell((row["ours"] or {}).get("median_ms"))
        r = row["ratio_ours_over_best"]
        line += "%12s" % ("%.3f" % r if r else "n/a")
        print(line)
    errors = [(p, w, results[p][w]["error"]) for p in peers for w in workloads if "error" in results[p][w]]
    for p, w, e in errors:
        print("  %s %s: %s" % (p, w, e))
    doc = {"threads": cores(), "reps": args.reps, "warmup": args.warmup, "batch": args.batch, "time": args.time,
           "rows": rows}
    if args.json == "-":
        print(json.dumps(doc, indent=1))
    elif args.json:
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1)


if __name__ == "__main__":
    main()
