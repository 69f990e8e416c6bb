"""ONNX Runtime sessions for every model of the pipeline (detector, recognizer, layout model).

One place sets the thread counts and the execution provider, and flushes subnormal weights
(``flush_denormals``) before a model is loaded. Serving has onnxruntime but not the ``onnx``
package, so the flush walks the protobuf itself.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def _varint(buf: bytearray, i: int) -> tuple[int, int]:
    out = shift = 0
    while True:
        b = buf[i]
        i += 1
        out |= (b & 0x7F) << shift
        if b < 0x80:
            return out, i
        shift += 7


def _fields(buf: bytearray, i: int, end: int):
    """(field number, wire type, value start, value end) of the protobuf message in buf[i:end]."""
    while i < end:
        key, i = _varint(buf, i)
        wire = key & 7
        if wire == 0:
            start = i
            _, i = _varint(buf, i)
        elif wire in (1, 5):
            start, i = i, i + (8 if wire == 1 else 4)
        elif wire == 2:
            n, start = _varint(buf, i)
            i = start + n
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield key >> 3, wire, start, i


def flush_denormals(model: bytes) -> tuple[bytes, int]:
    """The ONNX model with the subnormal values of its float32 initializers set to (signed) zero,
    and how many there were.

    Why: the PP-OCRv6 det ONNX ships ~256k subnormal weights (< 1.2e-38) in two 1x1 convolutions
    of its last stage; x86 multiplies subnormals in microcode, and those two small layers took
    over half the detector's time (a 1504x896 input on 2 cores: 1330 ms before, 446 ms after,
    the probability map bit-identical). Zero instead of 1e-39 changes no output, and flushing the
    weights needs no process-wide flush-to-zero mode (ORT's ``session.set_denormal_as_zero``
    changes the creating thread's FP state for all of Python, and not that of a thread that
    later calls ``run``). A minimal protobuf walk (ModelProto.graph → GraphProto.initializer →
    TensorProto raw_data/float_data), edited in place: serving has onnxruntime but not onnx.
    """
    buf, n = bytearray(model), 0
    for num, wire, s, e in _fields(buf, 0, len(buf)):
        if num != 7 or wire != 2:  # ModelProto.graph
            continue
        for gnum, gwire, gs, ge in _fields(buf, s, e):
            if gnum != 5 or gwire != 2:  # GraphProto.initializer
                continue
            tensor = list(_fields(buf, gs, ge))
            dtype = next((_varint(buf, ts)[0] for tn, tw, ts, _ in tensor if tn == 2 and tw == 0), 0)
            if dtype != 1:  # FLOAT
                continue
            for tn, tw, ts, te in tensor:  # raw_data (9) or packed float_data (4)
                if tw == 2 and tn in (4, 9) and (te - ts) % 4 == 0:
                    bits = np.frombuffer(buf, "<u4", (te - ts) // 4, ts)
                    sub = ((bits & 0x7F800000) == 0) & ((bits & 0x007FFFFF) != 0)
                    if sub.any():
                        bits[sub] &= np.uint32(0x80000000)
                        n += int(sub.sum())
    return bytes(buf), n


def ort_session(path: str | Path, threads: int | None = None, device: str = "cpu"):
    """An ONNX Runtime session of the model at ``path``, subnormal weights flushed.

    ``threads``: intra-op threads (None: ONNX Runtime's default, one per core). ``device="cuda"``
    uses the CUDA provider when the installed onnxruntime has it, else the CPU.
    """
    import onnxruntime as ort
    so = ort.SessionOptions()
    if threads:
        so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    providers = ["CPUExecutionProvider"]
    if device == "cuda" and "CUDAExecutionProvider" in ort.get_available_providers():
        providers.insert(0, "CUDAExecutionProvider")
    model, _ = flush_denormals(Path(path).read_bytes())
    return ort.InferenceSession(model, so, providers=providers)


def default_threads() -> int:
    """Threads for one pipeline's sessions: the machine's cores, at most four (more only adds
    synchronisation on page-sized inputs)."""
    return min(4, os.cpu_count() or 1)
