"""Rule-based field extraction over the laid-out pages: the baseline that learned extractors must
beat, and their fallback. Every value goes through ``normalize_field``."""
from __future__ import annotations

import re
from itertools import takewhile

from sohoa.models.document import Block, Field, Line, Page
from sohoa.models.fields import prose
from sohoa.models.fields.evidence import field_on_lines as _field
from sohoa.models.fields.evidence import union as _union
from sohoa.models.fields.labels import NOT_A_FIELD, label_colon, label_hits
from sohoa.models.fields.normalize import (fold_text, normalize_date, normalize_field, parse_place_date,
                                           strip_accents, strip_signature_strokes)

VERSION = "fields-rules-1"

# A header line that starts with one of these opens a new agency level ("UBND TỈNH X" / "SỞ Y TẾ");
# one that does not continues the name above ("ỦY BAN NHÂN DÂN" / "THÀNH PHỐ ĐÀ NẴNG").
_AGENCY_NOUNS = re.compile(
    r"^(so|phong|ban|chi cuc|trung tam|benh vien|truong|cong an|cuc|vu|vien|hoi dong|thanh tra|"
    r"van phong|uy ban nhan dan|ubnd|bo|tong cuc|doan|hoi|cong ty|tram|khoa|nganh)\b")
_BARE_COUNCIL = re.compile(r"^(uy|uy) ban nhan dan$")
_SIGN_PREFIX = re.compile(r"^\s*(TM|KT|TL|TUQ|Q|T/M|K/T)\s*[./]\s*", re.IGNORECASE)
# Under a licence's or decision's name, the issuer states its office: "GIÁM ĐỐC SỞ Y TẾ",
# "CHỦ TỊCH ỦY BAN NHÂN DÂN ...", "TRƯỞNG PHÒNG KINH TẾ".
_AUTHORITY_LINE = re.compile(r"^(giam doc|chu tich|truong phong|cuc truong|bo truong|chi cuc truong|"
                             r"truong ban|vien truong|hieu truong|thu truong)\b")
# "SỞ Y TẾ CHỨNG NHẬN", "CHỨNG NHẬN:": the issuer's line under a certificate's name
_ISSUER_CERTIFIES = re.compile(r"^(?!giay\b).*\bchung nhan\s*:?\s*$")
_COLLECTIVE = re.compile(r"^\s*T\s*[./]?\s*M\s*[./]", re.IGNORECASE)
# "có hiệu lực đến ngày …", "có giá trị sử dụng đến …", "Thời hạn sử dụng đất sau khi gia hạn: đến
# ngày …" (within a clause), "hết hiệu lực sau ngày …", "được sử dụng giấy phép này … cho đến ngày …"
_VALID_UNTIL = re.compile(r"(?:(?:hieu luc|gia tri|thoi han|duoc su dung)(?:[^\d]{0,25}|[^\d.;]{0,40})(?:den|toi)|"
                          r"het hieu luc\s*(?:sau|tu|ke tu)?)\s*(?:ngay)?")


# Papers whose name has no summary line (trích yếu) under it: licences, certificates, forms
_NAMES_ALONE = re.compile(r"^(giay chung nhan|giay phep|chung chi|chung nhan|don|phieu|to khai|giay de nghi)\b")
# Papers that do have one: a report, a plan, a notice, a decision
_NAMES_WITH_SUMMARY = re.compile(r"^(bao cao|ke hoach|thong bao|quyet dinh|to trinh|chuong trinh)\b")


def _centred_under_title(pages: list[Page]) -> tuple[Block, int] | None:
    """A report's summary the layout left in the body: the lines right under its name ("BÁO CÁO"),
    centred on it, not in capitals."""
    found = _first(pages, "title")
    if not found or not _NAMES_WITH_SUMMARY.match(strip_accents(found[0].lines[0].text)):
        return None
    title, number = found
    page = next(p for p in pages if p.number == number)
    cx = (title.bbox[0] + title.bbox[2]) / 2
    h = title.lines[-1].bbox[3] - title.lines[-1].bbox[1]
    body = sorted((ln for b in page.blocks if b.type == "body" for ln in b.lines), key=lambda ln: ln.bbox[1])
    lines: list[Line] = []
    for ln in body:
        top = lines[-1].bbox[3] if lines else title.bbox[3]
        if ln.bbox[1] < top - 0.5 * h:
            continue
        centred = abs((ln.bbox[0] + ln.bbox[2]) / 2 - cx) < 0.05 * page.width
        # the summary's own lines sit tight; the body paragraph starts after a paragraph space
        if ln.bbox[1] - top > (0.4 if lines else 1.2) * h or not centred or ln.text.isupper():
            break
        lines.append(ln)
    if not lines or not lines[0].text[:1].isupper():
        return None
    return Block(type="subject", bbox=_union([ln.bbox for ln in lines]), lines=lines), number


