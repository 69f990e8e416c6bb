"""The small from-scratch recognizer (``training/recognizer/smallnet.py``): its ONNX export agrees
with torch, a run trains, exports and is served by ``LineRecognizer``, and the augmentation keeps
every label spellable under CTC."""
import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")

CONFIG = {"widths": [16, 24, 32, 48], "seq": 64, "depths": [1, 2, 1], "temporal": [1, 2]}


def _chars():
    from sohoa.training.recognizer.charset import charset
    return charset()


def test_onnx_export_matches_torch(tmp_path):
    import onnxruntime as ort

    from sohoa.training.recognizer.smallnet import SmallRecNet, export_small_onnx
    torch.manual_seed(0)
    net = SmallRecNet(_chars(), height=32, **CONFIG)
    # non-trivial batch-norm statistics, so the export's folded batch norms are checked too
    net.train()
    with torch.no_grad():
        for _ in range(3):
            net(torch.randn(4, 3, 32, 128))
    net.eval()
    export_small_onnx(net, tmp_path / "rec.onnx")
    x = np.random.default_rng(0).uniform(-1, 1, (2, 3, 32, 200)).astype(np.float32)
    with torch.no_grad():
        want = torch.softmax(net(torch.from_numpy(x)), -1).numpy()
    sess = ort.InferenceSession(str(tmp_path / "rec.onnx"), providers=["CPUExecutionProvider"])
    got = sess.run(None, {sess.get_inputs()[0].name: x})[0]
    assert got.shape == (2, 200 // 4, len(_chars()) + 1)  # a frame per 4 columns, blank first
    assert np.abs(got - want).max() < 1e-4
    meta = sess.get_modelmeta().custom_metadata_map
    assert meta["character"].split("\n") == _chars()


def test_height_must_allow_four_halvings():
    from sohoa.training.recognizer.smallnet import SmallRecNet
    with pytest.raises(ValueError, match="divisible by 16"):
        SmallRecNet(_chars(), height=40)


def test_augmented_batches_stay_spellable():
    from sohoa.training.recognizer.train import Batches
    rng = np.random.default_rng(1)
    texts = ["Sở Giáo dục", "Số: 12/QĐ-UBND", "ngày 26 tháng 7"]
    imgs = [rng.integers(0, 255, (32, 4 * (2 * len(t) + 1) + 8), dtype=np.uint8) for t in texts]
    b = Batches(imgs, texts, _chars(), max_pixels=32 * 10000, stride=4, channels=1, augment=True)
    assert len(b.ok) == 3
    for _ in range(20):
        x, tgt, lens = b.tensors([0, 1, 2])
        assert x.shape[:3] == (3, 1, 32)
        assert x.shape[3] // 4 >= 2 * int(lens.max()) + 1
        assert float(x.min()) >= -1.0 and float(x.max()) <= 1.0


def test_small_run_trains_exports_and_serves(tmp_path):
    """``sohoa recognizer train --arch small`` for a few steps on rendered lines, then export and
    read with the serving recognizer: the plumbing, not the accuracy."""
    from sohoa.models.ocr.recognizer import LineRecognizer
    from sohoa.training.recognizer.render import render_cache
    from sohoa.training.recognizer.train import export, train
    data = tmp_path / "lines.npz"
    render_cache(["Ủy ban nhân dân", "Giấy chứng nhận", "Số 15/2024"] * 4, data, workers=1, seed=3)
    run = tmp_path / "run"
    m = train([data], data, run, max_steps=3, max_pixels=48 * 3000, arch="small", height=32,
              net_config=CONFIG, augment=True, warmup=1, log=lambda s: None)
    assert m["steps"] == 3 and 0.0 <= m["val"]["cer"]
    config = json.loads((run / "config.json").read_text())
    assert config["arch"] == "small" and config["widths"] == CONFIG["widths"]
    # a run's whole config.json passed back as --net-config (resuming) is accepted
    m2 = train([data], None, run, max_steps=4, max_pixels=48 * 3000, arch="small", height=32,
               net_config=config, resume=True, log=lambda s: None)
    assert m2["steps"] == 4
    export(run, tmp_path / "out", "small-test", opt_in=True)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["input"] == {**manifest["input"], "height": 32, "stride": 4}
    assert manifest["architecture"]["arch"] == "small" and manifest["default"] is False
    rec = LineRecognizer(tmp_path / "out", threads=1)
    crop = np.full((40, 300), 255, np.uint8)
    crop[12:28, 20:280:6] = 0
    line = rec.recognize_lines([crop])[0]
    assert rec.probabilities([rec.scaled(crop)])[0].shape[0] == rec.scaled(crop).shape[1] // 4
    assert 0.0 <= line.confidence <= 1.0


def test_cascade_rereads_only_unsure_lines():
    """``SohoaEngine`` with a fallback: the committed v2-small reads, v1 re-reads the lines whose
    least sure character is below the threshold, and only those."""
    from PIL import Image, ImageDraw, ImageFont

    from sohoa.models.ocr.recognizer import SohoaEngine
    zoo = Path(__file__).resolve().parents[2] / "models" / "zoo" / "recognizer"
    font = ImageFont.truetype("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf", 30)
    crops = []
    for text in ("Giấy chứng nhận đăng ký hộ kinh doanh", "Số: 15/2024/QĐ-UBND"):
        img = Image.new("L", (760, 50), 255)
        ImageDraw.Draw(img).text((10, 8), text, font=font, fill=20)
        crops.append(np.asarray(img))
    never = SohoaEngine(zoo / "v2-small", threads=1, fallback_dir=zoo / "v1", reread_below=0.0)
    always = SohoaEngine(zoo / "v2-small", threads=1, fallback_dir=zoo / "v1", reread_below=1.01)
    assert [t.text for t in never.read_lines(crops)] == [t.text for t in never.rec.recognize_lines(crops)]
    assert [t.text for t in always.read_lines(crops)] == [t.text for t in always.fallback.recognize_lines(crops)]
    assert "v2-small|v1<0.9" in SohoaEngine(zoo / "v2-small", threads=1, fallback_dir=zoo / "v1").version


def test_fine_tuning_starts_from_the_exported_function(tmp_path):
    """``load_folded``: an exported small model read back into torch (batch norms folded into the
    convolutions by the export, frozen after) computes what the ONNX model computes, in train
    mode too, and exports to the same function again."""
    import onnxruntime as ort

    from sohoa.training.recognizer.smallnet import SmallRecNet, export_small_onnx
    torch.manual_seed(1)
    net = SmallRecNet(_chars(), height=32, **CONFIG).train()
    with torch.no_grad():
        for _ in range(3):
            net(torch.randn(4, 3, 32, 96))
    export_small_onnx(net, tmp_path / "a.onnx")
    again = SmallRecNet(_chars(), height=32, **CONFIG)
    again.load_folded(tmp_path / "a.onnx")
    again.train()  # batch norms stay frozen: no batch statistics
    x = np.random.default_rng(2).uniform(-1, 1, (3, 3, 32, 120)).astype(np.float32)
    sess = ort.InferenceSession(str(tmp_path / "a.onnx"), providers=["CPUExecutionProvider"])
    want = sess.run(None, {"x": x})[0]
    with torch.no_grad():
        got = torch.softmax(again(torch.from_numpy(x)), -1).numpy()
    assert np.abs(got - want).max() < 1e-4
    export_small_onnx(again, tmp_path / "b.onnx")
    sess_b = ort.InferenceSession(str(tmp_path / "b.onnx"), providers=["CPUExecutionProvider"])
    assert np.abs(sess_b.run(None, {"x": x})[0] - want).max() < 1e-4
