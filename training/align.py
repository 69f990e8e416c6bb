"""Ground truth → labelled page examples for the layout model.

Two kinds of pages:

- **OCR pages** (``ocr_examples``): the real pipeline's words and block roles (from the OCR
  cache), with labels found by matching each ground-truth field's box and text to the OCR words
  (box overlap + fuzzy text) and each word's ground-truth block role by overlap with the
  ground-truth lines. GT boxes are moved into the pipeline's frame first (rotation, deskew, PDF
  raster scale).
- **Line pages** (``line_examples``): pages known only as lines (generator ground truth without
  OCR, or the service's review export): words are cut from the line boxes, lightly corrupted
  like OCR output (tone marks, look-alike letters, box jitter), and passed through the pipeline's
  layout heuristic for the input roles. Cheap and plentiful; OCR pages carry the real noise.

An example is one page: words, boxes (0-1000), input roles, BIO field tags, GT role tags, plus
the document-level truth and the rules' answer on that page (``rules``; per word
``rule_fields``), which stacked models read as input.
"""
from __future__ import annotations

import math
import random
import unicodedata

from rapidfuzz import fuzz

from sohoa.models.learned.features import norm_box, rule_field_of_words, skeleton
from sohoa.models.learned.runtime import page_words, split_line

# Accent-, case- and punctuation-insensitive skeleton: OCR words and GT text compare on it (the
# same form the stacked model's rule tags match on).
key = skeleton


# --- geometry ----------------------------------------------------------------------------------

def _inter(a, b) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return float(w * h) if w > 0 and h > 0 else 0.0


def _area(a) -> float:
    return float(max(1, a[2] - a[0]) * max(1, a[3] - a[1]))


def make_transform(gt_page: dict, res_page: dict, is_pdf: bool):
    """Function mapping a GT box (stored page image pixels) into the pipeline's page frame."""
    gw, gh = int(gt_page["width"]), int(gt_page["height"])
    scale = 1.0
    if is_pdf and gt_page.get("dpi") and res_page.get("dpi"):
        scale = float(res_page["dpi"]) / float(gt_page["dpi"])
    w, h = gw * scale, gh * scale
    rot = int(res_page.get("rotation") or 0)
    skew = float(res_page.get("skew") or 0.0)
    rw, rh = (h, w) if rot in (90, 270) else (w, h)
    if skew:
        a = math.radians(skew)
        cos, sin = math.cos(a), math.sin(a)
        new_w = int(rh * abs(sin) + rw * abs(cos) + 0.5)
        new_h = int(rh * abs(cos) + rw * abs(sin) + 0.5)
        # cv2.getRotationMatrix2D(center, angle, 1): [[c, s, (1-c)cx - s cy], [-s, c, s cx + (1-c) cy]]
        cx, cy = rw / 2, rh / 2
        m = [[cos, sin, (1 - cos) * cx - sin * cy + new_w / 2 - cx],
             [-sin, cos, sin * cx + (1 - cos) * cy + new_h / 2 - cy]]

    def point(x, y):
        x, y = x * scale, y * scale
        if rot == 90:
            x, y = h - 1 - y, x
        elif rot == 180:
            x, y = w - 1 - x, h - 1 - y
        elif rot == 270:
            x, y = y, w - 1 - x
        if skew:
            x, y = m[0][0] * x + m[0][1] * y + m[0][2], m[1][0] * x + m[1][1] * y + m[1][2]
        return x, y

    def box(b):
        pts = [point(b[0], b[1]), point(b[2], b[1]), point(b[0], b[3]), point(b[2], b[3])]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        if skew:  # the box around a rotated line is loose: shrink back by the rotation's spread
            dy = abs(math.sin(math.radians(skew))) * (b[2] - b[0]) * scale / 2
            dx = abs(math.sin(math.radians(skew))) * (b[3] - b[1]) * scale / 2
            return [min(xs) + dx, min(ys) + dy, max(xs) - dx, max(ys) - dy]
        return [min(xs), min(ys), max(xs), max(ys)]
    return box


# --- labels ------------------------------------------------------------------------------------

def _text_ok(word: str, gt_key: str, gt_raw: str) -> bool:
    k = key(word)
    if not k:  # punctuation only: part of the field when the field prints it
        stripped = word.strip()
        return bool(stripped) and all(c in gt_raw for c in stripped)
    if len(k) <= 2:
        return k in gt_key.split() or (len(k) == 2 and k in gt_key)
    return fuzz.partial_ratio(k, gt_key) >= 75


def best_run(cands: list[int], keys: list[str], gt_key: str) -> list[int]:
    """The contiguous run of candidate words whose joined text is closest to the field's text
    (drops printed labels such as "Địa chỉ:" that sit inside a multi-line field's box)."""
    if not cands or not gt_key:
        return []
    best, best_score = [], 0.0
    for s in range(len(cands)):
        if not keys[s]:
            continue
        joined = ""
        for e in range(s, len(cands)):
            if keys[e]:
                joined = (joined + " " + keys[e]).strip()
            if not keys[e]:
                continue
            score = fuzz.ratio(joined, gt_key)
            if score > best_score + 1e-9:
                best, best_score = cands[s:e + 1], score
    return best if best_score >= 50 else []


