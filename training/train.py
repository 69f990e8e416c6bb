"""Train the multi-head layout model on prepared examples (``training.prepare``).

Plain torch loop (the model is small and multi-headed; Trainer adds little): AdamW with warm-up
and linear decay, seeded, one JSON line of metrics per epoch in ``OUT/metrics.jsonl``, early
stopping on the template-held-out validation split (its OCR pages when there are any), a
checkpoint every epoch (``--resume`` continues from it), temperatures fitted on validation at
the end. Needs torch, transformers, tokenizers and numpy only (runs on a bare GPU box too).

    python -m sohoa.training.train --prepared runs/layout/v1/data --out runs/layout/v1
"""
from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from sohoa.models.learned.features import encode_page, n_rule_tags, rule_tag_ids
from sohoa.training.model import DEFAULT_CONFIG, build, count_params
from sohoa.training.page_augment import augment_page
from sohoa.training.retitle import retitle as retitle_page
from sohoa.training.retitle import title_donors

IGNORE = -100


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


class Featurizer:
    def __init__(self, tokenizer, lab: dict, max_len: int, stride: int, stacked: bool = False):
        self.tok, self.lab, self.max_len, self.stride = tokenizer, lab, max_len, stride
        self.stacked = stacked
        self.doc_id = {t: i for i, t in enumerate(lab["doc_types"])}
        self.field_id = {t: i for i, t in enumerate(lab["fields_bio"])}
        self.role_id = {t: i for i, t in enumerate(lab["roles"])}
        self.in_role = {t: i + 1 for i, t in enumerate(lab["input_roles"])}

    def windows(self, ex: dict):
        roles = [self.in_role.get(r, 0) for r in ex["input_roles"]]
        tags, cls_tag = None, 0
        if self.stacked:  # prepared data without the rules' answer reads as "rules found nothing"
            tags, cls_tag = rule_tag_ids(ex.get("rule_fields") or [""] * len(ex["words"]),
                                         (ex.get("rules") or {}).get("doc_type"), self.lab["fields"],
                                         self.lab["doc_types"])
        win, tok_word = encode_page(self.tok, ex["words"], ex["boxes"], roles, self.max_len, self.stride,
                                    tags, cls_tag)
        first = {}
        for t, w in enumerate(tok_word):
            first.setdefault(w, t)
        is_first = {t for t in first.values()}
        n, seq = win.input_ids.shape
        f_lab = np.full((n, seq), IGNORE, dtype=np.int64)
        r_lab = np.full((n, seq), IGNORE, dtype=np.int64)
        for w in range(n):
            for j in range(seq):
                t = win.token_index[w, j]
                if t < 0 or t not in is_first:
                    continue
                wi = tok_word[t]
                f_lab[w, j] = self.field_id.get(ex["field_tags"][wi], 0)
                rt = ex["role_tags"][wi]
                if rt is not None and rt in self.role_id:
                    r_lab[w, j] = self.role_id[rt]
        doc = self.doc_id.get(ex["doc_type"], self.doc_id.get("other", 0))
        items = []
        for w in range(n):
            L = int(win.attention_mask[w].sum())
            items.append({"input_ids": win.input_ids[w, :L], "bbox": win.bbox[w, :L],
                          "token_type_ids": win.token_type_ids[w, :L], "attention_mask": win.attention_mask[w, :L],
                          "field_labels": f_lab[w, :L], "role_labels": r_lab[w, :L], "doc_label": doc})
            if win.rule_tags is not None:
                items[-1]["rule_tags"] = win.rule_tags[w, :L]
        return win, items


def collate(items: list[dict], pad_id: int, device) -> dict[str, torch.Tensor]:
    L = max(len(it["input_ids"]) for it in items)
    B = len(items)
    out = {"input_ids": np.full((B, L), pad_id, np.int64), "bbox": np.zeros((B, L, 4), np.int64),
           "token_type_ids": np.zeros((B, L), np.int64), "attention_mask": np.zeros((B, L), np.int64),
           "field_labels": np.full((B, L), IGNORE, np.int64), "role_labels": np.full((B, L), IGNORE, np.int64)}
    keys = ["input_ids", "bbox", "token_type_ids", "attention_mask", "field_labels", "role_labels"]
    if all("rule_tags" in it for it in items):
        out["rule_tags"] = np.zeros((B, L), np.int64)
        keys.append("rule_tags")
    for i, it in enumerate(items):
        n = len(it["input_ids"])
        for k in keys:
            out[k][i, :n] = it[k]
    t = {k: torch.from_numpy(v).to(device) for k, v in out.items()}
    t["doc_label"] = torch.tensor([it["doc_label"] for it in items], device=device)
    return t