def _first(pages: list[Page], role: str) -> tuple[Block, int] | None:
    for page in pages:
        for block in page.blocks:
            if block.type == role and block.lines:
                return block, page.number
    return None


def _authorities(block: Block, page: int) -> dict[str, Field]:
    lines = [ln for ln in block.lines if sum(c.isalpha() for c in ln.text) >= 2]
    units: list[list[Line]] = []
    for ln in lines:
        key = strip_accents(ln.text).strip()
        # a lone word ("TRƯỜNG" of "… VÀ MÔI | TRƯỜNG") ends the line above, whatever it means alone
        new_level = len(key.split()) > 1 and bool(_AGENCY_NOUNS.search(key)) and not (units and _BARE_COUNCIL.search(
            strip_accents(" ".join(x.text for x in units[-1])).strip()))
        if not units or new_level:
            units.append([ln])
        else:
            units[-1].append(ln)
    out: dict[str, Field] = {}
    if not units:
        return out
    issuing = units[-1]
    if f := _field("issuing_authority", " ".join(ln.text for ln in issuing), issuing, page, 0.9):
        out["issuing_authority"] = f
    if len(units) > 1:
        parent = [ln for unit in units[:-1] for ln in unit]
        if f := _field("parent_authority", " ".join(ln.text for ln in parent), parent, page, 0.85):
            out["parent_authority"] = f
    return out


