"""Keras cell fixtures (LSTM, GRU with reset_after True/False, SimpleRNN) for Scripts/generate_fixtures.py.

A cell case has "step": "cell" and
  "cell": {"type": "lstm"|"gru"|"simple", "resetAfter": bool|null, "activation", "recurrentActivation" (null for
           simple), "kernel", "recurrentKernel", "bias": tensor|null, "via": "layer"|"backend"}
and otherwise the rnn schema ("initialStates": [] means the cell's default zeros; "params" and "constants" are empty).
"layer" cases come from the tf_keras layer called with return_sequences=True, return_state=True (lastOutput is the
last row of outputs in processing order) and are cross-checked against backend.rnn with the layer's cell;
"backend" cases come from tf_keras.backend.rnn(cell step) for the flags the layer cannot pass
(zero_output_for_mask, return_all_outputs=False).
"""

import zlib

import numpy as np
import tensorflow as tf
import tf_keras
from tf_keras import backend as K

import fixture_json as fj

WHILE = "tf_keras 2.21.0, while_loop path (unroll=False), eager, CPU, 1 intra-op thread"
MIXED = [[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1, 1], [1, 1, 0, 1, 0, 0, 1],
         [0, 0, 0, 0, 0, 0, 0]]


def _layer(kind, units, activation, recurrent_activation, use_bias, reset_after, go_backwards, time_major):
    common = dict(activation=activation, use_bias=use_bias, return_sequences=True, return_state=True,
                  go_backwards=go_backwards, time_major=time_major)
    if kind == "lstm":
        return tf_keras.layers.LSTM(units, recurrent_activation=recurrent_activation, **common)
    if kind == "gru":
        return tf_keras.layers.GRU(units, recurrent_activation=recurrent_activation, reset_after=reset_after, **common)
    return tf_keras.layers.SimpleRNN(units, **common)


def build_cell_case(name, description, kind, B=4, T=6, I=3, U=5, activation="tanh",
                    recurrent_activation="sigmoid", use_bias=True, reset_after=True, mask=None, mask_numeric=False,
                    initial_states=False, go_backwards=False, time_major=False, zero_output=False, return_all=True,
                    via="layer", weight_scale=1.0):
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    gates = {"lstm": 4, "gru": 3, "simple": 1}[kind]
    kernel = (rng.standard_normal((I, gates * U)) * 0.8 / np.sqrt(I) * weight_scale).astype(np.float32)
    recurrent = (rng.standard_normal((U, gates * U)) * 0.8 / np.sqrt(U) * weight_scale).astype(np.float32)
    bias = None
    if use_bias:
        bias_shape = (2, gates * U) if kind == "gru" and reset_after else (gates * U,)
        bias = (rng.standard_normal(bias_shape) * 0.3).astype(np.float32)
    x = rng.standard_normal((B, T, I)).astype(np.float32)
    n_states = 2 if kind == "lstm" else 1
    states = [(rng.standard_normal((B, U)) * 0.5).astype(np.float32) for _ in range(n_states)] \
        if initial_states else []
    mask_bt = None
    if mask is not None:
        mask_bt = np.array(mask, dtype=bool)
        if mask_numeric:
            mask_bt = np.where(mask_bt, rng.choice([1.0, -3.0, 0.5, np.nan, np.inf], size=mask_bt.shape),
                               rng.choice([0.0, -0.0], size=mask_bt.shape)).astype(np.float32)

    x_call = np.swapaxes(x, 0, 1) if time_major else x
    mask_call = None if mask_bt is None else (np.swapaxes(mask_bt, 0, 1) if time_major else mask_bt)

    layer = _layer(kind, U, activation, recurrent_activation, use_bias, reset_after, go_backwards, time_major)
    layer.build((T, B, I) if time_major else (B, T, I))
    layer.set_weights([kernel, recurrent] + ([bias] if use_bias else []))
    init = [tf.constant(s) for s in states] if states else [tf.zeros((B, U)) for _ in range(n_states)]

    def step(xt, s):
        return layer.cell.call(xt, list(s))

    last, outs, new = K.rnn(step, tf.constant(x_call), init, go_backwards=go_backwards,
                            mask=None if mask_call is None else tf.constant(mask_call), time_major=time_major,
                            zero_output_for_mask=zero_output, return_all_outputs=return_all)
    last, outs, new = last.numpy(), outs.numpy(), [s.numpy() for s in new]
    derivation = WHILE
    if via == "layer":
        assert not zero_output and return_all
        res = layer(tf.constant(x_call), mask=None if mask_call is None else tf.constant(mask_call),
                    initial_state=[tf.constant(s) for s in states] if states else None)
        l_outs = res[0].numpy()
        l_last = l_outs[-1] if time_major else l_outs[:, -1]
        l_new = [r.numpy() for r in res[1:]]
        diff = max(float(np.max(np.abs(a - b), initial=0.0)) for a, b in
                   [(l_outs, outs), (l_last, last)] + list(zip(l_new, new)))
        assert diff < 1e-5, (name, diff)
        last, outs, new = l_last, l_outs, l_new
        derivation += ("; tf_keras.layers.%s(return_sequences=True, return_state=True); lastOutput = last row of "
                       "outputs; cross-checked against backend.rnn with the layer's cell (max |diff| %.3g)"
                       % (type(layer).__name__, diff))
    else:
        derivation += "; tf_keras.backend.rnn with the tf_keras %s cell's call as step" % type(layer.cell).__name__

    return {
        "name": name,
        "description": description,
        "derivation": derivation,
        "dtype": "float32",
        "step": "cell",
        "params": {},
        "flat": True,
        "inputs": fj.tensor(x_call, "float32"),
        "initialStates": [fj.tensor(s, "float32") for s in states],
        "constants": [],
        "mask": None if mask_call is None else fj.tensor(mask_call, "bool" if mask_call.dtype == bool else "float32"),
        "maskIsNumeric": mask_call is not None and mask_call.dtype != bool,
        "goBackwards": go_backwards,
        "timeMajor": time_major,
        "zeroOutputForMask": zero_output,
        "returnAllOutputs": return_all,
        "unroll": False,
        "inputLength": None,
        "expected": {"lastOutput": fj.tensor(last, "float32"), "outputs": fj.tensor(outs, "float32"),
                     "newStates": [fj.tensor(s, "float32") for s in new]},
        "stepCalls": T,
        "cell": {
            "type": kind,
            "resetAfter": reset_after if kind == "gru" else None,
            "activation": activation,
            "recurrentActivation": recurrent_activation if kind != "simple" else None,
            "kernel": fj.tensor(kernel, "float32"),
            "recurrentKernel": fj.tensor(recurrent, "float32"),
            "bias": None if bias is None else fj.tensor(bias, "float32"),
            "via": via,
        },
    }


