"""JSON writing for the golden fixtures (schema in Scripts/generate_fixtures.py).

tensor = {"shape": [...], "dtype": "float32"|"float64"|"bool", "data": [flat row-major values]}
Floats are printed with 9 significant digits (float32) or 17 (float64); NaN and infinities as the strings
"nan", "inf", "-inf". A nest is a tensor, {"list": [nest, ...]} or {"dict": {key: nest, ...}}.
"""

import math

import numpy as np


class Raw:
    """Pre-formatted JSON text, emitted verbatim."""

    def __init__(self, text):
        self.text = text


def _fmt(value, digits):
    v = float(value)
    if math.isnan(v):
        return '"nan"'
    if math.isinf(v):
        return '"inf"' if v > 0 else '"-inf"'
    return "%.*g" % (digits, v)


def tensor(arr, dtype=None):
    """A tensor object for a numpy array (or anything np.asarray accepts)."""
    arr = np.asarray(arr)
    if dtype is None:
        dtype = {np.dtype(np.float32): "float32", np.dtype(np.float64): "float64", np.dtype(bool): "bool"}[arr.dtype]
    flat = arr.reshape(-1)
    if dtype == "bool":
        data = ",".join("true" if bool(v) else "false" for v in flat)
    else:
        digits = 9 if dtype == "float32" else 17
        np_dtype = np.float32 if dtype == "float32" else np.float64
        data = ",".join(_fmt(v, digits) for v in flat.astype(np_dtype))
    return {"shape": [int(d) for d in arr.shape], "dtype": dtype, "data": Raw("[" + data + "]")}


def nest(value, dtype=None):
    """A nest object: lists/tuples → {"list"}, dicts → {"dict"} (keys in insertion order), arrays → tensor."""
    if isinstance(value, (list, tuple)):
        return {"list": [nest(v, dtype) for v in value]}
    if isinstance(value, dict):
        return {"dict": {k: nest(v, dtype) for k, v in value.items()}}
    return tensor(np.asarray(value), dtype)


def dumps(obj, indent=0):
    """Deterministic JSON: objects keep insertion order; tensors' data arrays stay on one line."""
    pad = "  " * indent
    inner = "  " * (indent + 1)
    if isinstance(obj, Raw):
        return obj.text
    if obj is None:
        return "null"
    if obj is True:
        return "true"
    if obj is False:
        return "false"
    if isinstance(obj, (int, np.integer)):
        return str(int(obj))
    if isinstance(obj, float):
        return _fmt(obj, 17)
    if isinstance(obj, str):
        return _string(obj)
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        if set(obj.keys()) == {"shape", "dtype", "data"}:
            return "{" + ", ".join(_string(k) + ": " + dumps(v, indent + 1) for k, v in obj.items()) + "}"
        items = [inner + _string(k) + ": " + dumps(v, indent + 1) for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, (list, tuple)):
        if not obj:
            return "[]"
        if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in obj):
            return "[" + ", ".join(str(int(v)) for v in obj) + "]"
        return "[\n" + ",\n".join(inner + dumps(v, indent + 1) for v in obj) + "\n" + pad + "]"
    raise TypeError("cannot encode %r" % type(obj))


def _string(s):
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)