def _signer(block: Block, page: int) -> dict[str, Field]:
    lines = sorted(block.lines, key=lambda ln: ln.bbox[1])
    if not lines:
        return {}
    gaps = [(lines[i + 1].bbox[1] - lines[i].bbox[3], i) for i in range(len(lines) - 1)]
    heights = sorted(ln.bbox[3] - ln.bbox[1] for ln in lines)
    line_h = heights[len(heights) // 2]
    gap, at = max(gaps, default=(0, len(lines) - 1))
    above, below = (lines[:at + 1], lines[at + 1:]) if gap > 1.5 * line_h else (lines, [])
    out: dict[str, Field] = {}
    # "TM. ỦY BAN NHÂN DÂN" names the collective body signed for, not the signer's office
    titles = [ln for ln in above if _looks_like_office(ln) and not _COLLECTIVE.match(ln.text)]
    if titles:
        title = titles[-1]
        if f := _field("signer_title", _SIGN_PREFIX.sub("", title.text), [title], page, 0.85):
            out["signer_title"] = f
    names = [ln for ln in (below or lines[1:]) if _looks_like_name(ln.text)]
    if names:
        name = names[-1]
        if f := _field("signer_name", name.text, [name], page, 0.85):
            out["signer_name"] = f
    return out


# "(Ký, ghi rõ họ tên)", "(Ký và ghi rõ họ tên)", "(Ký, đóng dấu, ghi rõ họ tên)"
_SIGN_CAPTION = re.compile(r"^\W*ky\b.{0,30}\bho\s*ten\W*$")


def _signature_by_caption(pages: list[Page]) -> dict[str, Field]:
    """A form's signature the layout left in the body: the caption under the signer's role
    ("Người làm đơn", "(Ký, ghi rõ họ tên)"), the name written further down the same column."""
    for page in reversed(pages):
        lines = prose.running_lines(page)
        for cap in lines:
            if not _SIGN_CAPTION.match(strip_accents(cap.text)):
                continue
            h = cap.bbox[3] - cap.bbox[1]
            column = [ln for ln in lines if ln.bbox[0] < cap.bbox[2] and ln.bbox[2] > cap.bbox[0]]
            above = [ln for ln in column if cap.bbox[1] - 1.5 * h < ln.bbox[3] <= cap.bbox[1] + 0.3 * h]
            below = [ln for ln in column if cap.bbox[3] - 0.3 * h <= ln.bbox[1] < cap.bbox[3] + 8 * h]
            out: dict[str, Field] = {}
            if above and not _PLACE_DATE.search(strip_accents(above[-1].text)) and len(above[-1].text.split()) <= 6:
                if f := _field("signer_title", above[-1].text, [above[-1]], page.number, 0.7):
                    out["signer_title"] = f
            names = [ln for ln in below if _looks_like_name(ln.text)]
            if names and (f := _field("signer_name", names[0].text, [names[0]], page.number, 0.7)):
                out["signer_name"] = f
            if out:
                return out
    return {}


def _looks_like_office(line: Line) -> bool:
    """"GIÁM ĐỐC", "PHÓ CHỦ TỊCH": capital letters, hardly any symbols. A seal read as text
    ("®\\VA Ð, À01") is not one."""
    # strokes of the signature read before the office ('g"" PHỞ GIÁM ĐỐC') are dropped first
    text = strip_signature_strokes(_SIGN_PREFIX.sub("", line.text))
    letters = sum(c.isalpha() for c in text)
    other = sum(not (c.isalpha() or c.isspace() or c in ".-") for c in text)
    return (letters >= 4 and sum(c.isupper() for c in text) >= 0.8 * letters and other <= 1
            and line.confidence >= 0.5)


def _looks_like_name(text: str) -> bool:
    words = fold_text(text).split()
    if not 2 <= len(words) <= 7 or any(c.isdigit() for c in text):
        return False
    capitalised = sum(w[:1].isupper() for w in words)
    return capitalised >= len(words) - 1


_INDENT = 3  # how far (in line heights) a paragraph's first line may be indented from its next one
_WRAPPING = {"address", "scope", "holder_name"}  # values long enough to run onto the next line
_LIST_MARK = re.compile(r"^\s*[-•+]\s*")
_PLACE_DATE = re.compile(r",\s*ngay\s*\d{1,2}\s*thang\s*\d{1,2}")  # "Đồng Nai, ngày 26 tháng 9 ..."
_NEW_ITEM = re.compile(r"^\s*([-+•]|\d{1,2}[.)]|[a-zđ][.)]\s|dieu\s+\d)")


_INSTRUCTION = re.compile(r"[^:()]{0,30}\([^()]{0,60}\)")  # "Nơi thường trú (ghi đầy đủ số nhà, thôn, xã):"


def _value_after_label(text: str, key: str, end: int, stop: int) -> str:
    """What follows a label up to the next one; words between the label and its colon
    ("Địa chỉ liên hệ:", "Phạm vi hoạt động chuyên môn đề nghị:"), a form's bracketed
    instruction among them, belong to the label."""
    note = _INSTRUCTION.match(key, end)
    colon = label_colon(key, note.end() if note else end, stop)
    start = colon + 1 if colon >= 0 else end
    return text[start:stop].strip(" :.-")


def _continues(line: Line, nxt: Line, right: float, indented: bool = False) -> bool:
    """``nxt`` carries on the value of ``line``: just below it, not a new label or item, and
    ``line`` was wrapped, i.e. it runs to the column's right edge ``right`` but for less than the
    first word of ``nxt`` (a value that ends short of the margin ended there), or it ends in a
    comma. Boxes of a text-line detector are padded (the DB detector's unclipping), so two lines
    of tight leading overlap by a few pixels: a small negative gap still counts as "just below".
    ``indented``: ``line`` may open an indented paragraph, so ``nxt`` may start left of it, at
    the margin (allowed for a value its label's colon opened on ``line`` and for the rest of a
    date; not for a bare label ending a line, "… tại trụ sở", whose next line is other prose)."""
    h = line.bbox[3] - line.bbox[1]
    h_min = min(h, nxt.bbox[3] - nxt.bbox[1])
    key = strip_accents(nxt.text)
    first_word = nxt.words[0].bbox[2] - nxt.words[0].bbox[0] if nxt.words else 0.5 * h * len(nxt.text.split()[0])
    # a value ending in a comma ("…, huyện Chợ Đồn,") goes on, wherever its line stops
    comma = line.text.rstrip().endswith(",")
    wrapped = line.bbox[2] + first_word + 1.5 * h >= right or comma
    # a handwritten line's box is taller than its neighbours': compare centres, by the smaller height
    below = (nxt.bbox[1] + nxt.bbox[3]) / 2 - (line.bbox[1] + line.bbox[3]) / 2 >= 0.6 * h_min
    return (wrapped and below and nxt.bbox[1] - line.bbox[3] < 0.8 * h
            and nxt.bbox[0] > line.bbox[0] - (_INDENT * h if indented else h)
            # a label opening the line starts a new value; one further on is prose that a value
            # broken after a comma runs into (", địa chỉ: Số 5, … tỉnh X, phạm vi hoạt động …")
            and not (any(start <= 4 or not comma for start, _, _ in label_hits(key)) or _NEW_ITEM.search(key)
                     or _PLACE_DATE.search(key) or (_VALID_UNTIL.search(key) and not comma))
            and ":" not in nxt.text[:60])  # "Người chịu trách nhiệm chuyên môn kỹ thuật: …"


def _next_below(lines: list[Line], line: Line, indent: float = 0.0) -> Line | None:
    """The first line under ``line`` in its own column: a photo's caption or a margin note at the
    same height beside it is not the next line of its text. ``indent``: how far left of ``line``
    that column may start (a paragraph's first line is indented; its next line may be one short
    word at the margin)."""
    below = [ln for ln in lines if ln.bbox[1] > line.bbox[1] + 0.5 * (line.bbox[3] - line.bbox[1])
             and ln.bbox[0] < line.bbox[2] and ln.bbox[2] > line.bbox[0] - indent]
    return min(below, key=lambda ln: (ln.bbox[1], ln.bbox[0]), default=None)


def _value_below(lines: list[Line], line: Line) -> Line | None:
    """The line right under a label that ends its own line, unless it is another label."""
    nxt = _next_below(lines, line)
    h = line.bbox[3] - line.bbox[1]
    if nxt is None or nxt.bbox[1] - line.bbox[3] > 1.5 * h or label_hits(strip_accents(nxt.text)):
        return None
    return nxt


def _form_fields(pages: list[Page]) -> dict[str, Field]:
    """Labelled lines anywhere ("Họ và tên: ...", "Ngày sinh: ..."); one line may hold several,
    and an address or scope may wrap onto the next line."""
    out: dict[str, Field] = {}
    for page in pages:
        lines = [ln for b in page.blocks if b.type in ("form_line", "body", "table", "recipients")
                 for ln in b.lines]
        lines.sort(key=lambda ln: (ln.bbox[1], ln.bbox[0]))
        in_table = {id(ln) for b in page.blocks if b.type == "table" for ln in b.lines}
        # the text column's right edge: where most full lines end
        ends = sorted(ln.bbox[2] for ln in lines)
        right = float(ends[int(0.9 * (len(ends) - 1))]) if ends else 0.0
        for i, ln in enumerate(lines):
            key = strip_accents(ln.text)
            hits = label_hits(key)
            for j, (start, end, name) in enumerate(hits):
                if name in out or name == NOT_A_FIELD or (name == "address" and key[:start].endswith("tai ")):
                    continue  # "… đặt tại trụ sở Ủy ban …": where something happens, not a seat
                last = j + 1 == len(hits)
                text = _value_after_label(ln.text, key, end, hits[j + 1][0] if not last else len(ln.text))
                used = [ln]
                if not text and last and ln.text.rstrip().endswith(":") and (nxt := _value_below(lines, ln)):
                    text = nxt.text  # a label on a line of its own, its value centred under it
                    used.append(nxt)
                if name in _WRAPPING and last:
                    # a paragraph's first line is indented: a value its label's colon opened there
                    # may go on at the margin ("… tiếp nhận hồ sơ của: Công ty TNHH" / "Một thành viên …")
                    opened = bool(text) and ":" in key[end:end + 31]
                    while len(used) < 3:
                        indented = opened and len(used) == 1
                        h = used[-1].bbox[3] - used[-1].bbox[1]
                        nxt = _next_below(lines, used[-1], _INDENT * h if indented else 0.0)
                        # a value goes on in its own block kind: a table's header under a form line is not its end
                        if nxt is None or not _continues(used[-1], nxt, right, indented) \
                                or (id(nxt) in in_table) != (id(used[-1]) in in_table):
                            break
                        text += " " + nxt.text
                        used.append(nxt)
                if key[:start].count("(") > key[:start].count(")"):
                    text = text.split(")")[0]  # "Cho Công ty X (trụ sở: …, tỉnh Y) thuê …": the bracket ends it
                value = normalize_date(text) if name in ("valid_until", "date_of_birth") else normalize_field(name, text)
                if value and name == "holder_name" and not (value[:1].isupper() and len(value.split()) >= 2):
                    continue  # a person or a firm: two words or more, with a capital ("cấp cho tổ chức." is prose)
                if value and (f := _field(name, text, used, page.number, 0.9, value)):
                    out[name] = f
            if "valid_until" not in out and (m := _VALID_UNTIL.search(key)):
                text, used = ln.text[m.start():], [ln]
                value = normalize_date(ln.text[m.end():])
                h = ln.bbox[3] - ln.bbox[1]
                if not value and (nxt := _next_below(lines, ln, _INDENT * h)) is not None and _continues(ln, nxt, right, True):
                    # running text breaks a date at the line's end ("… đến hết ngày 19 tháng" / "12 năm
                    # 2025"); only the next line's opening words may finish it, not a later date there
                    value = normalize_date(ln.text[m.end():] + " " + nxt.text[:30])
                    text, used = text + " " + nxt.text, used + [nxt]
                if value:
                    out["valid_until"] = _field("valid_until", text, used, page.number, 0.85, value)
    return out


_PLACE_DATE_LINE = re.compile(r"^[^\d,:;]{2,40}" + _PLACE_DATE.pattern + r"\s*nam\s*\d{4}\s*$")


def _place_date_line(pages: list[Page]) -> tuple[Block, int] | None:
    """A line that is nothing but "<place>, ngày … tháng … năm …", wherever the layout put it (a
    form dates its applicant's signature low on the page, among the text)."""
    for page in pages:
        for block in page.blocks:
            for ln in block.lines:
                if block.type in ("body", "form_line", "signature_block") and _PLACE_DATE_LINE.match(strip_accents(ln.text)):
                    return Block(type="place_date", bbox=ln.bbox, lines=[ln]), page.number
    return None


def extract_fields(pages: list[Page]) -> dict[str, Field]:
    fields: dict[str, Field] = {}
    if found := _first(pages, "number"):
        block, page = found
        line = block.lines[0]
        if f := _field("document_number", line.text, [line], page, 0.9):
            fields["document_number"] = f
    if found := (_first(pages, "place_date") or _place_date_line(pages)):
        block, page = found
        text = " ".join(ln.text for ln in block.lines)
        place, date = parse_place_date(text)
        if date:
            fields["issue_date"] = _field("issue_date", text, block.lines, page, 0.9, date)
        if place:
            fields["issue_place"] = _field("issue_place", text.split(",")[0], block.lines, page, 0.85,
                                           normalize_field("issue_place", place))
    if found := _first(pages, "agency_header"):
        fields.update(_authorities(*found))
    for role, name in (("title", "title"), ("subject", "subject")):
        if name == "subject" and _NAMES_ALONE.match(strip_accents(fields["title"].value if "title" in fields else "")):
            continue  # the centred line under a licence's name is the rest of that name
        if name == "subject" and not _first(pages, "subject") and (under := _centred_under_title(pages)):
            found: tuple[Block, int] | None = under
        else:
            found = _first(pages, role)
        if found:
            block, page = found
            lines = block.lines
            if role == "title":  # the line stating who issues ("GIÁM ĐỐC SỞ Y TẾ") ends the name
                lines = lines[:1] + list(takewhile(lambda ln: not (_AUTHORITY_LINE.match(k := strip_accents(ln.text))
                                                                   or _ISSUER_CERTIFIES.match(k)), lines[1:]))
            if f := _field(name, " ".join(ln.text for ln in lines), lines, page, 0.85):
                fields[name] = f
    if found := _first(pages, "recipients"):
        _, page = found
        # "Kính gửi:" and its list are often two blocks side by side: take every one of the page.
        blocks = [b for p in pages if p.number == page for b in p.blocks if b.type == "recipients"]
        lines = [ln for b in blocks for ln in b.lines]
        # A list item's dash opens its line; a dash inside a name stays ("Phòng Tài chính - Kế hoạch").
        text = " ".join(_LIST_MARK.sub("", ln.text) for ln in lines)
        text = re.sub(r"^\s*K\S*nh\s*g\S*i\s*[:;.]?\s*", "", text, flags=re.IGNORECASE)
        text = _LIST_MARK.sub("", text).strip()
        if f := _field("recipient", text, lines, page, 0.8):
            fields["recipient"] = f
    signing = [p for p in pages if any(b.type == "signature_block" for b in p.blocks)]
    if signing:  # the last page with a signature block signs the document
        page = signing[-1]
        lines = [ln for b in page.blocks if b.type == "signature_block" for ln in b.lines]
        block = Block(type="signature_block", bbox=_union([ln.bbox for ln in lines]), lines=lines)
        fields.update(_signer(block, page.number))
    else:
        fields.update(_signature_by_caption(pages))
    for name, f in _form_fields(pages).items():
        fields.setdefault(name, f)
    for name, f in prose.fields_in_prose(pages, exclude=set(fields)).items():
        fields[name] = f
    return fields
