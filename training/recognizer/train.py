"""Fine-tune the PP-OCR recognizer backbone with a Vietnamese CTC head on cached rendered lines.

    sohoa recognizer render --n 200000 --out runs/recognizer/data/train.npz --seed 1 --workers 16
    sohoa recognizer render --n 4000 --out runs/recognizer/data/val.npz --seed 999
    sohoa recognizer train --data runs/recognizer/data/train.npz --val runs/recognizer/data/val.npz \
        --run runs/recognizer/r1 --minutes 60 [--resume]
    sohoa recognizer export --run runs/recognizer/r1 --out models/zoo/recognizer/v1

Checkpoints (``ckpt.pt``: weights, optimiser, step) are written every ``--ckpt-every`` steps and
at the end; ``--resume`` continues from the last one, so a session can stop mid-run. Works on
CUDA (bf16 autocast) and CPU.
"""
from __future__ import annotations

import json
import math
import os
import random
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from sohoa.training.recognizer.charset import charset
from sohoa.training.recognizer.onnxnet import RecNet, export_onnx
from sohoa.training.recognizer.render import HEIGHT, load_cache, to_height
from sohoa.training.recognizer.smallnet import SmallRecNet, export_small_onnx


def build_net(chars: list[str], config: dict, init_onnx: Path | None = None):
    """The network a run's ``config.json`` describes: ``arch`` "small" (smallnet.py, from scratch)
    or the PP-OCR graph (the default; ``init_onnx`` or PP-OCR's own weights)."""
    if config.get("arch") == "small":
        return SmallRecNet.from_config(chars, config)
    return RecNet(chars, init_onnx, height=config.get("height", HEIGHT))


def levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def normalize_batch(imgs: list[np.ndarray], pad_to: int | None = None, channels: int = 3) -> np.ndarray:
    """Grey uint8 crops of one height H -> float32 [B, channels, H, W] in [-1, 1], zero-padded on
    the right (as PP-OCR's own preprocessing does)."""
    W = pad_to or max(im.shape[1] for im in imgs)
    out = np.zeros((len(imgs), channels, imgs[0].shape[0], W), np.float32)
    for i, im in enumerate(imgs):
        w = min(W, im.shape[1])
        out[i, :, :, :w] = (im[:, :w].astype(np.float32) / 127.5 - 1.0)[None]
    return out


def greedy_decode(logits: torch.Tensor, chars: list[str]) -> list[str]:
    best = logits.argmax(-1).cpu().numpy()
    out = []
    for row in best:
        prev, s = 0, []
        for k in row:
            if k != prev and k != 0:
                s.append(chars[k - 1])
            prev = k
        out.append("".join(s))
    return out


class Batches:
    """Width-bucketed batches: lines sorted by width, cut into groups with a pixel budget."""

    def __init__(self, imgs, texts, chars, max_pixels: int, seed: int = 0, stride: int = 8, channels: int = 3,
                 augment: bool = False):
        """``augment``: each time a line is drawn, stretch its width by 0.8-1.2 and jitter its
        contrast, so that many epochs over one rendered set do not see the same pixels twice."""
        self.imgs, self.texts, self.channels, self.stride = imgs, texts, channels, stride
        self.augment, self.np_rng = augment, np.random.default_rng(seed)
        self.index = {c: i + 1 for i, c in enumerate(chars)}
        self.max_pixels = max_pixels
        self.rng = random.Random(seed)
        # drop lines whose label cannot fit the CTC output (T = W / stride)
        self.ok = [i for i, (im, t) in enumerate(zip(imgs, texts))
                   if t and im.shape[1] // stride >= len(t) + sum(a == b for a, b in zip(t, t[1:])) + 1
                   and all(c in self.index for c in t)]

    def epoch(self):
        order = sorted(self.ok, key=lambda i: self.imgs[i].shape[1] + self.rng.random() * 24)
        batches, cur, curw = [], [], 0
        for i in order:
            w = self.imgs[i].shape[1]
            if cur and max(curw, w) * (len(cur) + 1) * self.imgs[i].shape[0] > self.max_pixels:
                batches.append(cur)
                cur, curw = [], 0
            cur.append(i)
            curw = max(curw, w)
        if cur:
            batches.append(cur)
        self.rng.shuffle(batches)
        return batches

    def _jitter(self, im: np.ndarray, text: str) -> np.ndarray:
        import cv2
        r = self.np_rng
        w = int(im.shape[1] * r.uniform(0.8, 1.2))
        if w // self.stride >= 2 * len(text) + 1:  # keep the label spellable under CTC
            im = cv2.resize(im, (w, im.shape[0]), interpolation=cv2.INTER_LINEAR)
        a, b = r.uniform(0.75, 1.1), r.uniform(-15, 25)
        return np.clip(im.astype(np.float32) * a + b, 0, 255).astype(np.uint8)

    def tensors(self, idx):
        imgs = [self.imgs[i] for i in idx]
        if self.augment:
            imgs = [self._jitter(im, self.texts[i]) for im, i in zip(imgs, idx)]
        x = torch.from_numpy(normalize_batch(imgs, channels=self.channels))
        labels = [[self.index[c] for c in self.texts[i]] for i in idx]
        tgt = torch.tensor([k for lab in labels for k in lab], dtype=torch.long)
        lens = torch.tensor([len(lab) for lab in labels], dtype=torch.long)
        return x, tgt, lens


