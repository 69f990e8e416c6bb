"""The learned layout model at inference: ONNX Runtime only (no torch).

One shared LayoutLM-style encoder with three heads, exported by ``sohoa export``:
``doc_logits`` [windows, types] from [CLS], ``field_logits`` [windows, seq, BIO labels] and
``role_logits`` [windows, seq, block roles]. Confidences are softmax(logits / T) with the
temperatures fitted on the validation split (``manifest.json: calibration``). A stacked model
(input ``rule_tags``) also reads the rules' answer: pass it as ``rules=(doc_type, fields)``.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sohoa.models.learned.decode import (Span, after_label, best_spans, complete_address, decode_bio,
                                         extend_to_province, join_list_spans, parse_label, snap_to_lines,
                                         union_box)
from sohoa.models.learned.features import (Windows, attr as _get, encode_page, norm_box, pad_windows, rule_field_of_words,
                                           rule_tag_ids, softmax)
from sohoa.models.onnx_session import ort_session

NO_TEXT_BLOCKS = ("stamp", "photo")


def page_words(page) -> list[dict]:
    """The words of a page (pydantic ``Page`` or its dict) in reading order: text, pixel box,
    block role and (block, line) index. Lines without word boxes are split evenly by characters."""
    out = []
    for bi, block in enumerate(_get(page, "blocks") or []):
        role = _get(block, "type")
        if role in NO_TEXT_BLOCKS:
            continue
        for li, line in enumerate(_get(block, "lines") or []):
            words = _get(line, "words") or []
            if words:
                for w in words:
                    text = _get(w, "text") or ""
                    if text.strip():
                        out.append({"text": text, "bbox": list(_get(w, "bbox")), "role": role,
                                    "line": (bi, li), "confidence": float(_get(w, "confidence", 1.0))})
            else:
                for text, box in split_line(_get(line, "text") or "", list(_get(line, "bbox"))):
                    out.append({"text": text, "bbox": box, "role": role, "line": (bi, li),
                                "confidence": float(_get(line, "confidence", 1.0) or 1.0)})
    return out


def split_line(text: str, bbox: list[int]) -> list[tuple[str, list[int]]]:
    """Word boxes of a line known only as text + box: x split in proportion to characters."""
    toks = text.split()
    if not toks:
        return []
    x0, y0, x1, y1 = bbox
    total = sum(len(t) for t in toks) + (len(toks) - 1)
    per = (x1 - x0) / max(1, total)
    out, pos = [], 0
    for t in toks:
        a = x0 + pos * per
        b = a + len(t) * per
        out.append((t, [int(round(a)), y0, int(round(b)), y1]))
        pos += len(t) + 1
    return out


@dataclass
class PagePrediction:
    words: list[dict]
    field_probs: np.ndarray      # [words, BIO labels], calibrated
    role_probs: np.ndarray       # [words, roles], calibrated
    doc_probs: np.ndarray        # [types], mean over windows, calibrated


@dataclass
class DocumentPrediction:
    doc_type: str
    doc_scores: dict[str, float]
    fields: dict[str, dict] = field(default_factory=dict)   # name -> value/text/confidence/page/bbox
    pages: list[PagePrediction] = field(default_factory=list)
    ms: float = 0.0


def find_model_dir(models_dir: str | Path, version: str = "") -> Path | None:
    """``models_dir/layoutlm/<version>/`` holding a manifest: the named one, else the newest."""
    root = Path(models_dir) / "layoutlm"
    if version:
        for cand in (root / version, Path(version)):
            if (cand / "manifest.json").exists():
                return cand
        return None
    if not root.is_dir():
        return None
    found = [p for p in root.iterdir() if (p / "manifest.json").exists()]
    if not found:
        return None

    def key(p: Path):
        try:
            m = json.loads((p / "manifest.json").read_text(encoding="utf-8"))
            return (m.get("created", ""), p.name)
        except (OSError, json.JSONDecodeError):
            return ("", p.name)
    return max(found, key=key)


class LearnedModel:
    """Load once, call :meth:`predict` per document."""

    def __init__(self, model_dir: str | Path, *, quantized: bool = True, device: str = "cpu",
                 threads: int | None = None):
        from tokenizers import Tokenizer

        self.dir = Path(model_dir)
        self.manifest = json.loads((self.dir / "manifest.json").read_text(encoding="utf-8"))
        m = self.manifest
        self._configure(m, Tokenizer.from_file(str(self.dir / m["files"]["tokenizer"])))
        files = m["files"]
        order = ["onnx_int8", "onnx_fp32"] if quantized else ["onnx_fp32", "onnx_int8"]
        present = [files[k] for k in order if files.get(k) and (self.dir / files[k]).exists()]
        if not present:
            raise FileNotFoundError(f"{self.dir}: no ONNX file of the manifest is present")
        onnx_file = present[0]  # the zoo may ship int8 only; fp32 is rebuilt by `sohoa export`
        self.onnx_file = onnx_file
        n = threads or int(os.environ.get("SOHOA_MODEL_THREADS", "0") or 0)
        self.session = ort_session(self.dir / onnx_file, n or None, device)
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.stacked = "rule_tags" in self.input_names

    def _configure(self, m: dict, tokenizer) -> None:
        self.version = m.get("version", "dev")
        self.doc_types: list[str] = m["labels"]["doc_types"]
        self.field_labels: list[str] = m["labels"]["fields_bio"]
        self.field_names: list[str] = m["labels"]["fields"]
        self.roles: list[str] = m["labels"]["roles"]
        self.input_roles: list[str] = m["labels"]["input_roles"]
        self.max_len = int(m["config"]["max_len"])
        self.stride = int(m["config"].get("stride", 128))
        cal = m.get("calibration") or {}
        self.t_doc = float(cal.get("doc_type", 1.0))
        self.t_field = float(cal.get("field", 1.0))
        self.t_role = float(cal.get("role", 1.0))
        merge = m.get("merge") or {}
        self.override_min_conf = merge.get("override_min_conf", 0.5)
        self.fill_min_conf = merge.get("fill_min_conf", 0.0)
        self.doc_min_conf = float(merge.get("doc_min_conf", 0.5))
        self.rules_keep_conf = float(merge.get("rules_keep_conf", 0.9))
        # Document type → the fields the model may give on it (its training data's; None: any).
        self.type_fields: dict[str, list[str]] | None = merge.get("type_fields")
        # A paper that does not open keeps the rules' type (``merge.opens``; from session 27 on).
        self.opening_guard = bool(merge.get("opening_guard", False))
        # Fields whose consecutive spans are one value (chosen by `sohoa export`; before session 18
        # only the listed recipient).
        self.join_fields: tuple[str, ...] = tuple(merge.get("join_fields", ("recipient",)))
        # Fields whose spans widen to their whole lines (chosen by `sohoa export`; none before).
        self.snap_fields: tuple[str, ...] = tuple(merge.get("snap_fields", ()))
        rl = merge.get("relabel_min_conf")
        self.relabel_min_conf = float(rl) if rl is not None else None
        self.tokenizer = tokenizer
        self.pad_id = tokenizer.token_to_id("[PAD]")

    @property
    def thresholds(self) -> dict:
        """The merge's thresholds and guards, as ``merge.merge_answer`` takes them."""
        return {"override_min_conf": self.override_min_conf, "fill_min_conf": self.fill_min_conf,
                "doc_min_conf": self.doc_min_conf, "rules_keep_conf": self.rules_keep_conf,
                "type_fields": self.type_fields, "opening_guard": self.opening_guard}

    # --- encoding ----------------------------------------------------------------------------

    def encode(self, page, rules: tuple[str, dict] | None = None) -> tuple[list[dict], Windows]:
        words = page_words(page)
        width, height = int(_get(page, "width")), int(_get(page, "height"))
        role_id = {r: i + 1 for i, r in enumerate(self.input_roles)}
        tags, cls_tag = None, 0
        if self.stacked:
            doc_type, fields = rules or (None, {})
            names = rule_field_of_words(words, fields, int(_get(page, "number", 1)))
            tags, cls_tag = rule_tag_ids(names, doc_type, self.field_names, self.doc_types)
        win, _ = encode_page(self.tokenizer, [w["text"] for w in words],
                             [norm_box(w["bbox"], width, height) for w in words],
                             [role_id.get(w["role"], 0) for w in words], self.max_len, self.stride,
                             tags, cls_tag)
        return words, win

    def run_windows(self, wins: list[Windows]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        feeds = pad_windows(wins, self.pad_id)
        feeds = {k: v for k, v in feeds.items() if k in self.input_names}
        doc, fld, role = self.session.run(["doc_logits", "field_logits", "role_logits"], feeds)
        return doc, fld, role

    # --- prediction --------------------------------------------------------------------------

    def predict_pages(self, pages: list, rules: tuple[str, dict] | None = None) -> list[PagePrediction]:
        encoded = [self.encode(p, rules) for p in pages]
        wins = [w for _, w in encoded if w.n_words]
        out: list[PagePrediction] = []
        if wins:
            doc, fld, role = self.run_windows(wins)
        r = 0
        for words, win in encoded:
            if not win.n_words:
                out.append(PagePrediction(words, np.zeros((0, len(self.field_labels))),
                                          np.zeros((0, len(self.roles))), np.full(len(self.doc_types), np.nan)))
                continue
            k = win.input_ids.shape[0]
            f = np.zeros((win.n_words, fld.shape[-1]), dtype=np.float32)
            ro = np.zeros((win.n_words, role.shape[-1]), dtype=np.float32)
            for wi, pos in enumerate(win.word_pos):
                w, j = pos[0]
                f[wi] = fld[r + w, j]
                ro[wi] = role[r + w, j]
            dp = softmax(doc[r:r + k] / self.t_doc).mean(axis=0)
            out.append(PagePrediction(words, softmax(f / self.t_field), softmax(ro / self.t_role), dp))
            r += k
        return out

    def predict(self, pages: list, rules: tuple[str, dict] | None = None) -> DocumentPrediction:
        """``rules``: the rules' (document type, fields) on these pages; read by stacked models."""
        start = time.perf_counter()
        preds = self.predict_pages(pages, rules)
        weights, probs = [], []
        for i, p in enumerate(preds):
            if p.words:
                weights.append(2.0 if i == 0 else 1.0)
                probs.append(p.doc_probs)
        if probs:
            dp = np.average(np.stack(probs), axis=0, weights=weights)
        else:
            dp = np.zeros(len(self.doc_types))
            dp[self.doc_types.index("other") if "other" in self.doc_types else 0] = 1.0
        scores = {t: round(float(v), 4) for t, v in zip(self.doc_types, dp)}
        label = self.doc_types[int(np.argmax(dp))]
        fields = self.decode_fields(pages, preds)
        return DocumentPrediction(label, scores, fields, preds, (time.perf_counter() - start) * 1000)

    def decode_fields(self, pages: list, preds: list[PagePrediction], join_fields: tuple[str, ...] | None = None,
                      snap_fields: tuple[str, ...] | None = None) -> dict[str, dict]:
        """Field values from the pages' word label probabilities: BIO spans; the spans of each
        field in ``snap_fields`` widened to their whole lines; the spans of each field in
        ``join_fields`` that follow each other joined into one (both default to the manifest's); a
        label's tail inside an address or holder span dropped; an address cut inside its province,
        or at its line's end, completed; then per field the most confident span whose text is a
        valid, plausible value (a validity: after the issue date read)."""
        from sohoa.models.fields.normalize import normalize_field
        from sohoa.models.fields.plausible import plausible_field, plausible_validity

        join = self.join_fields if join_fields is None else tuple(join_fields)
        snap = self.snap_fields if snap_fields is None else tuple(snap_fields)
        spans: list[tuple[int, Span]] = []
        for i, p in enumerate(preds):
            if p.words:
                found = decode_bio(p.field_probs, self.field_labels, gap=1)
                tagged = [parse_label(self.field_labels[k])[1] for k in p.field_probs.argmax(axis=1)]
                lines = [w["line"] for w in p.words]
                if snap:
                    found = snap_to_lines(found, lines, tagged, names=snap)
                texts = [w["text"] for w in p.words]
                spans += [(i, complete_address(extend_to_province(sp, texts), texts, lines, tagged)
                           if sp.name == "address" else sp)
                          for sp in (after_label(s, texts) for s in join_list_spans(found, names=join))]
        # Valid spans only: a span whose text does not normalize, or whose value has no field's
        # shape (one stray word as a holder or an address), is no field.
        valid = []
        for i, sp in spans:
            words = [preds[i].words[w] for w in sp.words]
            text = " ".join(w["text"] for w in words)
            value = normalize_field(sp.name, text)
            if value and plausible_field(sp.name, value):
                valid.append((i, sp, text, value, words))
        # A validity ends after the paper's issue date (the model's own reading of it).
        issued = best_spans([(i, sp) for i, sp, *_ in valid if sp.name == "issue_date"]).get("issue_date")
        if issued is not None:
            issue_value = next(v[3] for v in valid if v[1] is issued[1])
            valid = [v for v in valid if v[1].name != "valid_until" or plausible_validity(v[3], issue_value)]
        fields = {}
        for name, (i, sp) in best_spans([(i, sp) for i, sp, *_ in valid]).items():
            _, _, text, value, words = next(v for v in valid if v[1] is sp)
            fields[name] = {"value": value, "text": text, "confidence": round(sp.confidence, 4),
                            "page": int(_get(pages[i], "number", i + 1)),
                            "bbox": union_box([w["bbox"] for w in words])}
        return fields

    def support(self, pred: DocumentPrediction):
        """Function (name, page number, bbox) -> the model's calibrated probability that the words
        inside ``bbox`` are field ``name`` (mean over those words of P(B-name) + P(I-name)), or
        None when no word lies there: the confidence of a rules field, checked by the model."""
        idx = {lb: i for i, lb in enumerate(self.field_labels)}

        def fn(name: str, page: int, bbox) -> float | None:
            if not (1 <= page <= len(pred.pages)) or f"B-{name}" not in idx:
                return None
            pp = pred.pages[page - 1]
            x0, y0, x1, y1 = bbox
            ws = [k for k, w in enumerate(pp.words)
                  if x0 - 2 <= (w["bbox"][0] + w["bbox"][2]) / 2 <= x1 + 2 and y0 - 2 <= (w["bbox"][1] + w["bbox"][3]) / 2 <= y1 + 2]
            if not ws:
                return None
            p = pp.field_probs[ws, idx[f"B-{name}"]] + pp.field_probs[ws, idx[f"I-{name}"]]
            return float(min(1.0, max(0.0, p.mean())))
        return fn

    def line_roles(self, pred: PagePrediction) -> dict[tuple[int, int], tuple[str, float]]:
        """(block, line) → the model's role for that line and its probability (mean over words)."""
        acc: dict[tuple[int, int], list[np.ndarray]] = {}
        for w, pr in zip(pred.words, pred.role_probs):
            acc.setdefault(w["line"], []).append(pr)
        out = {}
        for key, ps in acc.items():
            m = np.mean(ps, axis=0)
            out[key] = (self.roles[int(np.argmax(m))], float(m.max()))
        return out


def relabel_blocks(pages: list, preds: list[PagePrediction], roles: list[str], min_conf: float = 0.8) -> list:
    """Pages (pydantic) whose block types follow the model's line-role head where it is sure:
    a block takes the role most of its words get (mean probability >= ``min_conf``). Blocks
    without text (stamps, photos) and unsure blocks keep the heuristic's type."""
    out = []
    for page, pred in zip(pages, preds):
        acc: dict[int, list[np.ndarray]] = {}
        for w, pr in zip(pred.words, pred.role_probs):
            acc.setdefault(w["line"][0], []).append(pr)
        blocks = []
        for bi, block in enumerate(page.blocks):
            ps = acc.get(bi)
            if ps and block.type not in NO_TEXT_BLOCKS:
                m = np.mean(ps, axis=0)
                role = roles[int(np.argmax(m))]
                if role != block.type and m.max() >= min_conf and role not in NO_TEXT_BLOCKS:
                    block = block.model_copy(update={"type": role, "confidence": round(float(m.max()), 4)})
            blocks.append(block)
        out.append(page.model_copy(update={"blocks": blocks}))
    return out