def batches(items: list[dict], size: int, rng: random.Random, shuffle: bool = True) -> list[list[dict]]:
    idx = sorted(range(len(items)), key=lambda i: len(items[i]["input_ids"]))
    groups = [idx[i:i + size] for i in range(0, len(idx), size)]
    if shuffle:
        rng.shuffle(groups)
    return [[items[i] for i in g] for g in groups]


def jitter_layout(bbox: torch.Tensor, mask: torch.Tensor, scale: float = 0.08, shift: int = 40) -> torch.Tensor:
    """Random page-level affine of the 0-1000 boxes (per window): held-out templates move blocks
    around, so absolute positions must not be memorized. [CLS]/[SEP]/padding keep their boxes."""
    B = bbox.shape[0]
    dev = bbox.device
    sx = 1 + (torch.rand(B, 1, 1, device=dev) * 2 - 1) * scale
    sy = 1 + (torch.rand(B, 1, 1, device=dev) * 2 - 1) * scale
    dx = torch.randint(-shift, shift + 1, (B, 1, 1), device=dev)
    dy = torch.randint(-shift, shift + 1, (B, 1, 1), device=dev)
    f = bbox.float()
    x = (f[..., 0::2] * sx + dx).clamp(0, 1000)
    y = (f[..., 1::2] * sy + dy).clamp(0, 1000)
    out = torch.stack([x[..., 0], y[..., 0], x[..., 1], y[..., 1]], dim=-1).round().long()
    special = (bbox.sum(-1) == 0) | (bbox.sum(-1) == 4000) | (mask == 0)
    return torch.where(special.unsqueeze(-1), bbox, out)


def mask_tokens(input_ids: torch.Tensor, mask: torch.Tensor, p: float, mask_id: int, special_ids: list[int]) -> torch.Tensor:
    """Replace each word-piece with [MASK] with probability ``p`` (labels stay): a held-out
    template names its fields with words training never saw ("Tên công ty" where training had
    "Tên cơ sở"), so the model must also read a value from its shape, its place and the words
    around it, not from one memorized label word."""
    if p <= 0:
        return input_ids
    hit = (torch.rand(input_ids.shape, device=input_ids.device) < p) & (mask == 1)
    for sid in special_ids:
        hit &= input_ids != sid
    return torch.where(hit, torch.full_like(input_ids, mask_id), input_ids)


def drop_rule_tags(tags: torch.Tensor, n_tags: int, p: float) -> torch.Tensor:
    """Hide each of the rules' fields (and their document type) from a window with probability
    ``p``: on layouts the rules were not written for they miss fields, and the model must then
    find them from the words alone."""
    if p <= 0:
        return tags
    keep = torch.rand(tags.shape[0], n_tags, device=tags.device) >= p
    keep[:, 0] = True
    return torch.where(keep.gather(1, tags), tags, torch.zeros_like(tags))


def forward(model, b):
    """The model on a collated batch (the rules' tags too, for a stacked model)."""
    args = [b["input_ids"], b["bbox"], b["token_type_ids"], b["attention_mask"]]
    if "rule_tags" in b:
        args.append(b["rule_tags"])
    return model(*args)


def losses(model, b, weights=(1.0, 1.0, 0.5)):
    doc, fld, role = forward(model, b)
    ce = nn.CrossEntropyLoss(ignore_index=IGNORE)
    l_doc = ce(doc, b["doc_label"])
    l_fld = ce(fld.reshape(-1, fld.shape[-1]), b["field_labels"].reshape(-1))
    l_role = ce(role.reshape(-1, role.shape[-1]), b["role_labels"].reshape(-1))
    if torch.isnan(l_role):
        l_role = torch.zeros((), device=doc.device)
    total = weights[0] * l_doc + weights[1] * l_fld + weights[2] * l_role
    return total, {"doc": float(l_doc.detach()), "field": float(l_fld.detach()), "role": float(l_role.detach())}


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


