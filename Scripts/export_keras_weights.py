#!/usr/bin/env python3
"""Export a tf_keras (Keras 2) LSTM / GRU / SimpleRNN layer's weights for `parallel-rnn run`.

The output .npz holds float32 arrays `kernel` (I, gU), `recurrent_kernel` (U, gU) and, when the layer has one,
`bias` ((gU), or (2, 3U) for GRU with reset_after), plus a `metadata.json` member:
    {"cell": "lstm"|"gru"|"simple", "units": U, "input_dim": I, "activation": "tanh", "recurrent_activation": "sigmoid",
     "use_bias": true, "reset_after": true (GRU only), "go_backwards": false, "time_major": false,
     "zero_output_for_mask": false (true on a Bidirectional layer's sub-layers when it returns sequences), "layer": name,
     "keras": "tf_keras 2.21.0"}
numpy's np.load ignores nothing: `np.load(path)["kernel"]` works, and metadata.json is readable as raw bytes.

Commands
  from-model  --model M.keras|M.h5|SavedModelDir --layer NAME --output W.npz
  create      --cell lstm|gru|simple --units U --input-dim I [--no-reset-after] [--no-bias] [--activation A]
              [--recurrent-activation A] [--seed S] --output W.npz
              [--inputs X.npy --batch B --time T] [--mask M.npy] [--go-backwards] [--zero-output-for-mask]
              [--reference REF.npz]
      makes a layer in code with random (seeded) weights; optionally writes random inputs, a right-padded mask and
      the reference result of tf_keras.backend.rnn with the cell's step (outputs, last_output, state_0[, state_1]),
      i.e. exactly what `parallel-rnn run` computes with the same flags.
  compare     A.npz B.npz [--atol 1e-5]   max |a - b| per array; exit 1 when an array differs beyond atol.
"""
import argparse
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def cell_kind(cell):
    name = type(cell).__name__
    kinds = {"LSTMCell": "lstm", "GRUCell": "gru", "SimpleRNNCell": "simple"}
    if name not in kinds:
        fail(f"layer cell is a {name}; only LSTM, GRU and SimpleRNN (tf_keras 2.x) are supported")
    return kinds[name]


def activation_name(fn):
    import tf_keras
    name = tf_keras.activations.serialize(fn)
    if isinstance(name, dict):
        name = name.get("config", {}).get("name", name.get("class_name"))
    return {"hard_sigmoid": "hard_sigmoid", "linear": "linear"}.get(name, name)


def export_layer(layer, output):
    import numpy as np
    import tf_keras
    cell = getattr(layer, "cell", None)
    if cell is None:
        fail(f"layer '{layer.name}' ({type(layer).__name__}) is not a recurrent layer with a cell")
    if isinstance(cell, (list, tuple)) or type(cell).__name__ == "StackedRNNCells":
        fail(f"layer '{layer.name}' stacks several cells; export each cell's layer separately")
    kind = cell_kind(cell)
    if not cell.built:
        fail(f"layer '{layer.name}' is not built (call it on inputs or load a trained model first)")
    arrays = {
        "kernel": np.asarray(cell.kernel.numpy(), dtype=np.float32),
        "recurrent_kernel": np.asarray(cell.recurrent_kernel.numpy(), dtype=np.float32),
    }
    if cell.use_bias:
        arrays["bias"] = np.asarray(cell.bias.numpy(), dtype=np.float32)
    meta = {
        "cell": kind,
        "units": int(cell.units),
        "input_dim": int(arrays["kernel"].shape[0]),
        "activation": activation_name(cell.activation),
        "use_bias": bool(cell.use_bias),
        "go_backwards": bool(getattr(layer, "go_backwards", False)),
        "time_major": bool(getattr(layer, "time_major", False)),
        # tf_keras's Bidirectional sets it on its forward_/backward_ layers (to return_sequences).
        "zero_output_for_mask": bool(getattr(layer, "zero_output_for_mask", False)),
        "layer": layer.name,
        "keras": f"tf_keras {tf_keras.__version__}",
    }
    if kind != "simple":
        meta["recurrent_activation"] = activation_name(cell.recurrent_activation)
    if kind == "gru":
        meta["reset_after"] = bool(cell.reset_after)
    write_npz(output, arrays, meta)
    return cell, kind, meta


def write_npz(path, arrays, meta):
    import io
    import zipfile
    import numpy as np
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            z.writestr(name + ".npy", buffer.getvalue())
        z.writestr("metadata.json", json.dumps(meta, indent=2, sort_keys=True))
    shapes = ", ".join(f"{k} {tuple(v.shape)}" for k, v in arrays.items())
    print(f"wrote {path}: {meta['cell']} U={meta['units']}: {shapes}", file=sys.stderr)


def from_model(args):
    import tf_keras
    if not os.path.exists(args.model):
        fail(f"{args.model}: no such file")
    try:
        model = tf_keras.models.load_model(args.model, compile=False)
    except Exception as e:  # noqa: BLE001 — report, do not trace
        fail(f"{args.model}: cannot be loaded as a tf_keras model ({e})")
    layers = {l.name: l for l in model.submodules if isinstance(l, tf_keras.layers.Layer)}
    if args.layer not in layers:
        names = sorted(n for n, l in layers.items() if hasattr(l, "cell"))
        fail(f"model has no layer '{args.layer}' (recurrent layers: {', '.join(names) or 'none'})")
    export_layer(layers[args.layer], args.output)


