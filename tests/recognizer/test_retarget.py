"""The recognizer retargeted to a lower input height (``onnxnet.retarget_height``): the torch
network that fine-tunes it, its ONNX export and the serving recognizer agree on the new shape."""
import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")

V1 = Path(__file__).resolve().parents[2] / "models" / "zoo" / "recognizer" / "v1"


@pytest.fixture(scope="module")
def h32_model(tmp_path_factory):
    """v1's weights in the height-32 graph, exported as a zoo folder (no training: the
    retargeting alone)."""
    from sohoa.training.recognizer.charset import charset
    from sohoa.training.recognizer.onnxnet import RecNet, export_onnx
    torch.manual_seed(0)
    net = RecNet(charset(), V1 / "rec.onnx", height=32).eval()
    out = tmp_path_factory.mktemp("rec-h32")
    export_onnx(net, out / "rec.onnx")
    (out / "manifest.json").write_text(json.dumps({"version": "h32-test",
                                                   "input": {"height": net.height, "stride": net.stride}}))
    return net, out


def test_retargeted_graph_keeps_width_in_last_pool(h32_model):
    net, _ = h32_model
    assert (net.height, net.stride) == (32, 4)
    from sohoa.training.recognizer.onnxnet import output_stride
    assert output_stride(onnx.load(str(V1 / "rec.onnx"))) == 8  # the original: a frame per 8 columns


def test_onnx_export_matches_torch_at_height_32(h32_model):
    import onnxruntime as ort
    net, folder = h32_model
    x = np.random.default_rng(0).uniform(-1, 1, (2, 3, 32, 96)).astype(np.float32)
    with torch.no_grad():
        want = torch.softmax(net(torch.from_numpy(x)), -1).numpy()
    sess = ort.InferenceSession(str(folder / "rec.onnx"), providers=["CPUExecutionProvider"])
    got = sess.run(None, {sess.get_inputs()[0].name: x})[0]
    assert got.shape == (2, 96 // 4, len(net.chars) + 1)
    assert np.abs(got - want).max() < 1e-4


def test_line_recognizer_reads_height_and_stride_from_manifest(h32_model):
    from sohoa.models.ocr.recognizer import LineRecognizer
    _, folder = h32_model
    rec = LineRecognizer(folder, threads=1)
    assert (rec.height, rec.stride) == (32, 4)
    crop = np.full((40, 300), 255, np.uint8)
    crop[12:28, 20:280:6] = 0
    scaled = rec.scaled(crop)
    assert scaled.shape == (32, 240)
    probs = rec.probabilities([scaled])[0]
    assert probs.shape[0] == 240 // 4
    line = rec.recognize_lines([crop])[0]
    assert line.char_w == pytest.approx(4 * 300 / 240)  # a frame's width in crop pixels


def test_opt_in_models_are_used_only_when_named(tmp_path, monkeypatch):
    from sohoa.models.ocr import recognizer
    for name, manifest in (("v1", {"version": "v1"}), ("v2", {"version": "v2", "default": False})):
        (tmp_path / name).mkdir()
        (tmp_path / name / "rec.onnx").write_bytes(b"")
        (tmp_path / name / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setattr(recognizer, "ZOO", tmp_path)
    assert recognizer.default_model_dir() == tmp_path / "v1"
    (tmp_path / "v3").mkdir()
    (tmp_path / "v3" / "rec.onnx").write_bytes(b"")
    assert recognizer.default_model_dir() == tmp_path / "v3"  # no manifest: an ordinary model


def test_committed_fast_recognizer_reads_a_rendered_line():
    """models/zoo/recognizer/v1-fast: opt-in, height 32, and it reads Vietnamese."""
    from PIL import Image, ImageDraw, ImageFont
    from rapidfuzz.distance import Levenshtein

    from sohoa.models.ocr.recognizer import LineRecognizer, default_model_dir
    fast = V1.parent / "v1-fast"
    assert default_model_dir() != fast
    text = "Số: 1906/SGDĐT-CTrTT ngày 26 tháng 7 năm 2020"
    img = Image.new("L", (1000, 60), 255)
    font = ImageFont.truetype("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf", 36)
    ImageDraw.Draw(img).text((20, 10), text, font=font, fill=20)
    rec = LineRecognizer(fast, threads=1)
    assert (rec.height, rec.stride) == (32, 4)
    got = rec.recognize_lines([np.asarray(img)])[0].text
    assert Levenshtein.distance(got, text) <= 2, got


def test_export_of_a_height_32_run_writes_its_shape_and_opt_in(h32_model, tmp_path):
    """``sohoa recognizer export --opt-in`` of a run trained with ``--height 32``."""
    from sohoa.training.recognizer.train import export
    net, _ = h32_model
    run = tmp_path / "run"
    run.mkdir()
    torch.save(net.state_dict(), run / "weights.pt")
    (run / "config.json").write_text(json.dumps({"height": 32, "init_onnx": str(V1 / "rec.onnx")}))
    export(run, tmp_path / "out", "t", opt_in=True)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["input"]["height"] == 32 and manifest["input"]["stride"] == 4
    assert manifest["default"] is False