def label_words(words: list[dict], gt_fields: list[dict], gt_lines: list[dict], transform=None,
                field_names: list[str] | None = None) -> tuple[list[str], list[str | None]]:
    """BIO tag and GT role of every word. ``gt_fields``: [{name, text, bbox}] of this page;
    ``gt_lines``: [{text, bbox, block}]; ``transform`` maps GT boxes into the words' frame."""
    tf = transform or (lambda b: list(b))
    n = len(words)
    tags = ["O"] * n
    roles: list[str | None] = [None] * n
    lines = [(tf(ln["bbox"]), ln["block"]) for ln in gt_lines]
    for i, w in enumerate(words):
        best, best_v = None, 0.0
        for lb, role in lines:
            v = _inter(w["bbox"], lb) / _area(w["bbox"])
            if v > best_v:
                best, best_v = role, v
        if best_v >= 0.3:
            roles[i] = best
    claimed = [False] * n
    fields = [f for f in gt_fields if (field_names is None or f["name"] in field_names) and f.get("text")]
    fields.sort(key=lambda f: _area(tf(f["bbox"])))
    for f in fields:
        fb = tf(f["bbox"])
        pad = 0.25 * min(fb[3] - fb[1], 40)
        fb = [fb[0] - pad, fb[1] - pad, fb[2] + pad, fb[3] + pad]
        gk = key(f["text"])
        cands = [i for i, w in enumerate(words)
                 if not claimed[i] and _inter(w["bbox"], fb) / _area(w["bbox"]) >= 0.3]
        chosen = best_run(cands, [key(words[i]["text"]) for i in cands], gk)
        for j, i in enumerate(chosen):
            tags[i] = ("B-" if j == 0 else "I-") + f["name"]
            claimed[i] = True
    return tags, roles


# --- OCR noise for line pages ------------------------------------------------------------------

_LOOKALIKE = {"0": "O", "O": "0", "1": "l", "l": "1", "I": "l", "5": "S", "8": "B", "ư": "u", "ơ": "o",
              "ă": "a", "â": "a", "ê": "e", "ô": "o", "đ": "d", "Đ": "D", "rn": "m", "m": "rn", ",": ".", ".": ","}


def corrupt(word: str, rng: random.Random, p: float = 0.06) -> str:
    if rng.random() >= p or not word:
        return word
    r = rng.random()
    if r < 0.4:  # drop or change one tone mark
        nfd = unicodedata.normalize("NFD", word)
        marks = [i for i, c in enumerate(nfd) if unicodedata.category(c) == "Mn"]
        if marks:
            i = rng.choice(marks)
            nfd = nfd[:i] + nfd[i + 1:]
            return unicodedata.normalize("NFC", nfd)
        return word
    if r < 0.8:
        cands = [k for k in _LOOKALIKE if k in word]
        if cands:
            k = rng.choice(cands)
            return word.replace(k, _LOOKALIKE[k], 1)
        return word
    if r < 0.9 and len(word) > 1:
        i = rng.randrange(len(word))
        return word[:i] + word[i + 1:]
    return word + rng.choice([".", ",", "'", ":"])


def synth_page(lines: list[dict], width: int, height: int, rng: random.Random | None, noise: bool = True):
    """OCR-like page (pydantic ``Page``) from GT lines: words cut by characters, optional noise,
    roles and reading order from the pipeline's layout heuristic."""
    from sohoa.models import layout
    from sohoa.models.document import Page
    from sohoa.models.ocr import OcrLine, OcrWord

    ocr_lines = []
    blocks_seen: dict[str, int] = {}
    for ln in lines:
        ws = []
        for text, box in split_line(ln["text"], list(ln["bbox"])):
            if noise and rng is not None:
                text = corrupt(text, rng)
                h = box[3] - box[1]
                j = max(1, int(0.08 * h))
                box = [box[0] + rng.randint(-j, j), box[1] + rng.randint(-j, j),
                       box[2] + rng.randint(-j, j), box[3] + rng.randint(-j, j)]
                box = [box[0], box[1], max(box[0] + 1, box[2]), max(box[1] + 1, box[3])]
            conf = 0.95 if rng is None else rng.uniform(0.7, 0.99)
            if text:
                ws.append(OcrWord(text, tuple(int(v) for v in box), conf))
        if ws:
            g = blocks_seen.setdefault(ln.get("block", "body"), len(blocks_seen))
            ocr_lines.append(OcrLine(ws, g))
    blocks = layout.analyze(ocr_lines, width, height, [])
    return Page(number=1, width=width, height=height, dpi=150, rotation=0, blocks=blocks)


