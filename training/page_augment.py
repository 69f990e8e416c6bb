"""Training-time augmentations of a page example (``prepare.py``'s pages: words, boxes in 0-1000,
px_boxes, input_roles, lines, field_tags, role_tags, and rule_fields for stacked models).

Why: on the generator's held-out templates the layout model tagged a 12-digit number right after
"Số CCCD:" as an address or a birth date, and a business code after "Mã số doanh nghiệp:" as a
phone. Within one training template a field always sits at the same place among the page's
lines, so the position of a value is a shortcut the encoder learns instead of the label in front
of it; a new template puts the same labelled lines in another order, and often names them with
another of the usual labels. Two augmentations take the shortcut away:

- ``shuffle_form_lines``: whole self-contained field lines trade places (the label and its value
  move together), so only the words of a line and its neighbours still tell the field;
- ``swap_labels``: the printed label in front of a form field's value becomes another label of
  the same field from the rules' lexicon (``models/fields/labels.yaml``), so the model learns
  the family of labels, not the one its template prints.

Only lines in the middle of a page change (body and form lines): the Decree 30 header, title,
place and date and signature keep their places and words, which are the same on every template.
"""
from __future__ import annotations

import random

MOVABLE_ROLES = ("form_line", "body")
# Fields of the Decree 30 anatomy (header, number, place and date, title, signature) have one place
# on every template; the fields of a form's or a licence's labelled lines do not.
FORM_FIELDS = frozenset({"holder_name", "date_of_birth", "personal_id", "business_code", "address", "phone",
                         "scope", "valid_until"})
# The example's lists with one entry per word, in reading order.
WORD_KEYS = ("words", "boxes", "px_boxes", "input_roles", "lines", "field_tags", "role_tags", "rule_fields")


def _line_groups(ex: dict) -> list[tuple[tuple, list[int]]]:
    """(line key, word indices) in reading order; a line is the words sharing ``lines[i]``."""
    groups: dict[tuple, list[int]] = {}
    for i, key in enumerate(ex["lines"]):
        groups.setdefault(tuple(key), []).append(i)
    return sorted(groups.items(), key=lambda kv: kv[1][0])


def _movable(ex: dict, idx: list[int], next_first: str | None) -> bool:
    """A line that can go elsewhere whole: a body or form line whose fields are form fields that
    start and end on it (its first tagged word opens a span, the next line continues none), or
    an untagged form line ("Chủ cơ sở: ...", a distractor with a label of its own)."""
    roles = {ex["input_roles"][i] for i in idx}
    if not roles <= set(MOVABLE_ROLES):
        return False
    tagged = [ex["field_tags"][i] for i in idx if ex["field_tags"][i] != "O"]
    if not tagged:
        return roles == {"form_line"}
    if not tagged[0].startswith("B-") or (next_first or "").startswith("I-"):
        return False
    return all(t.split("-", 1)[1] in FORM_FIELDS for t in tagged)


def shuffle_form_lines(ex: dict, rng: random.Random, p: float = 0.5) -> dict:
    """With probability ``p``, a copy of the example (``prepare.py``'s page: words, boxes in
    0-1000, px_boxes, input_roles, lines, field_tags, role_tags) whose self-contained field lines
    among the body and form lines have traded places: each takes another's vertical position and
    its slot in the reading order (``_movable``). Fewer than two such lines, or no luck: the
    example itself."""
    if p <= 0 or rng.random() >= p:
        return ex
    tags = ex["field_tags"]
    groups = _line_groups(ex)
    movable = []
    for k, (_, idx) in enumerate(groups):
        nxt = groups[k + 1][1] if k + 1 < len(groups) else []
        next_first = next((tags[i] for i in nxt if tags[i] != "O"), None)
        if _movable(ex, idx, next_first):
            movable.append(k)
    if len(movable) < 2:
        return ex
    order = movable[:]
    rng.shuffle(order)
    if order == movable:
        order = movable[1:] + movable[:1]
    # slot k (the place of line movable[k]) now holds line order[k]
    new_groups = list(groups)
    px_in = ex.get("px_boxes")
    boxes, px = [list(b) for b in ex["boxes"]], [list(b) for b in px_in or []]

    def top(bs, idx):
        return min(bs[i][1] for i in idx)
    for slot, src in zip(movable, order):
        src_idx, slot_idx = groups[src][1], groups[slot][1]
        dy = top(ex["boxes"], slot_idx) - top(ex["boxes"], src_idx)
        for i in src_idx:
            b = ex["boxes"][i]
            boxes[i] = [b[0], min(1000, max(0, b[1] + dy)), b[2], min(1000, max(0, b[3] + dy))]
        if px_in:
            dpy = top(px_in, slot_idx) - top(px_in, src_idx)
            for i in src_idx:
                q = px_in[i]
                px[i] = [q[0], q[1] + dpy, q[2], q[3] + dpy]
        new_groups[slot] = groups[src]
    perm = [i for _, idx in new_groups for i in idx]
    moved = {**ex, "boxes": boxes, "px_boxes": px if px_in else ex.get("px_boxes")}
    return {**ex, **{k: [moved[k][i] for i in perm] for k in WORD_KEYS if ex.get(k) is not None}}


