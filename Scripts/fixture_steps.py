"""The named step-function catalog used by the golden fixtures, written with TensorFlow ops.

Each entry maps a catalog name to a factory `factory(params) -> step(x_t, states) -> (output, new_states)`, where
`params` are tf constants keyed by name and `states` is Keras's `tuple(states) + tuple(constants)`.
The Swift twin of every entry is in Tests/ParallelRNNTests/FixtureSupport/StepCatalog.swift; keep them in sync.
Every step is row-independent: row b of its results depends only on row b of its arguments plus constants.
"""

import tensorflow as tf


def _mm(x, w):
    """[..., K] x [K, N] -> [..., N] (a higher-rank left operand is treated as rows)."""
    shape = tf.shape(x)
    flat = tf.reshape(x, [-1, x.shape[-1]])
    out = tf.matmul(flat, w)
    return tf.reshape(out, tf.concat([shape[:-1], [w.shape[-1]]], axis=0))


def _hard_sigmoid(x):
    return tf.clip_by_value(0.2 * x + 0.5, 0.0, 1.0)


def tanh_rnn(p):
    # states [h (B,U)]; h' = tanh(x W + h R); output h'.
    def step(x, s):
        h = tf.tanh(_mm(x, p["W"]) + _mm(s[0], p["R"]))
        return h, [h]
    return step


def tanh_rnn_proj(p):
    # states [h (B,U)]; h' = tanh(x W + h R); output h' P (B,O), O != U.
    def step(x, s):
        h = tf.tanh(_mm(x, p["W"]) + _mm(s[0], p["R"]))
        return _mm(h, p["P"]), [h]
    return step


def two_state(p):
    # states [h (B,U), c (B,V)], U != V; output [relu(h' P), c'[:, 0:1]] (B, O+1).
    def step(x, s):
        h, c = s[0], s[1]
        h2 = tf.tanh(_mm(x, p["Wh"]) + _mm(h, p["Rh"]) + _mm(c, p["Ch"]))
        c2 = 0.5 * c + _hard_sigmoid(_mm(x, p["Wc"]) + _mm(h, p["Hc"]))
        out = tf.concat([tf.nn.relu(_mm(h2, p["P"])), c2[:, 0:1]], axis=-1)
        return out, [h2, c2]
    return step


def no_state(p):
    # states []; output tanh(x W).
    def step(x, s):
        return tf.tanh(_mm(x, p["W"])), []
    return step


def accumulate(p):
    # states [h (B,I)]; h' = h + x; output h' (exact in any implementation).
    def step(x, s):
        h = s[0] + x
        return h, [h]
    return step


def const_matrix(p):
    # states [h (B,U)], constants [M (U,U)] (not batch-aligned: U != B); h' = tanh(x W + h M).
    def step(x, s):
        h = tf.tanh(_mm(x, p["W"]) + _mm(s[0], s[1]))
        return h, [h]
    return step


def const_bias(p):
    # states [h (B,U)], constants [c] with c (B,U) (batch-aligned) or (1,U) (shared); h' = tanh(x W + h R + c).
    def step(x, s):
        h = tf.tanh(_mm(x, p["W"]) + _mm(s[0], p["R"]) + s[1])
        return h, [h]
    return step


def const_memory(p):
    # states [h (B,U)], constants [mem (B,S,D) batch-aligned, scale (1,1) shared];
    # h' = tanh(x W + h R + sum_S(mem) V) * scale.
    def step(x, s):
        h, mem, scale = s[0], s[1], s[2]
        ctx = tf.reduce_sum(mem, axis=1)
        h2 = tf.tanh(_mm(x, p["W"]) + _mm(h, p["R"]) + _mm(ctx, p["V"])) * scale
        return h2, [h2]
    return step


def nan_pad(p):
    # states [h (B,U)]; q = sum(x*x, -1, keepdims) (B,1); h' = tanh(x W + h R) * (q / q);
    # output [h', 1/q, -1/q] (B, U+2). Where x is all zeros (padding), h' is NaN and the output has NaN/inf/-inf.
    def step(x, s):
        q = tf.reduce_sum(x * x, axis=-1, keepdims=True)
        h = tf.tanh(_mm(x, p["W"]) + _mm(s[0], p["R"])) * (q / q)
        return tf.concat([h, 1.0 / q, -1.0 / q], axis=-1), [h]
    return step


def rank4(p):
    # inputs (B,T,H,W) so x_t (B,H,W); states [h (B,H,U), g (B,U)]; h' = tanh(x_t Wx + h R) (rows over B,H);
    # g' = g + sum_H(h'); output h' (B,H,U).
    def step(x, s):
        h, g = s[0], s[1]
        h2 = tf.tanh(_mm(x, p["W"]) + _mm(h, p["R"]))
        g2 = g + tf.reduce_sum(h2, axis=1)
        return h2, [h2, g2]
    return step


def nested(p):
    # inputs {"seq": x (B,T,I), "aux": [a (B,T,J), {"deep": d (B,T,K)}]};
    # states [h (B,U), {"zc": c (B,V), "ab": [g (B,U)]}];
    # h' = tanh(x Wx + a Wa + h R + c Ch); c' = sigmoid(d Wd + h' Hc); g' = g + h';
    # output {"y": h', "m": [c', relu(g')]}; new states [h', {"zc": c', "ab": [g']}].
    # nested_const adds constants [{"bias": (1,U), "mem": (B,U)}] to the pre-activation of h'.
    def step(inp, s):
        x, a, d = inp["seq"], inp["aux"][0], inp["aux"][1]["deep"]
        h, c, g = s[0], s[1]["zc"], s[1]["ab"][0]
        pre = _mm(x, p["Wx"]) + _mm(a, p["Wa"]) + _mm(h, p["R"]) + _mm(c, p["Ch"])
        if len(s) > 2:
            pre = pre + s[2]["bias"] + s[2]["mem"]
        h2 = tf.tanh(pre)
        c2 = tf.sigmoid(_mm(d, p["Wd"]) + _mm(h2, p["Hc"]))
        g2 = g + h2
        return {"y": h2, "m": [c2, tf.nn.relu(g2)]}, [h2, {"zc": c2, "ab": [g2]}]
    return step


CATALOG = {
    "tanh_rnn": tanh_rnn,
    "tanh_rnn_proj": tanh_rnn_proj,
    "two_state": two_state,
    "no_state": no_state,
    "accumulate": accumulate,
    "const_matrix": const_matrix,
    "const_bias": const_bias,
    "const_memory": const_memory,
    "nan_pad": nan_pad,
    "rank4": rank4,
    "nested": nested,
    "nested_const": nested,
}
