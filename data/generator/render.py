"""Drawing primitives that record what they draw: every text line (text, box, block role), every
block (role, box) and every contract field (printed text, box) on an A4 page rendered with Pillow.

Coordinates are pixels of the clean page at ``DPI``; ``degrade.py`` maps them through the scan
transforms afterwards.
"""
from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .values import resource

DPI = 200
A4_MM = (210, 297)
PX_PER_MM = DPI / 25.4
PX_PER_PT = DPI / 72

Box = list[int]  # [x0, y0, x1, y1]


def union(boxes) -> Box | None:
    boxes = [b for b in boxes if b is not None]
    if not boxes:
        return None
    return [min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes)]


# --- fonts --------------------------------------------------------------------------------------

def _has_all_glyphs(path: str, chars: str) -> bool:
    font = ImageFont.truetype(path, 40)

    def glyph(c: str) -> bytes:
        im = Image.new("L", (80, 80))
        ImageDraw.Draw(im).text((10, 10), c, font=font, fill=255)
        return im.tobytes()
    notdef = glyph("\ue000")
    return all(glyph(c) != notdef for c in chars)


@lru_cache
def font_families() -> dict[str, dict]:
    """Families from fonts.yaml whose four faces exist and print every Vietnamese letter."""
    cfg = resource("fonts.yaml")
    out = {}
    for name, fam in cfg["families"].items():
        faces = [fam[k] for k in ("regular", "bold", "italic", "bolditalic")]
        if all(Path(p).exists() for p in faces) and all(_has_all_glyphs(p, cfg["check_chars"]) for p in faces):
            out[name] = fam
    if not out:
        raise RuntimeError("no font family with Vietnamese glyphs is installed (apt-get install fonts-liberation2)")
    return out


@lru_cache
def hand_fonts() -> tuple[str, ...]:
    cfg = resource("fonts.yaml")
    return tuple(p for p in cfg["hand"] if Path(p).exists() and _has_all_glyphs(p, cfg["check_chars"]))


@lru_cache(maxsize=512)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


@dataclass
class Fonts:
    family: dict
    hand: str
    scale: float = 1.0

    def get(self, style: str, pt: float) -> ImageFont.FreeTypeFont:
        if style == "hand":
            return _font(self.hand, int(round(pt * PX_PER_PT * 1.05)))
        return _font(self.family[style], int(round(pt * PX_PER_PT * self.scale * self.family.get("scale", 1.0))))


# --- runs and lines -------------------------------------------------------------------------------

@dataclass
class Run:
    text: str
    style: str = "regular"        # regular | bold | italic | bolditalic | hand
    field: str | None = None      # contract field this text is the value of
    color: tuple[int, int, int] | None = None


@dataclass
class Token:
    text: str                     # a word, without the space after it
    style: str
    field: str | None
    color: tuple[int, int, int] | None
    space: bool                   # a space follows


_WORD = re.compile(r"\S+\s*")


def tokenize(runs: list[Run]) -> list[Token]:
    tokens: list[Token] = []
    for run in runs:
        text = run.text
        if not text:
            continue
        if text[0].isspace() and tokens:
            tokens[-1].space = True
        for m in _WORD.finditer(text):
            word = m.group()
            tokens.append(Token(word.rstrip(), run.style, run.field, run.color, word != word.rstrip()))
    return tokens


@dataclass
class Page:
    number: int
    width: int
    height: int
    paper: tuple[int, int, int]
    img: Image.Image = None
    lines: list[dict] = field(default_factory=list)
    blocks: list[dict] = field(default_factory=list)

    def __post_init__(self):
        self.img = Image.new("RGB", (self.width, self.height), self.paper)
        self.draw = ImageDraw.Draw(self.img)


class Recorder:
    """Collects fields over the pages of one document."""

    def __init__(self):
        self.fields: dict[str, dict] = {}
        self._spans: dict[str, list] = {}

    def add_span(self, name: str, page: int, text: str, box: Box):
        if name in self.fields:
            return
        spans = self._spans.setdefault(name, [])
        if spans and spans[0][0] != page:
            return  # a value that runs onto the next page keeps its first page only
        spans.append((page, text, box))

    def close(self, name: str, normalize) -> None:
        """Turn the collected spans of ``name`` into a field (first occurrence wins)."""
        spans = self._spans.pop(name, None)
        if not spans or name in self.fields:
            return
        text = " ".join(t for _, t, _ in spans).strip()
        value = normalize(name, text)
        if value is None:
            raise ValueError(f"generated text {text!r} is not a valid {name}")
        boxes = [b for _, _, b in spans]
        # "parts": one box per line the value runs over; a geometric transform maps each part and
        # the field's box is their union (mapping the union itself would overshoot at the corners)
        parts = []
        for b in boxes:
            for p in parts:
                if min(p[3], b[3]) - max(p[1], b[1]) > 0.5 * min(p[3] - p[1], b[3] - b[1]):
                    p[:] = union([p, b])
                    break
            else:
                parts.append(list(b))
        self.fields[name] = {"value": value, "text": text, "page": spans[0][0],
                             "bbox": union(boxes), "parts": parts}

    def close_all(self, normalize):
        for name in list(self._spans):
            self.close(name, normalize)