def _spread(text: str, x0: float, x1: float) -> list[tuple[str, float, float]]:
    """The words of ``text`` laid over [x0, x1] in proportion to their lengths (a space between)."""
    words = text.split()
    total = sum(len(w) for w in words) + len(words) - 1
    out, x = [], x0
    for w in words:
        dx = (x1 - x0) * len(w) / max(1, total)
        out.append((w, x, x + dx))
        x += dx + (x1 - x0) / max(1, total)
    return out


def lay_words(ex: dict, keys: list[str], like: int, over: list[int], text: str, **fixed) -> dict[str, list]:
    """The words of ``text`` laid over the width of the words ``over`` (normalized and pixel
    boxes), each a copy of word ``like`` (its row, role, line, tags) but for its text, its box and
    the entries ``fixed`` gives: a value for every new word, or a function of the word's index."""
    px_in = ex.get("px_boxes")
    bx = (min(ex["boxes"][i][0] for i in over), max(ex["boxes"][i][2] for i in over))
    qx = (min(px_in[i][0] for i in over), max(px_in[i][2] for i in over)) if px_in else bx
    out: dict[str, list] = {k: [] for k in keys}
    for j, ((w, x0, x1), (_, q0, q1)) in enumerate(zip(_spread(text, *bx), _spread(text, *qx))):
        for k in keys:
            val = ex[k][like]
            if k == "words":
                val = w
            elif k == "boxes":
                val = [round(x0), val[1], round(x1), val[3]]
            elif k == "px_boxes":
                val = [round(q0), val[1], round(q1), val[3]]
            elif k in fixed:
                val = fixed[k](j) if callable(fixed[k]) else fixed[k]
            out[k].append(val)
    return out


def swap_labels(ex: dict, rng: random.Random, p: float = 0.3) -> dict:
    """A copy of the example in which each form line whose words before a form field's value are
    a known label of that field (``labelled_field``) gets, with probability ``p``, another label
    of the same field printed in the label's place ("Số CCCD:" → "Số định danh cá nhân:"). The
    new label's words share the old label's box; the value keeps its words, boxes and tags."""
    from sohoa.models.fields.labels import labelled_field, lexicon

    if p <= 0:
        return ex
    labels = {name: ls for name, ls in lexicon().items() if name in FORM_FIELDS}
    tags = ex["field_tags"]
    keys = [k for k in WORD_KEYS if ex.get(k) is not None]
    out = {k: [] for k in keys}

    def keep(words: list[int]) -> None:
        for i in words:
            for k in keys:
                out[k].append(ex[k][i])
    changed = False
    for _, idx in _line_groups(ex):
        b = next((j for j, i in enumerate(idx) if tags[i] != "O"), None)
        swap = None
        if b and tags[idx[b]].startswith("B-") and ex["input_roles"][idx[0]] in MOVABLE_ROLES:
            name = tags[idx[b]][2:]
            label = " ".join(ex["words"][i] for i in idx[:b])
            if name in labels and label[:1].isalpha() and labelled_field(label) == name and rng.random() < p:
                swap = rng.choice(labels[name]).rstrip(":").strip() + ":"
        if swap is None:
            keep(idx)
            continue
        changed = True
        for k, vals in lay_words(ex, keys, idx[0], idx[:b], swap, field_tags="O", rule_fields="").items():
            out[k] += vals
        keep(idx[b:])
    return {**ex, **out} if changed else ex


def augment_page(ex: dict, rng: random.Random, shuffle: float = 0.0, swap: float = 0.0) -> dict:
    """Both augmentations, labels first (a shuffled line keeps its swapped label)."""
    return shuffle_form_lines(swap_labels(ex, rng, swap), rng, shuffle)
