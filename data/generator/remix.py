"""Remixed templates, for training data only (``sohoa data generate --remix``).

A model trained on 16 templates learns where a field sits rather than what its label says: within
one template a field always follows the same lines under the same label. A remix starts from a
*training-split* template and varies what the model should not rely on, while keeping every value
and its field:

- each form line's label is redrawn from the labels the training templates print for that value
  and the rules' label lexicon (``models/fields/labels.yaml``), sometimes with a qualifier
  ("… hiện nay:"), without its colon, in capitals, or as an uninformative label ("Thông tin:"),
  so the value itself has to be read;
- form lines borrowed from other training templates of the same kind of holder are inserted, and
  optional lines are dropped more often, so a field's position among the lines changes;
- the form's numbering, bullets and handwriting are redrawn.

Only training-split templates are read (their ids, labels and items), never a validation or test
template, so held-out layouts stay unseen. The remixed template keeps its base's id: every split
rule then puts it where its base is, in ``train``.
"""
from __future__ import annotations

import copy
import random
import re
from functools import lru_cache

from .compose import templates

FIELD_MARK = re.compile(r"<<(\w+)>>")
# Field-agnostic words an administrative form adds to a label ("Địa chỉ liên hệ:", "Điện thoại
# liên lạc:"): they change the label's words without changing its field.
QUALIFIERS = ["hiện nay", "liên hệ", "liên lạc", "(nếu có)", "đăng ký", "ghi trên giấy tờ"]
# Labels that say nothing of the field: the value alone tells what it is.
UNINFORMATIVE = ["Thông tin:", "Nội dung:", "Chi tiết:", "Kê khai:", "Mục:", "Ghi rõ:"]


@lru_cache
def train_templates() -> tuple[dict, ...]:
    from sohoa.data.dataset import template_splits

    tpls = templates()
    split = template_splits({t["id"]: t["doc_type"] for t in tpls})
    return tuple(t for t in tpls if split[t["id"]] == "train")


def _form_items(tpl: dict):
    for el in tpl["elements"]:
        if el.get("type") in ("form", "photo_form"):
            for it in el.get("items", []):
                if "label" in it:
                    yield it


@lru_cache
def label_pools() -> dict[str, tuple[str, ...]]:
    """Printed value (``<<address>>``, ``{other_person}``) → every label that introduces it in
    the training templates, plus the lexicon's labels of its field."""
    from sohoa.models.fields.labels import lexicon

    lex = lexicon()
    pools: dict[str, set[str]] = {}
    for t in train_templates():
        for it in _form_items(t):
            pools.setdefault(it["value"], set()).update(it["label"])
    for value, labels in pools.items():
        m = FIELD_MARK.fullmatch(value)
        if m:
            labels.update(lb if lb.endswith(":") else lb + ":" for lb in lex.get(m.group(1), []))
    return {v: tuple(sorted(ls)) for v, ls in pools.items()}


def _label(rng: random.Random, value: str, labels: list[str]) -> str:
    pool = label_pools().get(value) or tuple(labels)
    label = rng.choice(pool) if rng.random() < 0.7 else rng.choice(labels)
    r = rng.random()
    if r < 0.06:
        return rng.choice(UNINFORMATIVE)
    if r < 0.2:
        stem = label.rstrip(":").rstrip()
        label = f"{stem} {rng.choice(QUALIFIERS)}" + (":" if label.endswith(":") else "")
    if rng.random() < 0.1:
        label = label.rstrip(":")
    if rng.random() < 0.05:
        label = label.upper()
    return label


def remix(tpl: dict, rng: random.Random) -> dict:
    """A varied copy of training template ``tpl`` (same id, same document type)."""
    out = copy.deepcopy(tpl)
    donors = [it for t in train_templates() if t.get("holder") == tpl.get("holder") and t["id"] != tpl["id"]
              for it in _form_items(t)]
    # a field printed twice (a form line and a paragraph) would be in two places at once
    fields = set(FIELD_MARK.findall(repr(out)))
    present = {it.get("value") for it in _form_items(out)}

    def fits(item: dict) -> bool:
        return item["value"] not in present and not set(FIELD_MARK.findall(item["value"])) & fields

    for el in out["elements"]:
        if el.get("type") not in ("form", "photo_form"):
            continue
        items = el.get("items", [])
        extra = [d for d in donors if fits(d)]
        if extra and el["type"] == "form" and rng.random() < 0.5:
            for d in rng.sample(extra, min(len(extra), rng.randint(1, 2))):
                if not fits(d):  # an earlier pick of this sample took its field
                    continue
                present.add(d["value"])
                fields.update(FIELD_MARK.findall(d["value"]))
                items.insert(rng.randint(1, len(items)) if items else 0, {**copy.deepcopy(d), "p": 1.0})
        for i, it in enumerate(items):
            if "label" in it:
                it["label"] = [_label(rng, it["value"], it["label"])]
            if i > 0:  # optional lines drop a little more often: fields move up and down
                it["p"] = it.get("p", 1.0) * 0.85
        if el["type"] == "form":
            el["numbered"] = rng.choice([0.0, 0.0, 0.5, 1.0])
            el["bullet"] = rng.choice([0.0, 0.3])
    return out


def pick_train_template(rng: random.Random) -> dict:
    """Document types balanced, then a training template of that type."""
    by_type: dict[str, list[dict]] = {}
    for t in train_templates():
        by_type.setdefault(t["doc_type"], []).append(t)
    return rng.choice(by_type[rng.choice(sorted(by_type))])