INK = (20, 20, 22)


class Painter:
    """Draws wrapped, styled text on a page and records lines, blocks and field spans."""

    def __init__(self, rng: random.Random, fonts: Fonts, recorder: Recorder):
        self.rng = rng
        self.fonts = fonts
        self.rec = recorder
        self.ink = tuple(int(c) for c in np.clip(np.array(INK) + rng.randint(-10, 25), 0, 120))
        self.hand_ink = rng.choice([(25, 45, 150), (30, 30, 110), (15, 20, 40), (40, 60, 170)])

    def width(self, tokens: list[Token], pt: float) -> float:
        total = 0.0
        for i, t in enumerate(tokens):
            font = self.fonts.get(t.style, pt)
            total += font.getlength(t.text)
            if t.space and i < len(tokens) - 1:
                total += font.getlength(" ")
        return total

    def wrap(self, tokens: list[Token], pt: float, width: float, first_indent: float = 0.0,
             hang: float = 0.0) -> list[list[Token]]:
        # Words glued without a space ("Bình" + ",") wrap together.
        groups: list[list[Token]] = []
        for t in tokens:
            if groups and not groups[-1][-1].space:
                groups[-1].append(t)
            else:
                groups.append([t])
        lines: list[list[Token]] = [[]]
        x = first_indent
        for group in groups:
            w = sum(self.fonts.get(t.style, pt).getlength(t.text) for t in group)
            last = group[-1]
            sp = self.fonts.get(last.style, pt).getlength(" ")
            if lines[-1] and x + w > width:
                lines.append([])
                x = hang
            lines[-1].extend(group)
            x += w + (sp if last.space else 0)
        return [ln for ln in lines if ln]

    def draw_line(self, page: Page, tokens: list[Token], x: float, baseline: float, pt: float,
                  block: str, align: str = "left", width: float | None = None,
                  justify: bool = False) -> Box | None:
        """Draw one line; returns its box. ``x`` is the left edge (or the centre/right edge)."""
        natural = self.width(tokens, pt)
        gap_extra = 0.0
        if align == "center":
            x = x - natural / 2
        elif align == "right":
            x = x - natural
        elif justify and width and len(tokens) > 1:
            n_gaps = sum(1 for t in tokens[:-1] if t.space)
            if n_gaps:
                gap_extra = min((width - natural) / n_gaps, pt * PX_PER_PT * 0.6)
        boxes = []
        texts = []
        for i, t in enumerate(tokens):
            font = self.fonts.get(t.style, pt)
            y = baseline
            if t.style == "hand":
                y += self.rng.uniform(-0.08, 0.08) * pt * PX_PER_PT
            color = t.color or (self.hand_ink if t.style == "hand" else self.ink)
            page.draw.text((x, y), t.text, font=font, fill=color, anchor="ls")
            bb = font.getbbox(t.text, anchor="ls")
            box = [int(math.floor(x + bb[0])), int(math.floor(y + bb[1])),
                   int(math.ceil(x + bb[2])), int(math.ceil(y + bb[3]))]
            boxes.append(box)
            texts.append(t.text + (" " if t.space and i < len(tokens) - 1 else ""))
            if t.field:
                self.rec.add_span(t.field, page.number, t.text, box)
            x += font.getlength(t.text)
            if t.space:
                x += font.getlength(" ") + gap_extra
                if t.style == "hand":
                    x += self.rng.uniform(0, 0.15) * pt * PX_PER_PT
        box = union(boxes)
        text = "".join(texts).strip()
        if box and text:
            page.lines.append({"text": text, "bbox": box, "block": block})
        return box

    def rule(self, page: Page, cx: float, y: float, length: float, thickness: int = 2):
        page.draw.line([(cx - length / 2, y), (cx + length / 2, y)], fill=self.ink, width=thickness)


def add_block(page: Page, kind: str, boxes) -> Box | None:
    box = union(boxes)
    if box:
        page.blocks.append({"type": kind, "bbox": box})
    return box


# --- non-text marks -------------------------------------------------------------------------------

