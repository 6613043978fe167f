#!/usr/bin/env python3
"""The numpy-written files of Tests/ParallelRNNTests/Fixtures/npy, read by NPYTests.swift.

Each file is what np.save / np.savez / np.savez_compressed write for the array its name describes (dtype, byte order,
memory order, shape); f4_v2_2x3.npy is the same array with a version 2.0 header (numpy writes 2.0 only for headers
over 64 KiB, so it is forced here). Run from anywhere, with numpy 2.x:
    python3 Scripts/generate_npy_fixtures.py            # rewrites the files
    python3 Scripts/generate_npy_fixtures.py --check    # exit 1 unless every committed file is byte-identical
"""
import argparse
import io
import os
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "ParallelRNNTests", "Fixtures", "npy")

X23 = np.array([[-0.625, -0.375, -0.125], [0.125, 0.375, 0.625]], dtype="<f4")
MASK24 = np.array([[True, False, True, True], [False, False, True, False]])
F16_SPECIALS = np.array([0.0, -0.0, 1.0, -2.5, 65504.0, 2.0**-14, 2.0**-24, -(2.0**-14 - 2.0**-24),
                         np.inf, -np.inf, np.nan, 1 / 3], dtype="<f2")  # normal/subnormal limits, NaN 0x7e00


def npy(array, version=None):
    buf = io.BytesIO()
    if version is None:
        np.save(buf, array)
    else:
        np.lib.format.write_array(buf, array, version=version)
    return buf.getvalue()


def npz(compressed, **arrays):
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    return buf.getvalue()


def files():
    return {
        "b1_2x4.npy": npy(MASK24),
        "b1_fortran_2x3x2.npy": npy(np.asfortranarray(np.array([[[True, False], [False, True], [False, False]]] * 2))),
        "f2_specials.npy": npy(F16_SPECIALS),
        "f4_2x3.npy": npy(X23),
        "f4_bigendian.npy": npy(X23.astype(">f4")),
        "f4_empty_0x3.npy": npy(np.zeros((0, 3), dtype="<f4")),
        "f4_fortran_2x3.npy": npy(np.asfortranarray(X23)),
        "f4_fortran_4x3x2.npy": npy(np.asfortranarray(np.arange(24, dtype="<f4").reshape((4, 3, 2), order="F"))),
        "f4_scalar.npy": npy(np.array(7.25, dtype="<f4")),
        "f4_v2_2x3.npy": npy(X23, version=(2, 0)),
        "f8_bigendian_fortran_3x2.npy": npy(np.asfortranarray(
            np.array([[1.5, -2.0], [np.pi, 1e300], [-0.0, 5e-324]], dtype=">f8"))),
        "f8_vector.npy": npy(np.array([1.0, -0.0, np.pi, 1e300, -np.inf], dtype="<f8")),
        "i8_vector.npy": npy(np.arange(4, dtype="<i8")),
        "arrays.npz": npz(False, x=X23, m=MASK24, d=np.array([1.5, 2.5])),
        "arrays_compressed.npz": npz(True, x=X23, m=MASK24, d=np.array([1.5, 2.5])),
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--check", action="store_true", help="compare with the committed files instead of writing")
    args = p.parse_args()
    made = files()
    if args.check:
        committed = sorted(f for f in os.listdir(OUT) if f.endswith((".npy", ".npz")))
        bad = [f for f in committed if f not in made]
        for name, data in made.items():
            path = os.path.join(OUT, name)
            if not os.path.exists(path) or open(path, "rb").read() != data:
                bad.append(name)
        print("%d files: %s" % (len(made), "all byte-identical" if not bad else "differ: " + ", ".join(sorted(bad))))
        sys.exit(1 if bad else 0)
    os.makedirs(OUT, exist_ok=True)
    for name, data in made.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print("wrote %d files to %s" % (len(made), os.path.normpath(OUT)))


if __name__ == "__main__":
    main()
