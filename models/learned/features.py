"""Page → model inputs, shared by training (torch) and serving (ONNX Runtime): numpy and
``tokenizers`` only.

A page is its OCR words in the pipeline's reading order, each with a box in 0-1000 page units and
the pipeline's block role of its line (given to the encoder as the token type). Words are
sub-tokenized with the trained WordPiece tokenizer; pages longer than the window are cut into
overlapping windows of ``max_len`` tokens ([CLS] ... [SEP]), and every word is predicted from its
first sub-token in the window where that token sits most centrally.

A *stacked* model also reads the rules' answer (``rule_tags``): per word, which field the rules
put it in, and at [CLS] the rules' document type. The model then learns where the rules are right
and corrects them where they are not, instead of re-learning from scratch what they already do
well on layouts it never saw.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np

# Block roles as the encoder's token types: 0 = special token / unknown role.
ROLE_PAD = 0
CLS_BOX = [0, 0, 0, 0]
SEP_BOX = [1000, 1000, 1000, 1000]


def bio_labels(field_names: list[str]) -> list[str]:
    return ["O"] + [f"{p}-{f}" for f in field_names for p in ("B", "I")]


def norm_box(bbox, width: int, height: int) -> list[int]:
    x0, y0, x1, y1 = bbox
    w, h = max(1, width), max(1, height)
    out = [x0 * 1000 / w, y0 * 1000 / h, x1 * 1000 / w, y1 * 1000 / h]
    out = [int(min(1000, max(0, round(v)))) for v in out]
    out[2] = max(out[2], out[0])
    out[3] = max(out[3], out[1])
    return out


@dataclass
class Windows:
    """Model inputs of one page: arrays [n_windows, seq] and the map back to words."""
    input_ids: np.ndarray
    bbox: np.ndarray          # [n, seq, 4]
    token_type_ids: np.ndarray
    attention_mask: np.ndarray
    word_pos: list[list[tuple[int, int]]] = field(default_factory=list)  # word -> [(window, position)]
    n_words: int = 0
    token_index: np.ndarray | None = None  # [n, seq]: page sub-token index, -1 for specials/padding
    rule_tags: np.ndarray | None = None    # [n, seq]: stacked models only (``rule_tag_ids``)


def encode_page(tokenizer, words: list[str], boxes: list[list[int]], roles: list[int],
                max_len: int = 512, stride: int = 128, tags: list[int] | None = None,
                cls_tag: int = 0) -> tuple[Windows, list[int]]:
    """Tokenize one page; returns the windows and, per sub-token of the page, its word index.

    ``boxes`` are already normalized to 0-1000; ``roles`` are token-type ids (>= 1). ``tags``
    (stacked models): per word its rule-tag id, and ``cls_tag`` the id at [CLS]."""
    cls_id = tokenizer.token_to_id("[CLS]")
    sep_id = tokenizer.token_to_id("[SEP]")
    pad_id = tokenizer.token_to_id("[PAD]")
    unk_id = tokenizer.token_to_id("[UNK]")
    ids: list[int] = []
    tok_word: list[int] = []
    if words:
        enc = tokenizer.encode(words, is_pretokenized=True, add_special_tokens=False)
        ids = list(enc.ids)
        tok_word = [w if w is not None else 0 for w in enc.word_ids]
        seen = set(tok_word)
        for i in range(len(words)):  # a word the tokenizer dropped (e.g. control chars) gets [UNK]
            if i not in seen:
                ids.append(unk_id)
                tok_word.append(i)
        if len(seen) < len(words):
            order = sorted(range(len(ids)), key=lambda k: (tok_word[k], k))
            ids = [ids[k] for k in order]
            tok_word = [tok_word[k] for k in order]
    body = max_len - 2
    starts = [0]
    if len(ids) > body:
        step = max(1, body - stride)
        starts = list(range(0, len(ids) - body, step)) + [len(ids) - body]
    n = len(starts)
    seq = min(max_len, len(ids) + 2) if n == 1 else max_len
    input_ids = np.full((n, seq), pad_id, dtype=np.int64)
    bbox = np.zeros((n, seq, 4), dtype=np.int64)
    types = np.zeros((n, seq), dtype=np.int64)
    mask = np.zeros((n, seq), dtype=np.int64)
    tindex = np.full((n, seq), -1, dtype=np.int64)
    rtags = np.zeros((n, seq), dtype=np.int64) if tags is not None else None
    # For every token, the window where it is most central.
    best: dict[int, tuple[float, int, int]] = {}
    for w, s in enumerate(starts):
        chunk = range(s, min(len(ids), s + body))
        input_ids[w, 0] = cls_id
        bbox[w, 0] = CLS_BOX
        mask[w, 0] = 1
        if rtags is not None:
            rtags[w, 0] = cls_tag
        for j, t in enumerate(chunk, start=1):
            wi = tok_word[t]
            if rtags is not None:
                rtags[w, j] = tags[wi]
            input_ids[w, j] = ids[t]
            bbox[w, j] = boxes[wi]
            types[w, j] = roles[wi]
            mask[w, j] = 1
            tindex[w, j] = t
            centrality = min(j, len(chunk) + 1 - j)
            if t not in best or centrality > best[t][0]:
                best[t] = (centrality, w, j)
        end = len(chunk) + 1
        input_ids[w, end] = sep_id
        bbox[w, end] = SEP_BOX
        mask[w, end] = 1
    word_pos: list[list[tuple[int, int]]] = [[] for _ in words]
    first_tok: dict[int, int] = {}
    for t, wi in enumerate(tok_word):
        first_tok.setdefault(wi, t)
    for wi, t in first_tok.items():
        _, w, j = best[t]
        word_pos[wi].append((w, j))
    return Windows(input_ids, bbox, types, mask, word_pos, len(words), tindex, rtags), tok_word


def pad_windows(batch: list[Windows], pad_id: int) -> dict[str, np.ndarray]:
    """Stack the windows of several pages into one batch, padded to the longest."""
    seq = max(w.input_ids.shape[1] for w in batch)
    n = sum(w.input_ids.shape[0] for w in batch)
    out = {"input_ids": np.full((n, seq), pad_id, dtype=np.int64),
           "bbox": np.zeros((n, seq, 4), dtype=np.int64),
           "token_type_ids": np.zeros((n, seq), dtype=np.int64),
           "attention_mask": np.zeros((n, seq), dtype=np.int64)}
    if all(w.rule_tags is not None for w in batch):
        out["rule_tags"] = np.zeros((n, seq), dtype=np.int64)
    r = 0
    for w in batch:
        k, s = w.input_ids.shape
        out["input_ids"][r:r + k, :s] = w.input_ids
        out["bbox"][r:r + k, :s] = w.bbox
        out["token_type_ids"][r:r + k, :s] = w.token_type_ids
        out["attention_mask"][r:r + k, :s] = w.attention_mask
        if "rule_tags" in out:
            out["rule_tags"][r:r + k, :s] = w.rule_tags
        r += k
    return out


# --- the rules' answer as model input (stacked models) -------------------------------------------

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def skeleton(text: str) -> str:
    """Accent-, case- and punctuation-insensitive form: OCR and the rules' text compare on it."""
    t = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text).casefold().replace("đ", "d"))
    t = "".join(c for c in t if unicodedata.category(c) != "Mn")
    return _NON_ALNUM.sub(" ", t).strip()


