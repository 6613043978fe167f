#!/usr/bin/env python3
"""Which summation order TensorFlow's CPU matmul uses, row by row (KERNELS.md, nineteenth round).

For a few shapes [M, K]·[K, N], compares tf.linalg.matmul with float32 replays: one FMA chain over k ascending (the
engine's order for every element), separate multiply and add, k descending, and P interleaved partial chains (k ≡ p
mod P) summed in order or as a tree, with and without FMA. Prints, for the rows where TF differs from the ascending
FMA chain, the replays that match it best. TF's choice depends on the CPU (oneDNN's kernels are generated for it).

    python3 Scripts/tf_matmul_order.py            # needs tensorflow-cpu 2.21 (see Scripts/keras_fuzz.py)
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

F32, F64 = np.float32, np.float64


def chain(a, b, ks, fma=True):
    """Σ_k a[:, k]·b[k, :] over ks in order; each step one FMA (exact product, one rounding) or two roundings."""
    acc = np.zeros((a.shape[0], b.shape[1]), F32)
    for k in ks:
        if fma:  # the product of two floats is exact in float64; the sum rounds once to float32 (no double rounding
            acc = (acc.astype(F64) + a[:, k:k + 1].astype(F64) * b[k:k + 1, :].astype(F64)).astype(F32)  # here)
        else:
            acc = (acc + (a[:, k:k + 1] * b[k:k + 1, :]).astype(F32)).astype(F32)
    return acc


def partials(a, b, parts, fma):
    """`parts` chains over k ≡ p (mod parts), summed in order and as a pairwise tree."""
    k = a.shape[1]
    chains = [chain(a, b, range(p, k, parts), fma) for p in range(parts)]
    ordered = chains[0]
    for c in chains[1:]:
        ordered = (ordered + c).astype(F32)
    tree = chains
    while len(tree) > 1:
        tree = [(tree[i] + tree[i + 1]).astype(F32) if i + 1 < len(tree) else tree[i] for i in range(0, len(tree), 2)]
    return ordered, tree[0]


def main():
    rng = np.random.default_rng(2)
    for m, k, n in [(64, 128, 1024), (8, 32, 128), (33, 20, 160), (3, 64, 256), (8, 18, 72), (2, 11, 72), (1, 64, 256)]:
        a = rng.standard_normal((m, k)).astype(F32)
        b = rng.standard_normal((k, n)).astype(F32)
        tf_result = tf.linalg.matmul(a, b).numpy()
        replays = {"fma ascending": chain(a, b, range(k)), "mul+add ascending": chain(a, b, range(k), fma=False),
                   "fma descending": chain(a, b, range(k - 1, -1, -1))}
        for parts in (2, 4, 8):
            for fma in (True, False):
                ordered, tree = partials(a, b, parts, fma)
                name = f"{'fma' if fma else 'mul+add'}, {parts} partial chains"
                replays[name + " in order"], replays[name + " as a tree"] = ordered, tree
        same = tf_result == replays["fma ascending"]
        rows = [r for r in range(m) if not same[r].all()]
        line = f"[{m}, {k}]·[{k}, {n}]: ascending FMA chain = TF for {same.mean():.1%} of elements"
        if rows:
            best = sorted(((float(np.mean(tf_result[rows] == v[rows])), name) for name, v in replays.items()),
                          reverse=True)[:2]
            line += (f"; rows {rows if len(rows) <= 8 else rows[:8] + ['…']} differ, best replays there: "
                     + ", ".join(f"{name} {share:.0%}" for share, name in best))
        print(line)


if __name__ == "__main__":
    main()