def prefetch(batches: Batches, order, depth: int = 6):
    """Build batches in a background thread while the accelerator works."""
    import queue
    import threading
    q: queue.Queue = queue.Queue(depth)
    stop = threading.Event()

    def work():
        for idx in order:
            if stop.is_set():
                break
            q.put((idx, batches.tensors(idx)))
        q.put(None)

    th = threading.Thread(target=work, daemon=True)
    th.start()
    try:
        while (item := q.get()) is not None:
            yield item
    finally:
        stop.set()
        while th.is_alive():
            try:
                q.get_nowait()
            except queue.Empty:
                th.join(0.05)


def evaluate(net, imgs, texts, chars, device, max_pixels=48 * 4096, limit: int | None = None):
    net.eval()
    b = Batches(imgs[:limit] if limit else imgs, texts[:limit] if limit else texts, chars, max_pixels,
                stride=net.stride)
    errs = total = exact = 0
    with torch.no_grad():
        for idx in b.epoch():
            x, _, _ = b.tensors(idx)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
                lg = net(x.to(device))
            for i, hyp in zip(idx, greedy_decode(lg.float(), chars)):
                ref = b.texts[i]
                errs += levenshtein(hyp, ref)
                total += len(ref)
                exact += hyp == ref
    net.train()
    return {"cer": errs / max(total, 1), "line_acc": exact / max(len(b.ok), 1), "lines": len(b.ok)}


def train(data: list[Path], val: Path | None, run: Path, minutes: float = 60.0, max_steps: int = 10**9,
          max_pixels: int = 48 * 24000, lr: float = 1e-3, freeze: float = 0.0, resume: bool = False,
          ckpt_every: int = 500, eval_every: int = 1000, threads: int | None = None,
          init_onnx: Path | None = None, init_weights: Path | None = None, warmup: int = 300,
          total_steps: int | None = None, height: int = HEIGHT, arch: str = "ppocr",
          net_config: dict | None = None, augment: bool = False, log=print) -> dict:
    """``arch`` "ppocr" fine-tunes the PP-OCR graph (or ``init_onnx``); "small" trains
    smallnet.SmallRecNet from scratch (``net_config``: its widths, seq, depths, temporal)."""
    run.mkdir(parents=True, exist_ok=True)
    if threads:
        torch.set_num_threads(threads)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    chars = charset()
    if arch == "small":
        # a whole config.json of an earlier run may be passed back in: its arch/height are ours
        config = SmallRecNet.from_config(chars, {**(net_config or {}), "height": height}).config
    else:
        config = {"arch": "ppocr", "height": height,
                  "init_onnx": str(init_onnx or os.environ.get("SOHOA_PPOCR_REC") or "")}
    net = build_net(chars, config, init_onnx)
    if arch == "small" and init_onnx:  # continue an exported small model (batch norms frozen)
        net.load_folded(init_onnx)
        config["init_onnx"] = str(init_onnx)
    net = net.to(device)
    # the export rebuilds the same network from this
    (run / "config.json").write_text(json.dumps(config))
    if init_weights and init_weights.exists():
        net.load_state_dict(torch.load(init_weights, map_location=device))
        log(f"initialised from {init_weights}")
    if arch == "small":  # from scratch: one learning rate
        opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
    else:  # pretrained body: half the head's rate
        params = net.trainable_groups(freeze)
        head = set(id(p) for p in net.head.parameters())
        opt = torch.optim.AdamW([{"params": [p for p in params if id(p) not in head], "lr": lr * 0.5},
                                 {"params": list(net.head.parameters()), "lr": lr}], weight_decay=1e-4)
    step, best = 0, None
    ckpt = run / "ckpt.pt"
    if resume and ckpt.exists():
        st = torch.load(ckpt, map_location=device)
        net.load_state_dict(st["model"])
        if "optim" in st:
            opt.load_state_dict(st["optim"])
        step, best = st["step"], st.get("best")
        log(f"resumed from {ckpt} at step {step}")
    imgs, texts = [], []
    for p in data:
        a, b = load_cache(p)
        imgs += a
        texts += b
    vimgs, vtexts = load_cache(val) if val else ([], [])
    if height != HEIGHT:  # the caches hold 48-pixel lines
        imgs, vimgs = [to_height(im, height) for im in imgs], [to_height(im, height) for im in vimgs]
    # the small network reads one grey channel: a third of the host-side work per batch
    batches = Batches(imgs, texts, chars, max_pixels, seed=step, stride=net.stride,
                      channels=1 if arch == "small" else 3, augment=augment)
    log(f"{len(batches.ok)} training lines, {len(vtexts)} validation lines, device {device}")
    total = total_steps or max_steps
    base = [g["lr"] for g in opt.param_groups]

    start_step = step

    def set_lr(s):
        # cosine over the step budget, or over the time budget when no step count is given
        if total_steps or max_steps < 10**8:
            prog = s / max(total, 1)
        else:
            prog = (time.time() - t0) / (minutes * 60)
        f = min(1.0, (s - start_step + 1) / warmup) * (0.5 * (1 + math.cos(math.pi * min(1.0, prog))) * 0.95 + 0.05)
        for g, b0 in zip(opt.param_groups, base):
            g["lr"] = b0 * f

    def save(extra=None):
        st = {"model": net.state_dict(), "optim": opt.state_dict(), "step": step, "best": best,
              "chars": chars}
        torch.save(st, run / "ckpt.tmp")
        os.replace(run / "ckpt.tmp", ckpt)
        torch.save(net.state_dict(), run / "weights.pt")

    net.train()
    t0 = time.time()
    deadline = t0 + minutes * 60
    hist = []
    done = False
    while not done:
        for idx, (x, tgt, lens) in prefetch(batches, batches.epoch()):
            x = x.to(device, non_blocking=True)
            set_lr(step)
            ts = time.time()
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
                lg = net(x)
            lp = F.log_softmax(lg.float(), -1).permute(1, 0, 2)  # [T, B, C]
            T = lp.shape[0]
            loss = F.ctc_loss(lp, tgt.to(device), torch.full((len(idx),), T, dtype=torch.long),
                              lens, blank=0, reduction="mean", zero_infinity=True)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            opt.step()
            step += 1
            hist.append((loss.item(), time.time() - ts))
            if step % 50 == 0 or step <= 3 or (device.type == "cpu" and step % 5 == 0):
                l = np.mean([h[0] for h in hist[-50:]])  # noqa: E741
                sps = np.mean([h[1] for h in hist[-50:]])
                log(f"step {step} loss {l:.4f} {sps:.3f} s/step batch {len(idx)}x{x.shape[-1]} "
                    f"lr {opt.param_groups[-1]['lr']:.2e} elapsed {time.time() - t0:.0f}s")
            if step % ckpt_every == 0:
                save()
            if vtexts and step % eval_every == 0:
                m = evaluate(net, vimgs, vtexts, chars, device, limit=2000)
                log(f"step {step} val {json.dumps(m)}")
            if time.time() > deadline or step >= max_steps:
                done = True
                break
    save()
    metrics = {"steps": step, "seconds": round(time.time() - t0, 1),
               "s_per_step": round(float(np.mean([h[1] for h in hist[10:]] or [0])), 4)}
    if vtexts:
        metrics["val"] = evaluate(net, vimgs, vtexts, chars, device)
        log(f"final val {json.dumps(metrics['val'])}")
    (run / "metrics.json").write_text(json.dumps(metrics, indent=1))
    return metrics