def cases():
    C = []

    def add(name, description, kind, **kw):
        C.append((name, lambda: build_cell_case(name, description, kind, **kw)))

    m = dict(B=5, T=7, mask=MIXED)
    # LSTM
    add("cell_lstm_basic", "LSTM, no mask, zero initial states", "lstm")
    add("cell_lstm_mask_initial", "LSTM, mixed-padding mask, explicit initial states", "lstm", initial_states=True, **m)
    add("cell_lstm_backwards_mask", "LSTM, go_backwards + mask", "lstm", go_backwards=True, **m)
    add("cell_lstm_time_major_mask", "LSTM, time_major (T,B,I) + mask (T,B)", "lstm", time_major=True,
        initial_states=True, **m)
    add("cell_lstm_no_bias", "LSTM without bias", "lstm", use_bias=False, **m)
    add("cell_lstm_relu_hard_sigmoid", "LSTM, activation relu, recurrent hard_sigmoid", "lstm", activation="relu",
        recurrent_activation="hard_sigmoid", initial_states=True, **m)
    add("cell_lstm_numeric_mask", "LSTM, numeric mask (NaN/inf valid, -0 masked)", "lstm", mask_numeric=True,
        B=5, T=7, mask=MIXED)
    add("cell_lstm_odd_sizes", "LSTM, B=9, I=7, U=17 (odd kernel tiles)", "lstm", B=9, T=5, I=7, U=17,
        initial_states=True, go_backwards=True)
    add("cell_lstm_long", "LSTM, T=200, B=3, U=8, mask", "lstm", B=3, T=200, I=4, U=8,
        mask=[[t < 150 for t in range(200)], [True] * 200, [t >= 20 for t in range(200)]])
    add("cell_lstm_b1_t1", "LSTM, B=1, T=1", "lstm", B=1, T=1, initial_states=True)
    add("cell_lstm_backend_zero_output_backwards", "LSTM via backend.rnn, mask + go_backwards + zero_output",
        "lstm", via="backend", zero_output=True, go_backwards=True, initial_states=True, **m)
    add("cell_lstm_backend_last_only_zero", "LSTM via backend.rnn, mask + zero_output + return_all_outputs=False",
        "lstm", via="backend", zero_output=True, return_all=False, **m)
    # GRU reset_after=True
    add("cell_gru_basic", "GRU (reset_after), no mask", "gru")
    add("cell_gru_mask_initial", "GRU (reset_after), mask + initial state", "gru", initial_states=True, **m)
    add("cell_gru_backwards_time_major_mask", "GRU (reset_after), go_backwards + time_major + mask", "gru",
        go_backwards=True, time_major=True, **m)
    add("cell_gru_no_bias", "GRU (reset_after) without bias", "gru", use_bias=False, **m)
    add("cell_gru_relu_hard_sigmoid", "GRU (reset_after), relu + hard_sigmoid", "gru", activation="relu",
        recurrent_activation="hard_sigmoid", initial_states=True, **m)
    add("cell_gru_odd_sizes", "GRU (reset_after), B=9, I=7, U=17", "gru", B=9, T=5, I=7, U=17, initial_states=True)
    add("cell_gru_backend_zero_output", "GRU (reset_after) via backend.rnn, mask + zero_output", "gru",
        via="backend", zero_output=True, **m)
    # GRU reset_after=False
    add("cell_gru_v1_basic", "GRU (reset_after=False), no mask", "gru", reset_after=False)
    add("cell_gru_v1_mask_backwards", "GRU (reset_after=False), mask + go_backwards + initial state", "gru",
        reset_after=False, go_backwards=True, initial_states=True, **m)
    add("cell_gru_v1_no_bias_time_major", "GRU (reset_after=False) without bias, time_major + mask", "gru",
        reset_after=False, use_bias=False, time_major=True, **m)
    add("cell_gru_v1_backend_last_only", "GRU (reset_after=False) via backend.rnn, mask + go_backwards + "
        "return_all_outputs=False", "gru", reset_after=False, via="backend", go_backwards=True, return_all=False, **m)
    # SimpleRNN
    add("cell_simple_basic", "SimpleRNN, no mask", "simple")
    add("cell_simple_mask_initial_backwards", "SimpleRNN, mask + initial state + go_backwards", "simple",
        initial_states=True, go_backwards=True, **m)
    add("cell_simple_relu_no_bias", "SimpleRNN, relu activation, no bias, mask", "simple", activation="relu",
        use_bias=False, **m)
    add("cell_simple_time_major_mask", "SimpleRNN, time_major + mask (T,B)", "simple", time_major=True, **m)
    add("cell_simple_backend_zero_output_last_only", "SimpleRNN via backend.rnn, mask + zero_output + "
        "return_all_outputs=False + go_backwards", "simple", via="backend", zero_output=True, return_all=False,
        go_backwards=True, **m)
    add("cell_simple_linear", "SimpleRNN, linear activation, odd sizes", "simple", activation="linear", B=7, T=6,
        I=5, U=9, initial_states=True)
    # tf_keras's other element-wise activations (Activation's cases beyond the API file's five)
    add("cell_lstm_softsign_swish", "LSTM, activation softsign, recurrent swish, mask", "lstm", activation="softsign",
        recurrent_activation="swish", initial_states=True, **m)
    add("cell_lstm_gelu_odd", "LSTM, activation gelu, odd sizes", "lstm", activation="gelu",
        B=9, T=5, I=7, U=17)
    add("cell_gru_elu_softplus", "GRU (reset_after), activation elu, recurrent softplus, mask", "gru",
        activation="elu", recurrent_activation="softplus", initial_states=True, **m)
    add("cell_gru_v1_selu_gelu", "GRU (reset_after=False), activation selu, recurrent gelu, go_backwards", "gru",
        reset_after=False, activation="selu", recurrent_activation="gelu", go_backwards=True, initial_states=True)
    add("cell_simple_softplus", "SimpleRNN, softplus activation, mask", "simple", activation="softplus", **m)
    add("cell_simple_exponential_backend", "SimpleRNN via backend.rnn, exponential activation, mask + zero_output",
        "simple", activation="exponential", via="backend", zero_output=True, weight_scale=0.25, **m)
    add("cell_gru_mish_hard_sigmoid", "GRU (reset_after), activation mish, recurrent hard_sigmoid, mask", "gru",
        activation="mish", recurrent_activation="hard_sigmoid", **m)
    add("cell_simple_swish_odd", "SimpleRNN, swish activation, odd sizes, time_major", "simple",
        activation="swish", B=7, T=6, I=5, U=9, time_major=True, initial_states=True)
    # relu6 and leaky_relu: tf.nn functions that tf_keras's activations.get also resolves by name
    add("cell_lstm_relu6_leaky_relu", "LSTM, activation relu6, recurrent leaky_relu, mask", "lstm",
        activation="relu6", recurrent_activation="leaky_relu", initial_states=True, **m)
    add("cell_gru_v1_leaky_relu_odd", "GRU (reset_after=False), activation leaky_relu, odd sizes, go_backwards",
        "gru", reset_after=False, activation="leaky_relu", B=9, T=5, I=7, U=17, go_backwards=True)
    add("cell_simple_relu6_backend", "SimpleRNN via backend.rnn, relu6 activation, mask + zero_output, large weights",
        "simple", activation="relu6", via="backend", zero_output=True, weight_scale=4.0, **m)
    return C