def train(prepared: Path, out: Path, *, epochs: int = 30, patience: int = 5, batch_size: int = 16,
          lr: float = 5e-4, seed: int = 0, model_cfg: dict | None = None, resume: bool = False,
          max_steps: int | None = None, device: str | None = None, threads: int | None = None,
          eval_source: str = "auto", augment: bool = True, stacked: bool = False, rule_dropout: float = 0.2,
          token_mask: float = 0.0, shuffle_lines: float = 0.0, swap_labels: float = 0.0,
          retitle: float = 0.0, log=print) -> dict:
    from tokenizers import Tokenizer

    from sohoa.training.page_metrics import calibrate, evaluate_pages

    t_start = time.time()
    set_seed(seed)
    if threads:
        torch.set_num_threads(threads)
    dev = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    out.mkdir(parents=True, exist_ok=True)
    lab = json.loads((prepared / "labels.json").read_text(encoding="utf-8"))
    tok = Tokenizer.from_file(str(prepared / "tokenizer.json"))
    cfg = {**DEFAULT_CONFIG, **(model_cfg or {})}
    cfg.update(vocab_size=tok.get_vocab_size(), pad_id=tok.token_to_id("[PAD]"),
               n_input_roles=len(lab["input_roles"]), n_doc_types=len(lab["doc_types"]),
               n_field_labels=len(lab["fields_bio"]), n_roles=len(lab["roles"]))
    if cfg.get("doc_pool_title", True) and "title" in lab["input_roles"]:
        cfg["title_type_id"] = lab["input_roles"].index("title") + 1
    if stacked:
        cfg["n_rule_tags"] = n_rule_tags(lab["fields"], lab["doc_types"])
    feat = Featurizer(tok, lab, cfg["max_len"], cfg["stride"], stacked=bool(cfg.get("n_rule_tags")))
    mask_id = tok.token_to_id("[MASK]")
    special_ids = [i for i in (tok.token_to_id(t) for t in ("[PAD]", "[CLS]", "[SEP]")) if i is not None]
    train_ex = read_jsonl(prepared / "train.jsonl")
    val_ex = read_jsonl(prepared / "validation.jsonl")
    if eval_source != "all":
        ocr_val = [e for e in val_ex if e["source"] == "ocr"]
        val_ex = ocr_val or val_ex
    page_rng = random.Random(seed + 1)
    pages_augmented = augment and (shuffle_lines > 0 or swap_labels > 0 or retitle > 0)
    donors = title_donors(train_ex) if pages_augmented and retitle > 0 else {}

    def epoch_items() -> list[dict]:
        # OCR pages are the served distribution: each counts twice against the cheaper line pages.
        # Each copy may take another type's title (retitle.py) and its form lines may trade places
        # and change labels (page_augment.py), a new draw every epoch.
        return [it for ex in train_ex for _ in range(2 if ex["source"] == "ocr" else 1)
                for it in feat.windows(augment_page(retitle_page(ex, page_rng, donors, retitle), page_rng,
                                                    shuffle_lines, swap_labels)
                                       if pages_augmented else ex)[1]]
    items = epoch_items()
    log(f"train: {len(train_ex)} pages, {len(items)} windows; validation: {len(val_ex)} pages; device {dev}")

    model = build(cfg).to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    rng = random.Random(seed)
    steps_per_epoch = math.ceil(len(items) / batch_size)
    total_steps = max_steps or steps_per_epoch * epochs
    warm = max(1, int(0.06 * total_steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (total_steps - s) / max(1, total_steps - warm)))
    state = {"epoch": 0, "step": 0, "best": float("-inf"), "best_epoch": -1, "bad": 0, "seconds": 0.0}
    ckpt = out / "checkpoint.pt"
    if resume and ckpt.exists():
        c = torch.load(ckpt, map_location=dev, weights_only=False)
        model.load_state_dict(c["model"])
        opt.load_state_dict(c["opt"])
        sched.load_state_dict(c["sched"])
        state = c["state"]
        rng.setstate(c["rng"])
        log(f"resumed from epoch {state['epoch']}")
    cfg_out = {"model": cfg, "labels": lab, "train": {"epochs": epochs, "patience": patience, "batch_size": batch_size,
                                                      "lr": lr, "seed": seed, "prepared": str(prepared),
                                                      "rule_dropout": rule_dropout if stacked else None,
                                                      "token_mask": token_mask, "shuffle_lines": shuffle_lines,
                                                      "swap_labels": swap_labels, "retitle": retitle}}
    shutil.copy(prepared / "tokenizer.json", out / "tokenizer.json")
    if (prepared / "data.json").exists():
        shutil.copy(prepared / "data.json", out / "data.json")
    metrics_path = out / "metrics.jsonl"
    log(f"model: {count_params(model) / 1e6:.2f} M parameters")
    while state["epoch"] < epochs and state["step"] < total_steps:
        t0 = time.time()
        model.train()
        agg = {"doc": 0.0, "field": 0.0, "role": 0.0}
        n = 0
        if pages_augmented and state["epoch"] > 0:
            items = epoch_items()
        for b_items in batches(items, batch_size, rng):
            b = collate(b_items, cfg["pad_id"], dev)
            if augment:
                b["bbox"] = jitter_layout(b["bbox"], b["attention_mask"])
                b["input_ids"] = mask_tokens(b["input_ids"], b["attention_mask"], token_mask, mask_id, special_ids)
                if "rule_tags" in b:
                    b["rule_tags"] = drop_rule_tags(b["rule_tags"], cfg["n_rule_tags"], rule_dropout)
            loss, parts = losses(model, b)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            state["step"] += 1
            for k in agg:
                agg[k] += parts[k]
            n += 1
            if state["step"] >= total_steps:
                break
        state["epoch"] += 1
        val = evaluate_pages(model, feat, val_ex, dev)
        score = val.get("span_f1", 0.0) + 0.5 * val.get("doc_acc", 0.0) if val else float(state["epoch"])
        state["seconds"] += time.time() - t0
        row = {"epoch": state["epoch"], "step": state["step"], "lr": sched.get_last_lr()[0],
               "loss": {k: round(v / max(1, n), 4) for k, v in agg.items()},
               "validation": val, "score": round(score, 4), "seconds": round(time.time() - t0, 1)}
        with metrics_path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(row) + "\n")
        log(json.dumps(row))
        if score > state["best"]:
            state.update(best=score, best_epoch=state["epoch"], bad=0)
            torch.save(model.state_dict(), out / "model.pt")
            (out / "config.json").write_text(json.dumps({**cfg_out, "best_epoch": state["epoch"],
                                                         "validation": val}, indent=1), encoding="utf-8")
        else:
            state["bad"] += 1
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                    "state": state, "rng": rng.getstate()}, ckpt)
        if state["bad"] >= patience:
            log(f"early stop: no validation gain for {patience} epochs (best epoch {state['best_epoch']})")
            break
    # Calibrate the best model on validation.
    model.load_state_dict(torch.load(out / "model.pt", map_location=dev, weights_only=True))
    cal = calibrate(model, feat, val_ex, dev)
    cfg_saved = json.loads((out / "config.json").read_text(encoding="utf-8"))
    cfg_saved["calibration"] = cal
    cfg_saved["training_seconds"] = round(state["seconds"], 1)
    cfg_saved["device"] = str(dev) + (f" ({torch.cuda.get_device_name(0)})" if dev.type == "cuda" else "")
    cfg_saved["torch"] = torch.__version__
    (out / "config.json").write_text(json.dumps(cfg_saved, indent=1), encoding="utf-8")
    log(json.dumps({"calibration": cal, "best_epoch": state["best_epoch"], "seconds": round(time.time() - t_start, 1)}))
    return cfg_saved


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--prepared", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--patience", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-steps", type=int, default=None)
    ap.add_argument("--layers", type=int, default=None)
    ap.add_argument("--hidden", type=int, default=None)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--device", default=None)
    ap.add_argument("--dropout", type=float, default=None)
    ap.add_argument("--no-augment", action="store_true")
    ap.add_argument("--no-title-pool", action="store_true")
    ap.add_argument("--stacked", action="store_true", help="read the rules' answer as input (rule tags)")
    ap.add_argument("--rule-dropout", type=float, default=0.2)
    ap.add_argument("--token-mask", type=float, default=0.0)
    ap.add_argument("--shuffle-lines", type=float, default=0.0)
    ap.add_argument("--swap-labels", type=float, default=0.0)
    ap.add_argument("--retitle", type=float, default=0.0,
                    help="share of training pages given another document type's title and label (retitle.py)")
    a = ap.parse_args(argv)
    cfg = {}
    if a.dropout is not None:
        cfg["dropout"] = a.dropout
    if a.no_title_pool:
        cfg["doc_pool_title"] = False
    if a.layers:
        cfg["num_hidden_layers"] = a.layers
    if a.hidden:
        cfg.update(hidden_size=a.hidden, intermediate_size=2 * a.hidden, num_attention_heads=max(2, a.hidden // 64))
    train(a.prepared, a.out, epochs=a.epochs, patience=a.patience, batch_size=a.batch_size, lr=a.lr, seed=a.seed,
          model_cfg=cfg, resume=a.resume, max_steps=a.max_steps, device=a.device, augment=not a.no_augment,
          stacked=a.stacked, rule_dropout=a.rule_dropout, token_mask=a.token_mask,
          shuffle_lines=a.shuffle_lines, swap_labels=a.swap_labels, retitle=a.retitle)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