def export(run: Path, out: Path, version: str, init_onnx: Path | None = None, extra: dict | None = None,
           opt_in: bool = False) -> Path:
    """``opt_in``: the manifest says ``"default": false``, so the pipeline uses the model only when
    named (a faster, less exact variant)."""
    chars = charset()
    config = json.loads((run / "config.json").read_text()) if (run / "config.json").exists() else {}
    init_onnx = init_onnx or (Path(config["init_onnx"]) if config.get("init_onnx") else None)
    net = build_net(chars, config, init_onnx)
    w = run / "weights.pt"
    net.load_state_dict(torch.load(w if w.exists() else run / "ckpt.pt", map_location="cpu")
                        if w.exists() else torch.load(run / "ckpt.pt", map_location="cpu")["model"])
    net.eval()
    out.mkdir(parents=True, exist_ok=True)
    onnx_path = out / "rec.onnx"
    (export_small_onnx if isinstance(net, SmallRecNet) else export_onnx)(net, onnx_path)
    (out / "charset.txt").write_text("\n".join(chars) + "\n", encoding="utf-8")
    metrics = json.loads((run / "metrics.json").read_text()) if (run / "metrics.json").exists() else {}
    manifest = {"name": "sohoa-rec", "version": version, "model": "rec.onnx", "charset": "charset.txt",
                "input": {"height": net.height, "channels": 3, "normalize": "x/127.5-1 (grey replicated)",
                          "pad": "right, 0 after normalisation", "stride": net.stride},
                "base": "PP-OCRv6_rec_small.onnx (rapidocr wheel), new Vietnamese CTC head",
                "metrics": metrics}
    if isinstance(net, SmallRecNet):
        manifest["base"] = "none: trained from scratch (training/recognizer/smallnet.py)"
        manifest["architecture"] = net.config
    elif init_onnx:
        manifest["base"] = f"{init_onnx}, fine-tuned further" + (f" at height {net.height}" if net.height != HEIGHT else "")
    if opt_in:
        manifest["default"] = False
    manifest.update(extra or {})
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    return onnx_path