def attr(o, k, default=None):
    """``o[k]`` of a dict or ``o.k`` of a pydantic model: pages and fields come as either."""
    return o.get(k, default) if isinstance(o, dict) else getattr(o, k, default)


def rule_field_of_words(words: list[dict], rule_fields: dict, page_number: int) -> list[str]:
    """Per word (``{"text", "bbox"}`` in page pixels), the name of the rules' field that holds it,
    or "": the word's centre lies in the field's box on this page and its text is among the
    field's words (a multi-line field's box also covers words of other columns). Where boxes
    hold several fields (place and date share a line), a word in a field's *value* goes to that
    field first, then the smallest field wins."""
    cands = []
    for name, f in (rule_fields or {}).items():
        if int(attr(f, "page", 1) or 1) != page_number or not attr(f, "bbox"):
            continue
        x0, y0, x1, y1 = attr(f, "bbox")
        text = set(skeleton(attr(f, "text") or "").split())
        value = set(skeleton(attr(f, "value") or "").split())
        cands.append(((x1 - x0) * (y1 - y0), name, (x0, y0, x1, y1), text | value, value))
    cands.sort()
    out = []
    for w in words:
        b = w["bbox"]
        cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        toks = skeleton(w["text"]).split()
        inside = [c for c in cands if c[2][0] - 2 <= cx <= c[2][2] + 2 and c[2][1] - 2 <= cy <= c[2][3] + 2]
        tag = ""
        for use in (4, 3):  # value words first, then the field's printed words
            hit = [c for c in inside if all(t in c[use] for t in toks)]
            if hit:
                tag = hit[0][1]
                break
        out.append(tag)
    return out


def rule_tag_ids(names: list[str], rules_doc_type: str | None, field_names: list[str],
                 doc_types: list[str]) -> tuple[list[int], int]:
    """Rule-tag ids of a page: words 0 (no field) or 1 + field index; [CLS] 0 (unknown) or
    1 + len(fields) + index of the rules' document type. One embedding table holds both."""
    fid = {f: i + 1 for i, f in enumerate(field_names)}
    did = {t: 1 + len(field_names) + i for i, t in enumerate(doc_types)}
    return [fid.get(n, 0) for n in names], did.get(rules_doc_type or "", 0)


def n_rule_tags(field_names: list[str], doc_types: list[str]) -> int:
    return 1 + len(field_names) + len(doc_types)


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x = x - x.max(axis=axis, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)