# --- examples ----------------------------------------------------------------------------------

def _example(words: list[dict], width: int, height: int, tags, roles, **meta) -> dict:
    return {**meta, "width": width, "height": height,
            "words": [w["text"] for w in words],
            "boxes": [norm_box(w["bbox"], width, height) for w in words],
            "px_boxes": [list(map(int, w["bbox"])) for w in words],
            "input_roles": [w["role"] for w in words],
            "lines": [list(w["line"]) for w in words],
            "field_tags": tags, "role_tags": roles}


def rules_answer(pages) -> tuple[dict, dict]:
    """The rules' document type and fields on these pages (pydantic), as the pipeline gets them
    before any model runs: ``({doc_type, fields: {name: value}}, {name: field dict})``."""
    from sohoa.models import classify
    from sohoa.models.config import get_vocabulary
    from sohoa.models.fields import rules

    fields = {k: v.model_dump() for k, v in rules.extract_fields(pages).items()}
    label = classify.classify(pages, get_vocabulary()).label
    return {"doc_type": label, "fields": {k: v["value"] for k, v in fields.items()}}, fields


def doc_truth(gt: dict) -> dict:
    return {name: f["value"] for name, f in (gt.get("fields") or {}).items() if f.get("value")}


def ocr_examples(rec: dict, split: str) -> list[dict]:
    """Examples of one OCR-cache record (``training.ocr_cache``). The cached OCR lines are read
    again by this checkout's layout and rules (``training.reread``), as evaluation reads them: a
    model learns the reading order and the rules' answer it will be served with, not the ones of
    the code that made the cache."""
    from sohoa.training.reread import reread

    gt, res = rec["gt"], rec["result"]
    is_pdf = str(rec.get("file", gt.get("file", ""))).lower().endswith(".pdf")
    reading = reread(res.get("pages") or [])
    res = {**res, "pages": reading.page_dicts(), "fields": reading.field_dicts()}
    rules = {"doc_type": reading.doc_type, "fields": {k: v["value"] for k, v in res["fields"].items()}}
    out = []
    gt_pages = {int(p["number"]): p for p in gt.get("pages") or []}
    for rp in res.get("pages") or []:
        num = int(rp["number"])
        gp = gt_pages.get(num)
        if gp is None:
            continue
        words = page_words(rp)
        tf = make_transform(gp, rp, is_pdf)
        gfields = [{"name": k, **v} for k, v in (gt.get("fields") or {}).items() if int(v.get("page", 1)) == num]
        tags, roles = label_words(words, gfields, gp.get("lines") or [], tf)
        out.append(_example(words, int(rp["width"]), int(rp["height"]), tags, roles,
                            rule_fields=rule_field_of_words(words, res.get("fields") or {}, num),
                            id=f"{gt.get('doc_id', rec['stem'])}-p{num}", doc_id=gt.get("doc_id", rec["stem"]),
                            page=num, n_pages=len(res.get("pages") or []), split=split,
                            template=gt.get("template", ""), source="ocr", doc_type=gt["doc_type"],
                            truth=doc_truth(gt), rules=rules, file=rec.get("file", "")))
    return out


def line_examples(row: dict, split: str, rng: random.Random | None, noise: bool = True) -> dict:
    """Example of one page row ({id, doc_id, page, template, source, width, height, doc_type,
    lines[{text,bbox,block}], fields[{name,value,text,bbox}]}) without OCR."""
    width, height = int(row["width"]), int(row["height"])
    page = synth_page(row.get("lines") or [], width, height, rng, noise)
    words = page_words(page)
    tags, roles = label_words(words, row.get("fields") or [], row.get("lines") or [])
    rules, rule_fields = rules_answer([page])
    return _example(words, width, height, tags, roles, rule_fields=rule_field_of_words(words, rule_fields, 1),
                    id=row["id"], doc_id=row["doc_id"],
                    page=int(row.get("page", 1)), split=split, template=row.get("template", ""),
                    source=row.get("source", "generated") + "-lines", doc_type=row["doc_type"],
                    truth=row.get("truth") or {}, rules=rules, file="")


def gt_page_rows(gt: dict) -> list[dict]:
    """Page rows (the dataset schema) of one ``*.gt.json``."""
    rows = []
    for p in gt.get("pages") or []:
        n = int(p["number"])
        rows.append({"id": f"{gt['doc_id']}-p{n}", "doc_id": gt["doc_id"], "page": n,
                     "template": gt.get("template", ""), "source": gt.get("source", "generated"),
                     "width": p["width"], "height": p["height"], "doc_type": gt["doc_type"],
                     "lines": p.get("lines") or [],
                     "fields": [{"name": k, **v} for k, v in (gt.get("fields") or {}).items()
                                if int(v.get("page", 1)) == n],
                     "truth": doc_truth(gt)})
    return rows
