"""Heuristic layout: block roles and reading order for Decree 30/2020 documents.

Input: OCR lines of one page in page coordinates. Output: typed ``Block``s in reading order.
The roles follow the fixed anatomy of an administrative paper (header with agency left and
national motto right, number, place-date, title, subject, recipients, body, signature block and
"Nơi nhận"). A learned layout model can replace ``assign_roles`` behind the same ``analyze``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

from sohoa.models.document import Block, Line, Word
from sohoa.models.fields.normalize import strip_accents
from sohoa.models.ocr.base import OcrLine, OcrWord

VERSION = "layout-rules-1"

_MOTTO = re.compile(r"cong\s*hoa\s*xa\s*hoi|doc\s*lap\s*[-–—.,]?\s*tu\s*do|tu\s*do\s*[-–—.,]?\s*hanh\s*phuc")
_NUMBER = re.compile(r"^\s*s[oô6]\s*[:;.]")
_PLACE_DATE = re.compile(r"ngay\s*\S{0,4}\s*thang\s*\S{0,4}\s*nam\s*\d|,\s*ngay\b")
_SUBJECT = re.compile(r"^\s*(v/v|v\.v|ve\s*viec)\b")
_RECIPIENTS = re.compile(r"^\s*kinh\s*gui")
# the legal preamble of a decision or licence ("Căn cứ Luật ...", "Xét đề nghị của ...")
_PREAMBLE = re.compile(r"^\s*(can\s*cu|xet\b|theo\s+de\s*nghi)")
_DISTRIBUTION = re.compile(r"^\s*noi\s*nhan")
_SIGN_PREFIX = re.compile(r"^\s*(tm|kt|tl|tuq|q|t/m|k/t)\s*[./]")
_MOTTO_STARTS = {"cong hoa", "doc lap"}
_FORM_LABEL = re.compile(r"^\s*[-+•]?\s*[^\W\d_][^:]{1,40}:\s*\S")


@dataclass
class _L:
    """A line being laid out: OCR line plus the role given to it."""
    ocr: OcrLine
    key: str  # accent-free lower-case text for matching
    role: str = "body"
    region: int = -1  # index of the ruled table the line sits in

    @property
    def x0(self) -> int: return self.ocr.bbox[0]
    @property
    def y0(self) -> int: return self.ocr.bbox[1]
    @property
    def x1(self) -> int: return self.ocr.bbox[2]
    @property
    def y1(self) -> int: return self.ocr.bbox[3]
    @property
    def cx(self) -> float: return (self.x0 + self.x1) / 2
    @property
    def height(self) -> int: return self.y1 - self.y0


def _upper_ratio(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0


def _drop_stray_marks(words: list) -> list:
    """Rules and underlines read as "_" or "—" float between columns; punctuation that touches a
    word ("Độc lập - Tự do") stays."""
    keep = []
    heights = [w.bbox[3] - w.bbox[1] for w in words if any(c.isalnum() for c in w.text)]
    h = median(heights) if heights else 10
    for i, w in enumerate(words):
        if any(c.isalnum() for c in w.text):
            keep.append(w)
            continue
        near = [n for n in (words[i - 1] if i else None, words[i + 1] if i + 1 < len(words) else None)
                if n is not None and any(c.isalnum() for c in n.text)
                and min(abs(n.bbox[0] - w.bbox[2]), abs(w.bbox[0] - n.bbox[2])) < 1.5 * h]
        if near:
            keep.append(w)
    return keep


def _motto_cut(key: str, next_key: str) -> int | None:
    """Where a motto's first word begins at the end of ``key`` ("thanhcong" + "hoa" → 5)."""
    for start in _MOTTO_STARTS:
        first, second = start.split()
        if next_key == second and key.endswith(first) and len(key) > len(first) + 1:
            return len(key) - len(first)
    return None


def _unglue_motto(words: list[OcrWord]) -> list[OcrWord]:
    """The detector may take the agency line and the motto beside it for one line, and the
    recognizer then reads no space between them ("THÀNHCỘNG HÒA XÃ HỘI ..."): cut such a word
    before the motto's first word, its box shared by letter count."""
    keys = [strip_accents(w.text) for w in words]
    out: list[OcrWord] = []
    for i, w in enumerate(words):
        cut = _motto_cut(keys[i], keys[i + 1]) if i + 1 < len(words) else None
        if cut is None or not w.text[cut:cut + 1].isupper():
            out.append(w)
            continue
        x0, y0, x1, y1 = w.bbox
        xm = x0 + round((x1 - x0) * cut / len(w.text))
        out += [OcrWord(w.text[:cut], (x0, y0, xm, y1), w.confidence), OcrWord(w.text[cut:], (xm, y0, x1, y1), w.confidence)]
    return out