def scribble(page: Page, rng: random.Random, box: Box, color) -> Box:
    """A handwriting-like signature: a few smooth loops across ``box``."""
    x0, y0, x1, y1 = box
    n = rng.randint(5, 9)
    xs = np.linspace(x0, x1, n) + rng.uniform(-20, 20)
    ys = np.array([rng.uniform(y0, y1) for _ in range(n)])
    t = np.linspace(0, n - 1, 120)
    px = np.interp(t, np.arange(n), xs) + 18 * np.sin(t * rng.uniform(2, 4))
    py = np.interp(t, np.arange(n), ys) + 14 * np.cos(t * rng.uniform(2, 5))
    pts = list(zip(px.tolist(), py.tolist()))
    page.draw.line(pts, fill=color, width=rng.randint(2, 4), joint="curve")
    if rng.random() < 0.7:  # the underline flourish
        page.draw.line([(x0 + rng.uniform(0, 40), y1 - 5), (x1 - rng.uniform(0, 40), y1 - rng.uniform(10, 30))],
                       fill=color, width=2)
    return [int(min(px)) - 3, int(min(py)) - 3, int(max(px)) + 3, int(max(py)) + 3]


def stamp(page: Page, rng: random.Random, cx: float, cy: float, diameter: int, top_text: str,
          bottom_text: str, fonts: Fonts) -> Box:
    """A red round seal, blended multiplicatively over what is already printed."""
    d = int(diameter)
    layer = Image.new("L", (d, d), 0)
    dr = ImageDraw.Draw(layer)
    dr.ellipse([2, 2, d - 3, d - 3], outline=255, width=max(4, d // 45))
    inner = int(d * 0.27)
    dr.ellipse([inner, inner, d - inner, d - inner], outline=255, width=max(2, d // 90))
    # star in the middle
    r1, r2 = d * 0.09, d * 0.035
    pts = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        r = r1 if k % 2 == 0 else r2
        pts.append((d / 2 + r * math.cos(a), d / 2 + r * math.sin(a)))
    dr.polygon(pts, fill=255)
    font = fonts.get("bold", d / PX_PER_PT * 0.085)
    radius = d / 2 - d * 0.13
    text = f"{top_text} * {bottom_text} *" if bottom_text else f"{top_text} *"
    n = len(text)
    for i, ch in enumerate(text):
        if ch == " ":
            continue
        a = -math.pi / 2 + 2 * math.pi * i / n - math.pi * 0.9
        cx_c = d / 2 + radius * math.cos(a)
        cy_c = d / 2 + radius * math.sin(a)
        size = int(font.size * 1.6)
        glyph = Image.new("L", (size, size), 0)
        ImageDraw.Draw(glyph).text((size / 2, size / 2), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(a) - 90, resample=Image.BILINEAR)
        layer.paste(255, (int(cx_c - size / 2), int(cy_c - size / 2)), glyph)
    layer = layer.rotate(rng.uniform(-40, 40), resample=Image.BILINEAR)
    alpha = np.asarray(layer, dtype=np.float32) / 255.0 * rng.uniform(0.65, 0.95)
    # uneven ink
    alpha *= np.clip(np.random.default_rng(rng.randrange(2**32)).normal(1.0, 0.15, alpha.shape), 0.3, 1.2)
    color = np.array([rng.randint(185, 225), rng.randint(20, 60), rng.randint(30, 70)], dtype=np.float32) / 255
    x0, y0 = int(cx - d / 2), int(cy - d / 2)
    arr = np.asarray(page.img, dtype=np.float32)
    xa, ya = max(0, x0), max(0, y0)
    xb, yb = min(page.width, x0 + d), min(page.height, y0 + d)
    sub = arr[ya:yb, xa:xb]
    a = alpha[ya - y0:yb - y0, xa - x0:xb - x0, None]
    arr[ya:yb, xa:xb] = sub * (1 - a + a * color)
    page.img.paste(Image.fromarray(arr.clip(0, 255).astype(np.uint8)))
    page.draw = ImageDraw.Draw(page.img)
    return [xa, ya, xb, yb]


def photo(page: Page, rng: random.Random, box: Box) -> bool:
    """A photo box: a portrait (grey silhouette) or an empty frame; True if the frame is empty."""
    x0, y0, x1, y1 = [int(v) for v in box]
    dr = page.draw
    if rng.random() < 0.6:
        shade = rng.randint(150, 215)
        dr.rectangle(box, fill=(shade, shade, shade + rng.randint(-10, 15)), outline=(60, 60, 60), width=2)
        w, h = x1 - x0, y1 - y0
        body = rng.randint(60, 110)
        dr.ellipse([x0 + w * 0.3, y0 + h * 0.15, x0 + w * 0.7, y0 + h * 0.55], fill=(body + 60, body + 45, body + 35))
        dr.pieslice([x0 + w * 0.08, y0 + h * 0.55, x0 + w * 0.92, y0 + h * 1.4], 180, 360, fill=(body, body, body + 10))
    else:
        dr.rectangle(box, outline=(40, 40, 40), width=2)
        return True
    return False
