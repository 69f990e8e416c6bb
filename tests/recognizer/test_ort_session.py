import numpy as np

from sohoa.models.ocr.ppocr_det import rapidocr_model
from sohoa.models.onnx_session import flush_denormals, ort_session


def _det_path():
    return rapidocr_model("PP-OCRv6_det_small.onnx")  # rapidocr is a core dependency: no skip


def test_flush_denormals_edits_only_subnormal_weights():
    raw = _det_path().read_bytes()
    flushed, n = flush_denormals(raw)
    assert n > 100_000  # the shipped det has ~256k subnormal weights (what made it slow)
    assert len(flushed) == len(raw)
    changed = np.flatnonzero(np.frombuffer(raw, np.uint8) != np.frombuffer(flushed, np.uint8))
    assert 0 < len(changed) <= 3 * n  # a subnormal's exponent byte is already 0 or 0x80
    assert flush_denormals(flushed)[1] == 0  # idempotent


def test_flushed_detector_gives_the_same_map():
    import onnxruntime as ort

    path = _det_path()
    x = np.random.default_rng(0).uniform(-1, 1, (1, 3, 160, 224)).astype(np.float32)
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    want = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    got = ort_session(path, 1).run(None, {"x": x})[0]
    assert got.shape == want.shape
    assert np.abs(got - want).max() < 1e-6