def create(args):
    import numpy as np
    import tensorflow as tf
    import tf_keras
    tf_keras.utils.set_random_seed(args.seed)
    common = dict(units=args.units, use_bias=not args.no_bias, activation=args.activation,
                  go_backwards=args.go_backwards, return_sequences=True, return_state=True,
                  bias_initializer=tf_keras.initializers.RandomNormal(stddev=0.1, seed=args.seed))
    if args.cell == "lstm":
        layer = tf_keras.layers.LSTM(recurrent_activation=args.recurrent_activation, **common)
    elif args.cell == "gru":
        layer = tf_keras.layers.GRU(recurrent_activation=args.recurrent_activation,
                                    reset_after=not args.no_reset_after, **common)
    else:
        layer = tf_keras.layers.SimpleRNN(**common)
    layer.build((None, None, args.input_dim))
    cell, kind, meta = export_layer(layer, args.output)
    if not args.inputs:
        return
    rng = np.random.default_rng(args.seed)
    x = rng.standard_normal((args.batch, args.time, args.input_dim)).astype(np.float32)
    np.save(args.inputs, x)
    mask = None
    if args.mask:
        lengths = 1 + (37 * np.arange(args.batch) + 11) % args.time
        mask = np.arange(args.time)[None, :] < lengths[:, None]
        np.save(args.mask, mask)
    if args.reference:
        b = args.batch
        states = [tf.zeros((b, args.units))] * (2 if kind == "lstm" else 1)

        def step(inputs, states):
            out, new = cell.call(inputs, states)
            return out, list(new) if isinstance(new, (list, tuple)) else [new]

        last, outputs, new_states = tf_keras.backend.rnn(
            step, tf.constant(x), states, go_backwards=args.go_backwards,
            mask=None if mask is None else tf.constant(mask), input_length=args.time,
            zero_output_for_mask=args.zero_output_for_mask)
        ref = {"outputs": outputs.numpy(), "last_output": last.numpy()}
        for i, s in enumerate(new_states):
            ref[f"state_{i}"] = s.numpy()
        np.savez(args.reference, **ref)
        print(f"wrote {args.reference}: " + ", ".join(f"{k} {v.shape}" for k, v in ref.items()), file=sys.stderr)


def compare(args):
    import numpy as np
    try:
        a, b = np.load(args.a), np.load(args.b)
    except Exception as e:  # noqa: BLE001
        fail(str(e))
    worst = 0.0
    ok = True
    for name in sorted(set(a.files) | set(b.files)):
        if name not in a.files or name not in b.files:
            print(f"{name}: only in {'the first' if name in a.files else 'the second'} archive")
            ok = False
            continue
        x, y = a[name], b[name]
        if x.shape != y.shape:
            print(f"{name}: shapes differ {x.shape} vs {y.shape}")
            ok = False
            continue
        d = float(np.max(np.abs(x.astype(np.float64) - y.astype(np.float64)))) if x.size else 0.0
        worst = max(worst, d)
        print(f"{name}: shape {x.shape}, max |a - b| = {d:.3g}")
        ok = ok and d <= args.atol
    print("match" if ok else f"MISMATCH (atol {args.atol})")
    sys.exit(0 if ok else 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("from-model", help="export a layer of a saved tf_keras model")
    p.add_argument("--model", required=True)
    p.add_argument("--layer", required=True)
    p.add_argument("--output", required=True)
    p.set_defaults(run=from_model)
    p = sub.add_parser("create", help="create a layer in code (random weights), export it, optionally with data")
    p.add_argument("--cell", choices=["lstm", "gru", "simple"], required=True)
    p.add_argument("--units", type=int, required=True)
    p.add_argument("--input-dim", type=int, required=True)
    p.add_argument("--no-reset-after", action="store_true")
    p.add_argument("--no-bias", action="store_true")
    p.add_argument("--activation", default="tanh")
    p.add_argument("--recurrent-activation", default="sigmoid")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--output", required=True)
    p.add_argument("--inputs", help="write random inputs (B, T, I) here")
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--time", type=int, default=7)
    p.add_argument("--mask", help="write the right-padded mask 1 + (37b + 11) mod T here")
    p.add_argument("--go-backwards", action="store_true")
    p.add_argument("--zero-output-for-mask", action="store_true")
    p.add_argument("--reference", help="write tf_keras.backend.rnn's result here")
    p.set_defaults(run=create)
    p = sub.add_parser("compare", help="compare two result archives")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--atol", type=float, default=1e-5)
    p.set_defaults(run=compare)
    args = parser.parse_args()
    for name in ("units", "input_dim", "batch", "time"):
        if getattr(args, name, 1) is not None and getattr(args, name, 1) < 1:
            fail(f"--{name.replace('_', '-')} must be at least 1")
    args.run(args)


if __name__ == "__main__":
    main()
