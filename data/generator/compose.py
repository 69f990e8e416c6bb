"""Template interpreter: turns one template of ``resources/templates.yaml`` and a seed into a
rendered, fully labelled document (clean pages, before scan degradations).

Layout follows Decree 30/2020/NĐ-CP, Appendix I: A4 portrait, margins top/bottom 20-25 mm, left
30-35 mm, right 15-20 mm; a two-column header (agency left, national motto right), number under
the agency, place and date in italics under the motto, title bold and centred, body 13-14 pt,
signature block right with the "Nơi nhận" list left.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from sohoa.models.fields.normalize import normalize_field

from . import values as V
from .context import build_context, fill, runs_of
from .forms import FormElements
from .header import HeaderElements
from .render import (A4_MM, PX_PER_MM, PX_PER_PT, Fonts, Page, Painter, Recorder, Run, Token,
                     add_block, font_families, hand_fonts, tokenize)
from .signature import SignatureElements


def _value_lines(lines: list[list[Token]], i: int) -> int:
    """Line ``i`` and the lines after it that continue a field value ending line ``i``: kept on one
    page, since a value broken by a page break ("ngày 18 tháng" | "05 năm 2030") is no value."""
    n = 1
    while i + n < len(lines) and lines[i + n - 1] and lines[i + n] \
            and lines[i + n - 1][-1].field and lines[i + n][0].field == lines[i + n - 1][-1].field:
        n += 1
    return n


@dataclass
class Document:
    doc_id: str
    template: str
    doc_type: str
    pages: list[Page]
    fields: dict[str, dict]
    meta: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(ln["text"] for p in self.pages for ln in p.lines)


def templates() -> list[dict]:
    """The templates that default generation draws, split by template into train/validation/test."""
    return V.resource("templates.yaml")["templates"]


def extra_templates() -> list[dict]:
    """Training-only templates (``templates_extra.yaml``), drawn only with ``--extra-templates``."""
    return V.resource("templates_extra.yaml")["templates"]


def fresh_templates(split: str | None = None) -> list[dict]:
    """Evaluation-only templates of one split of ``FRESH_SPLITS`` (``templates_<split>.yaml``), or
    of all of them, drawn only with ``--fresh-templates [SPLIT]``: layouts written after the rules
    and the models were frozen, by someone who had not read the rules, so they show how each does
    on the next template."""
    from sohoa.data.dataset import FRESH_SPLITS

    if split is not None and split not in FRESH_SPLITS:
        raise ValueError(f"unknown evaluation-only split {split!r} (known: {', '.join(FRESH_SPLITS)})")
    return [t for s in ([split] if split else FRESH_SPLITS) for t in V.resource(f"templates_{s}.yaml")["templates"]]


def template_pool(extra: bool = False, fresh: bool | str | None = None) -> list[dict]:
    """The templates one generation run draws from: an evaluation-only split (``fresh``: its
    name, or True for the first, "fresh"), the training-only extra ones, or (default) the core."""
    if fresh:
        return fresh_templates("fresh" if fresh is True else fresh)
    return extra_templates() if extra else templates()


def template_by_id(tid: str) -> dict:
    for t in templates() + extra_templates() + fresh_templates():
        if t["id"] == tid:
            return t
    raise KeyError(tid)

class Composer(HeaderElements, FormElements, SignatureElements):
    def __init__(self, rng: random.Random, tpl: dict, doc_id: str):
        self.rng = rng
        self.tpl = tpl
        self.doc_id = doc_id
        fams = font_families()
        names = sorted(fams)
        fam = rng.choices(names, weights=[fams[n]["weight"] for n in names])[0]
        hands = hand_fonts() or (fams[fam]["italic"],)
        self.fonts = Fonts(fams[fam], rng.choice(hands), scale=rng.uniform(0.96, 1.04))
        self.family = fam
        self.rec = Recorder()
        self.p = Painter(rng, self.fonts, self.rec)
        self.c = build_context(rng, tpl)
        self.W = int(round(A4_MM[0] * PX_PER_MM))
        self.H = int(round(A4_MM[1] * PX_PER_MM))
        self.left = int(rng.uniform(30, 35) * PX_PER_MM)
        self.right = self.W - int(rng.uniform(15, 20) * PX_PER_MM)
        self.top = int(rng.uniform(18, 25) * PX_PER_MM)
        self.bottom = self.H - int(rng.uniform(18, 25) * PX_PER_MM)
        self.body_pt = rng.choice([13, 13.5, 14, 14])
        self.leading = rng.uniform(1.25, 1.5)
        tint = rng.randint(0, 12)
        self.paper = (255 - rng.randint(0, 6), 255 - rng.randint(0, 6), 255 - tint)
        self.pages: list[Page] = []
        self.value_style = rng.choice(["regular", "regular", "bold"])
        self.new_page()

    # pages and flow
    def new_page(self):
        page = Page(len(self.pages) + 1, self.W, self.H, self.paper)
        self.pages.append(page)
        self.y = self.top
        if page.number > 1:  # Decree 30: page numbers from page 2, centred in the top margin
            toks = tokenize([Run(str(page.number))])
            base = self.top * 0.55
            self.p.draw_line(page, toks, self.W / 2, base, 13, "body", align="center")
            self.y = self.top + 10

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def line_h(self, pt: float) -> float:
        return pt * PX_PER_PT * self.leading

    def ensure(self, h: float):
        if self.y + h > self.bottom:
            self.new_page()

    def paragraph(self, runs: list[Run], block: str, pt: float | None = None, align: str = "justify",
                  indent: float | None = None, x0: float | None = None, x1: float | None = None,
                  hang: float = 0.0, leaders: bool = False, space_before: float = 0.3) -> list:
        pt = pt or self.body_pt
        x0 = self.left if x0 is None else x0
        x1 = self.right if x1 is None else x1
        width = x1 - x0
        if indent is None:
            indent = (self.rng.choice([10, 12.7]) * PX_PER_MM) if align == "justify" else 0
        lines = self.p.wrap(tokenize(runs), pt, width, first_indent=indent, hang=hang)
        lh = self.line_h(pt)
        self.y += space_before * lh * 0.5
        boxes = []
        for i, toks in enumerate(lines):
            self.ensure(lh * _value_lines(lines, i))
            baseline = self.y + pt * PX_PER_PT * 0.9
            if align == "center":
                box = self.p.draw_line(self.page, toks, (x0 + x1) / 2, baseline, pt, block, align="center")
            elif align == "right":
                box = self.p.draw_line(self.page, toks, x1, baseline, pt, block, align="right")
            else:
                xs = x0 + (indent if i == 0 else hang)
                box = self.p.draw_line(self.page, toks, xs, baseline, pt, block,
                                       justify=(align == "justify" and i < len(lines) - 1), width=x1 - xs)
                if leaders and box:
                    self._leaders(box[2] + 8, x1, baseline + 3)
            boxes.append((self.page.number, box))
            self.y += lh
        return boxes

    def _leaders(self, xa: float, xb: float, y: float):
        x = xa
        while x < xb:
            self.page.draw.point([(x, y), (x + 1, y)], fill=(90, 90, 90))
            x += 7

    def block(self, kind: str, boxes: list):
        by_page: dict[int, list] = {}
        for n, b in boxes:
            if b:
                by_page.setdefault(n, []).append(b)
        for n, bs in by_page.items():
            add_block(self.pages[n - 1], kind, bs)

    # --- elements
    def compose(self) -> Document:
        for el in self.tpl["elements"]:
            if self.rng.random() > el.get("p", 1.0):
                continue
            getattr(self, "el_" + el["type"])(el)
        self.rec.close_all(normalize_field)
        meta = {"family": self.family, "date": self.c["date"].isoformat(), "era": self.c["era"]}
        return Document(self.doc_id, self.tpl["id"], self.tpl["doc_type"], self.pages, self.rec.fields, meta)

    def el_authority(self, el: dict):
        b = self.paragraph([Run(self.c["authority"], "bold")], "body", align="center", space_before=0.6)
        self.block("body", b)
        self.y += self.line_h(self.body_pt) * 0.2

    def el_bases(self, el: dict):
        pool = V.bases_in_force(V.resource("vocab.yaml")["bases"][el["pool"]], self.c["date"])
        k = self.rng.randint(*el.get("k", [2, 3]))
        chosen = self.rng.sample(pool, min(k, len(pool)))
        boxes = []
        for text in chosen:
            boxes += self.paragraph(runs_of(text, self.c, "italic"), "body", space_before=0.2)
        self.block("body", boxes)

    def el_heading(self, el: dict):
        text = fill(self.rng.choice(el["text"]), self.c)
        align = el.get("align", "center")
        b = self.paragraph([Run(text, "bold")], "body", align=align, indent=0 if align != "center" else None,
                           space_before=0.8)
        self.block("body", b)

    def el_para(self, el: dict):
        text = self.rng.choice(el["text"])
        style = el.get("style", "regular")
        align = el.get("align", "justify")
        b = self.paragraph(runs_of(text, self.c, style), "body", align=align)
        self._close_inline()
        self.block("body", b)

    def _close_inline(self):
        for name in list(self.rec._spans):
            self.rec.close(name, normalize_field)

    def el_article(self, el: dict):
        self._article_n = getattr(self, "_article_n", 0) + 1
        text = self.rng.choice(el["text"])
        runs = [Run(f"Điều {self._article_n}. ", "bold")] + runs_of(text, self.c)
        b = self.paragraph(runs, "body")
        self._close_inline()
        self.block("body", b)

    def el_topic_body(self, el: dict):
        topic = self.c.get("topic")
        if not topic:
            return
        boxes = []
        for text in topic["body"]:
            boxes += self.paragraph(runs_of(text, self.c), "body")
            self._close_inline()
        self.block("body", boxes)

    def el_recipients(self, el: dict):
        c = self.c
        c["addressed"] = True  # "Như trên" in the Nơi nhận list refers to it (signature.py)
        label = "Kính gửi: "
        if el.get("list"):
            pool = V.resource("vocab.yaml")["recipients"][el.get("pool", "general")]
            k = self.rng.randint(*el["list"])
            items = [fill(x, c) for x in self.rng.sample(pool, min(k, len(pool)))]
            boxes = []
            x_label = self.left + (self.right - self.left) * self.rng.uniform(0.12, 0.22)
            font = self.fonts.get("regular", self.body_pt)
            x_items = x_label + font.getlength(label) + 5
            self.y += self.line_h(self.body_pt) * 0.3
            base_y = self.y
            boxes += self.paragraph([Run(label.strip(), "regular")], "recipients", align="left", indent=0,
                                    x0=x_label, x1=self.right, space_before=0)
            self.y = base_y
            for i, it in enumerate(items):
                end = "." if i == len(items) - 1 else ";"
                boxes += self.paragraph([Run("- ", "regular"), Run(it + end, "regular", "recipient")], "recipients",
                                        align="left", indent=0, x0=x_items, x1=self.right, hang=20, space_before=0)
            self.rec.close("recipient", normalize_field)
        else:
            c["recipient"] = fill(self.rng.choice(el["recipient"]), c)
            text = self.rng.choice(el["text"])
            runs = [Run(label, "regular")] + runs_of(text, c)
            boxes = self.paragraph(runs, "recipients", align="center", indent=0, space_before=0.6)
            self.rec.close("recipient", normalize_field)
        self.block("recipients", boxes)
        self.y += self.line_h(self.body_pt) * 0.3

    def el_place_date(self, el: dict):
        _, _, cx_r, _ = self._header_geometry()
        self.ensure(self.line_h(self.body_pt) * 6)
        self.y += self.line_h(self.body_pt) * 0.5
        self._place_date(cx_r, self.y)
        self.y += self.line_h(self.body_pt)


def compose(template_id: str, seed: int, doc_id: str | None = None) -> Document:
    rng = random.Random(f"{template_id}:{seed}")
    tpl = template_by_id(template_id)
    return Composer(rng, tpl, doc_id or f"{template_id}-{seed}").compose()