def split_at_gaps(lines: list[OcrLine], factor: float = 1.8) -> list[OcrLine]:
    """Tesseract joins the header's two columns ("UBND ... CỘNG HÒA ...") into one line: split
    a line wherever the gap between two words is wider than ``factor`` word heights."""
    out: list[OcrLine] = []
    for line in lines:
        words = _unglue_motto(_drop_stray_marks(line.words))
        if not words:
            continue
        heights = [w.bbox[3] - w.bbox[1] for w in words if any(c.isalnum() for c in w.text)]
        limit = factor * (median(heights) if heights else 10)
        keys = [strip_accents(w.text) for w in words]
        pieces, current = [], [words[0]]
        for i in range(1, len(words)):
            # The motto's first words mark the right column even where the gap is narrow.
            anchor = " ".join(keys[i:i + 2]) in _MOTTO_STARTS
            if words[i].bbox[0] - current[-1].bbox[2] > limit or anchor:
                pieces.append(current)
                current = []
            current.append(words[i])
        pieces.append(current)
        for piece in pieces:
            while piece and not any(c.isalnum() for c in piece[-1].text):
                piece.pop()  # a rule mark left dangling at the column edge
            if piece:
                out.append(OcrLine(piece, line.group))
    return out


def is_noise(line: OcrLine) -> bool:
    """Specks, rules and seal fragments that OCR reads as punctuation or single letters."""
    alnum = sum(c.isalnum() for c in line.text)
    return alnum == 0 or (alnum <= 2 and line.confidence < 0.6)


def assign_roles(lines: list[_L], width: int, height: int) -> None:
    mid = width / 2
    # The title: the first centred, upper-case line that is not the motto, number or date.
    title_index = None
    for i, ln in enumerate(lines):
        if ln.y0 > 0.5 * height:
            break
        centred = abs(ln.cx - mid) < 0.12 * width and ln.x0 > 0.1 * width
        words = [w for w in ln.ocr.text.split() if sum(c.isalpha() for c in w) >= 2]
        if (centred and _upper_ratio(ln.ocr.text) > 0.8 and len(words) >= 2 and ":" not in ln.key
                and not _MOTTO.search(ln.key) and not _NUMBER.search(ln.key)):
            title_index = i
            break
    # The header ends at the title, or (letters) at the first line that spans the page.
    header_end = title_index
    if header_end is None:
        for i, ln in enumerate(lines):
            if _RECIPIENTS.search(ln.key) or (ln.x1 - ln.x0 > 0.6 * width and ln.y0 > 0.08 * height):
                header_end = i
                break
    header_end = header_end if header_end is not None else 0
    has_header = header_end > 0 and any(_MOTTO.search(ln.key) or _NUMBER.search(ln.key)
                                        for ln in lines[:header_end])
    if not has_header:
        header_end = 0

    in_subject = False
    for ln in lines[:header_end]:
        left = ln.cx < mid
        if _MOTTO.search(ln.key):
            ln.role = "national_motto"
        elif _NUMBER.search(ln.key):
            ln.role = "number"
        elif _PLACE_DATE.search(ln.key) and not left:
            ln.role = "place_date"
        elif _SUBJECT.search(ln.key) or (in_subject and left):
            ln.role, in_subject = "subject", True
        elif left:
            ln.role = "agency_header" if not in_subject else "subject"
        else:
            ln.role = "national_motto" if ln.y0 < lines[0].y0 + 4 * ln.height else "place_date"

    close_y = _closing_top(lines[header_end:], width)
    column = _text_column(lines[header_end:])
    section = "body"
    title_done = False
    last = None
    for i in range(header_end, len(lines)):
        ln = lines[i]
        gap = ln.y0 - last.y1 if last is not None else 0
        if i == title_index:
            ln.role = "title"
        elif (last is not None and last.role == "title" and not title_done and _upper_ratio(ln.ocr.text) > 0.8
              and abs(ln.cx - mid) < 0.15 * width and gap < 1.5 * ln.height and not _SUBJECT.search(ln.key)):
            ln.role = "title"
        elif _SUBJECT.search(ln.key) and i - header_end <= 4:
            ln.role, section = "subject", "subject"
        elif last is not None and last.role == "title" and not title_done and _summary_line(ln, gap, width, column):
            ln.role, section = "subject", "subject"
        elif section == "subject" and abs(ln.cx - mid) < 0.15 * width and gap < 1.2 * ln.height \
                and _upper_ratio(ln.ocr.text) < 0.8 and ":" not in ln.key[:30] and not _PREAMBLE.search(ln.key) \
                and _short_centred(ln, width, column):
            ln.role = "subject"
        elif _RECIPIENTS.search(ln.key):
            ln.role, section = "recipients", "recipients"
        elif section == "recipients" and (ln.key.lstrip().startswith(("-", "+", "•")) or ln.x0 > 0.3 * width) \
                and gap < 1.5 * ln.height:
            ln.role = "recipients"
        elif _DISTRIBUTION.search(ln.key):
            ln.role, section = "distribution", "closing"
        elif section == "closing" and ln.cx < mid:
            ln.role = "distribution"
        # (the top of a page with no header is no header's right column: a continuation page may
        # open with the signature)
        elif ln.y1 >= close_y and ln.x0 > 0.45 * width and (ln.y0 > 0.3 * height or not has_header) and (
                section == "closing" or _SIGN_PREFIX.search(ln.key)
                or (_upper_ratio(ln.ocr.text) > 0.8 and abs(ln.cx - 0.72 * width) < 0.2 * width)):
            ln.role, section = "signature_block", "closing"
        elif _FORM_LABEL.search(ln.ocr.text) and section not in ("closing",):
            ln.role, section = "form_line", "body"
        else:
            ln.role = "body"
            if section in ("subject", "recipients"):
                section = "body"
        if ln.role != "title" and last is not None and last.role == "title":
            title_done = True
        last = ln


def _short_centred(ln: _L, width: int, column: tuple[float, float] | None = None) -> bool:
    """Centred and short of both margins: a summary line, not a body line spanning the column
    (whose centre is near the page's too). A long summary nearly fills the column but keeps
    equal insets from both of its edges, where a body line starts at the margin or at a
    paragraph's indent and runs to the other margin."""
    if ln.x0 > 0.18 * width and ln.x1 < 0.85 * width and abs(ln.cx - width / 2) < 0.08 * width:
        return True
    if column is None:
        return False
    inset_left, inset_right = ln.x0 - column[0], column[1] - ln.x1
    return min(inset_left, inset_right) > 0.02 * width and abs(inset_left - inset_right) < 0.02 * width


def _text_column(lines: list[_L]) -> tuple[float, float] | None:
    """The body text's left and right edges: where most lines start and where the longest end."""
    if len(lines) < 4:
        return None
    x0s, x1s = sorted(ln.x0 for ln in lines), sorted(ln.x1 for ln in lines)
    return x0s[len(x0s) // 10], x1s[(9 * len(x1s)) // 10]


def _summary_line(ln: _L, gap: float, width: int, column: tuple[float, float]) -> bool:
    """The summary (trích yếu) printed right under the name of a plan, report or notice
    ("KẾ HOẠCH" / "Triển khai công tác chuyển đổi số năm 2022"): a short centred line in
    lower case, not a note in brackets, a label or a number. Decree 30 puts "V/v" or "Về việc"
    before it only in letters and decisions; a body line spans the column, this one does not."""
    text = ln.ocr.text.lstrip()
    return (gap < 1.5 * ln.height and _short_centred(ln, width, column) and _upper_ratio(text) < 0.8
            and not text.startswith(("(", "-", "+")) and ":" not in text[:30] and not _PREAMBLE.search(ln.key)
            and not (_NUMBER.search(ln.key) or _RECIPIENTS.search(ln.key) or _PLACE_DATE.search(ln.key)))


def _closing_top(lines: list[_L], width: int) -> float:
    """Where the closing zone (signature, "Nơi nhận") may begin: at "Nơi nhận" or a TM./KT.
    line, else below the last line that spans the text column. A capitalised fragment on the
    right half of the body ("… TỈNH TIỀN GIANG" wrapped) must not open it."""
    anchors = [ln.y0 for ln in lines if _DISTRIBUTION.search(ln.key)
               or (_SIGN_PREFIX.search(ln.key) and ln.x0 > 0.4 * width)]
    if anchors:
        first = min(anchors)
        # The signer's office is often printed a little above "Nơi nhận:" on the same band.
        return first - 2 * max((ln.height for ln in lines), default=0)
    wide = [ln.y1 for ln in lines if ln.x1 - ln.x0 > 0.55 * width]
    return max(wide) if wide else 0.0


def _group(lines: list[_L]) -> list[list[_L]]:
    """Lines of one role, one column and no wide vertical gap form a block. Lines are sorted by
    height on the page, so the two header columns interleave: look back over recent groups."""
    groups: list[list[_L]] = []
    tables: dict[int, list[_L]] = {}  # a ruled table is one block, whatever its columns
    done: list[_L] = []  # lines grouped so far, top to bottom
    for ln in lines:
        done.append(ln)
        if ln.region >= 0:
            if ln.region in tables:
                tables[ln.region].append(ln)
            else:
                tables[ln.region] = [ln]
                groups.append(tables[ln.region])
            continue
        for group in reversed(groups[-4:]):
            prev = group[-1]
            same_col = not (ln.x0 > prev.x1 or ln.x1 < prev.x0)
            # The signature itself leaves a tall gap between the signer's title and name.
            max_gap = 12.0 if ln.role == "signature_block" else 2.0
            # A line of another block in the same column between them ends the block: a form
            # line's wrapped value ("…, huyện Củ" / "Chi, thành phố …") must not be read with
            # the body above the form line, far from its label.
            between = done[next(i for i in range(len(done) - 1, -1, -1) if done[i] is prev) + 1:-1]
            if (ln.role == prev.role and same_col and ln.role != "form_line"
                    and ln.y0 - prev.y1 < max_gap * max(ln.height, prev.height)
                    and not any(o.x0 <= ln.x1 and ln.x0 <= o.x1 for o in between)):
                group.append(ln)
                break
        else:
            groups.append([ln])
    return groups


_HEADER_ROLES = {"agency_header", "national_motto", "number", "place_date"}


def _reading_order(groups: list[list[_L]], width: int) -> list[list[_L]]:
    """Header: the left column, then the right one; then top to bottom, except that the closing
    zone reads "Nơi nhận" (left) before the signature block (right)."""
    mid = width / 2

    def left(g: list[_L]) -> bool:
        return min(ln.x0 for ln in g) < mid and sum(ln.cx for ln in g) / len(g) < mid

    header = [g for g in groups if g[0].role in _HEADER_ROLES or (g[0].role == "subject" and
              any(o[0].role == "number" for o in groups) and g[0].y0 < max(
                  (o[0].y1 for o in groups if o[0].role == "number"), default=0) + 6 * g[0].height)]
    rest = [g for g in groups if not any(g is h for h in header)]
    closing = [g for g in rest if g[0].role in ("distribution", "signature_block")]
    body = [g for g in rest if not any(g is c for c in closing)]
    by_y = lambda g: (g[0].y0, g[0].x0)  # noqa: E731
    ordered = sorted([g for g in header if left(g)], key=by_y) + sorted(
        [g for g in header if not left(g)], key=by_y)
    ordered += sorted(body, key=by_y)
    if closing:
        first = min(g[0].y0 for g in closing)
        late_body = [g for g in ordered if g in body and g[0].y0 > first]
        ordered = [g for g in ordered if not any(g is b for b in late_body)]
        zone = closing + late_body
        ordered += sorted([g for g in zone if left(g)], key=by_y) + sorted(
            [g for g in zone if not left(g)], key=by_y)
    return ordered


def _rows(lines: list[_L]) -> list[_L]:
    """Top to bottom, and left to right within a row: lines that overlap vertically by half their
    height share a row ("Kính gửi:" and the first recipient beside it)."""
    lines = sorted(lines, key=lambda ln: (ln.y0 + ln.y1) / 2)
    out: list[_L] = []
    row: list[_L] = []
    for ln in lines:
        if row:
            first = row[0]
            overlap = min(ln.y1, first.y1) - max(ln.y0, first.y0)
            if overlap < 0.5 * min(ln.height, first.height):
                out += sorted(row, key=lambda r: r.x0)
                row = []
        row.append(ln)
    return out + sorted(row, key=lambda r: r.x0)


def _to_line(ln: _L) -> Line:
    return Line(text=ln.ocr.text, bbox=ln.ocr.bbox, confidence=round(ln.ocr.confidence, 4),
                words=[Word(text=w.text, bbox=w.bbox, confidence=round(w.confidence, 4))
                       for w in ln.ocr.words])


def _inside(ln: _L, box: tuple[int, int, int, int]) -> bool:
    return box[0] <= ln.cx <= box[2] and box[1] <= (ln.y0 + ln.y1) / 2 <= box[3]


def analyze(ocr_lines: list[OcrLine], width: int, height: int,
            stamps: list[tuple[int, int, int, int]] = (), tables: list[tuple[int, int, int, int]] = (),
            photos: list[tuple[int, int, int, int]] = ()) -> list[Block]:
    """Blocks of one page, in reading order (stamps and photos last: they hold no text).
    ``tables``: ruled regions (``models/regions.py``); the lines inside them form table blocks."""
    lines = _rows([_L(ln, strip_accents(ln.text)) for ln in split_at_gaps(ocr_lines) if not is_noise(ln)])
    assign_roles(lines, width, height)
    for ln in lines:
        for index, box in enumerate(tables):
            if _inside(ln, box):
                ln.role, ln.region = "table", index
    blocks = []
    for group in _reading_order(_group(lines), width):
        x0 = min(ln.x0 for ln in group); y0 = min(ln.y0 for ln in group)  # noqa: E702
        x1 = max(ln.x1 for ln in group); y1 = max(ln.y1 for ln in group)  # noqa: E702
        blocks.append(Block(type=group[0].role, bbox=(x0, y0, x1, y1), lines=[_to_line(ln) for ln in group]))
    blocks += [Block(type="stamp", bbox=box) for box in stamps]
    blocks += [Block(type="photo", bbox=box) for box in photos]
    return blocks
