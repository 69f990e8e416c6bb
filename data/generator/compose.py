"""Template interpreter: turns one template of ``resources/templates.yaml`` and a seed into a
rendered, fully labelled document (clean pages, before scan degradations).

Layout follows Decree 30/2020/NĐ-CP, Appendix I: A4 portrait, margins top/bottom 20-25 mm, left
30-35 mm, right 15-20 mm; a two-column header (agency left, national motto right), number under
the agency, place and date in italics under the motto, title bold and centred, body 13-14 pt,
signature block right with the "Nơi nhận" list left.
"""
from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from dataclasses import dataclass, field

from sohoa.models.fields.normalize import normalize_field

from . import values as V
from .render import (A4_MM, PX_PER_MM, PX_PER_PT, Fonts, Page, Painter, Recorder, Run, add_block,
                     font_families, hand_fonts, photo, scribble, stamp, tokenize)

MOTTO_1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
FIELD_MARK = re.compile(r"<<(\w+)>>")


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
    return V.resource("templates.yaml")["templates"]


def template_by_id(tid: str) -> dict:
    for t in templates():
        if t["id"] == tid:
            return t
    raise KeyError(tid)


def _strip_accents(s: str) -> str:
    s = unicodedata.normalize("NFD", s.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in s if unicodedata.category(c) != "Mn")


class SafeDict(dict):
    def __missing__(self, key):
        return "{" + key + "}"


# --- context ------------------------------------------------------------------------------------------

def build_context(rng: random.Random, tpl: dict) -> dict:
    agencies = V.resource("agencies.yaml")[tpl.get("sector", "general")]
    levels = tpl.get("agency_levels", ["province"])
    date = V.random_date(rng, dt.date(2016, 1, 1), dt.date(2026, 10, 31))
    for _ in range(4):
        era = "legacy" if date < V.REFORM_DATE and V.legacy_units() else "new"
        cands = [a for a in agencies if a["level"] in levels and a.get("era", "any") in ("any", era)]
        if tpl.get("prefer_collective"):
            cands = [a for a in cands if a.get("collective")] or cands
        if cands:
            break
        date = (V.random_date(rng, dt.date(2016, 1, 1), dt.date(2025, 6, 30)) if era == "new"
                else V.random_date(rng, V.REFORM_DATE, dt.date(2026, 10, 31)))
    agency = rng.choices(cands, weights=[a.get("weight", 1) for a in cands])[0]
    units = V.units_for(date)
    unit = rng.choice(units)
    if agency["level"] == "district":
        while not unit.district:
            unit = rng.choice(units)
    c: dict = {"date": date, "era": era, "agency": agency, "unit": unit}

    prov_kind_short = unit.province.split(" ")[0]  # Tỉnh / Thành
    c["PROV"] = unit.province.upper()
    c["PROV_SHORT"] = unit.province_short.upper()
    c["Prov"] = V.lower_unit(unit.province)
    c["DIST"] = unit.district.upper()
    c["Dist"] = V.lower_unit(unit.district) if unit.district else ""
    c["COMM"] = unit.ward.upper()
    c["Comm"] = V.lower_unit(unit.ward)
    c["Comm_or_Dist"] = ", ".join(x for x in (c["Comm"], c["Dist"], c["Prov"]) if x)
    c["Dist_or_Prov"] = c["Dist"] or c["Prov"]
    del prov_kind_short
    words = _strip_accents(unit.province_short).split()
    c["prov_abbr"] = "".join(w[0] for w in words).upper()
    c["prov_code"] = c["prov_abbr"]
    fmt = SafeDict(c)
    c["parent"] = rng.choice(agency["parent"]).format_map(fmt)
    c["agency_lines"] = rng.choice(agency["agency"]).format_map(fmt).split("|")
    c["agency_name"] = agency["name"].format_map(fmt)
    c["AGENCY_FLAT"] = " ".join(c["agency_lines"])
    c["symbol"] = agency["symbol"]
    c["head"], c["deputy"] = agency["head"], agency["deputy"]
    c["collective"] = agency.get("collective")
    c["authority"] = f"{agency['head']} {c['agency_name'].upper()}"
    level = agency["level"]
    if level == "central":
        c["place"] = "Hà Nội"
    elif level == "province":
        c["place"] = unit.province_short
        if unit.province_short == "Hồ Chí Minh":
            c["place"] = rng.choice(["TP. Hồ Chí Minh", "Thành phố Hồ Chí Minh"])
    elif level == "district":
        c["place"] = unit.district_short
    else:
        c["place"] = unit.ward.split(" ", 1)[1]

    # numbers and dates used in running text
    c["year"] = date.year
    c["n"] = rng.choice([rng.randint(1, 99), rng.randint(100, 999), rng.randint(1000, 4999)])
    c["n2"], c["n3"], c["n4"] = rng.randint(1, 120), rng.randint(10, 999), rng.randint(1, 60)
    c["ref_no"] = rng.randint(10, 3999)
    c["ref_date"] = V.date_words(V.random_date(rng, date - dt.timedelta(days=900), date - dt.timedelta(days=5)))
    c["ref_date"] = c["ref_date"].removeprefix("ngày ")
    c["deadline"] = V.date_numeric(rng, date + dt.timedelta(days=rng.randint(7, 60)))
    c["half"] = rng.choice(["6 tháng đầu", "6 tháng cuối", "quý I", "quý III"])
    c["k_people"] = rng.randint(3, 40)
    c["k2"] = rng.randint(20, 600)
    c["hour"] = rng.randint(7, 16)
    c["hours"] = rng.choice(["Từ 07 giờ 00 đến 17 giờ 00 các ngày trong tuần", "Từ 7h30 đến 20h00 hằng ngày",
                             "Sáng từ 7 giờ đến 11 giờ, chiều từ 13 giờ 30 đến 17 giờ"])
    c["capital"] = rng.choice(["500.000.000", "1.000.000.000", "2.500.000.000", "15.000.000", "7.500.000",
                               "100.000.000", "3.200.000.000"])
    vocab = V.resource("vocab.yaml")
    c["brand"] = rng.choice(vocab["brands"])
    c["degree"] = rng.choice(vocab["degrees"])
    c["other_person"] = V.person_name(rng)[0]

    # the holder
    hunit = unit if rng.random() < 0.75 else rng.choice(units)
    if agency["level"] in ("district", "commune") and rng.random() < 0.8:
        hunit = unit
    c["address"] = _address(rng, hunit, vocab)
    name, gender = V.person_name(rng)
    c["person"] = name
    dob = V.random_date(rng, dt.date(1955, 1, 1), dt.date(2003, 12, 31))
    if tpl.get("holder") == "person":
        c["holder_name"] = name
    elif tpl.get("holder") == "org":
        form = rng.choice(vocab["org_forms"][tpl.get("org", "company")])
        c["holder_name"] = form.format(brand=c["brand"], n=rng.randint(1, 30), person=name)
        c["org_form"] = form.split(" {")[0]
    c.setdefault("org_form", "Phòng khám đa khoa")
    c["date_of_birth"] = dob.isoformat()
    c["date_of_birth_text"] = (V.date_numeric(rng, dob) if rng.random() < 0.85 else V.date_words(dob, False))
    if rng.random() < 0.82 or date.year >= 2024:
        pid = V.cccd(rng, hunit.province_code, dob, gender)
        c["personal_id_text"] = pid if rng.random() < 0.85 else f"{pid[:3]} {pid[3:6]} {pid[6:]}"
    else:
        pid = V.cmnd(rng)
        c["personal_id_text"] = pid
    c["personal_id"] = pid
    code = V.business_code(rng, hunit.province_code, bool(tpl.get("branch")))
    c["business_code"] = code
    c["business_code_text"] = code
    printed, digits = V.phone_number(rng)
    c["phone"], c["phone_text"] = digits, printed
    scopes = vocab["scopes"].get(tpl.get("scope", ""), [])
    c["scope"] = rng.choice(scopes) if scopes else ""
    valid = date + dt.timedelta(days=365 * rng.choice([3, 5, 5, 10]) - rng.randint(0, 1))
    c["valid_until"] = valid.isoformat()
    c["valid_until_text"] = (V.date_words(valid) if rng.random() < 0.6
                             else "ngày " + V.date_numeric(rng, valid))
    # signer
    prefixes = V.resource("names.yaml")["signer_prefixes"]
    sname = V.person_name(rng)[0]
    prefix = rng.choice(prefixes) if tpl.get("sector") == "health" else ""
    c["signer_name"] = sname
    c["signer_name_text"] = prefix + sname
    c["topic"] = None
    if tpl.get("topic"):
        c["topic"] = rng.choice(vocab["letter_topics"][tpl["topic"]])
    if tpl.get("recipient"):
        pass
    return c


def _address(rng: random.Random, unit: V.Unit, vocab: dict) -> str:
    form = rng.choice(vocab["address_forms"])
    first = form.format(house=rng.choice([str(rng.randint(1, 300)), f"{rng.randint(1, 120)}/{rng.randint(1, 40)}",
                                          f"{rng.randint(1, 99)}A"]),
                        street=rng.choice(vocab["streets"]), village=rng.choice(vocab["villages"]),
                        tdp=rng.randint(1, 25), lane=rng.randint(1, 200))
    parts = [first, V.lower_unit(unit.ward)]
    if unit.district:
        parts.append(V.lower_unit(unit.district))
    parts.append(V.lower_unit(unit.province))
    return ", ".join(parts)


def fill(text: str, c: dict) -> str:
    return text.format_map(SafeDict({k: v for k, v in c.items() if not isinstance(v, (dict, list))}))


def runs_of(text: str, c: dict, style: str = "regular", value_style: str | None = None) -> list[Run]:
    """Split "… <<holder_name>> …" into runs; a field prints ctx[f_text] or ctx[f]."""
    text = fill(text, c)
    out: list[Run] = []
    pos = 0
    for m in FIELD_MARK.finditer(text):
        if m.start() > pos:
            out.append(Run(text[pos:m.start()], style))
        name = m.group(1)
        printed = str(c.get(name + "_text") or c.get(name) or "")
        out.append(Run(printed, value_style or style, field=name))
        pos = m.end()
    if pos < len(text):
        out.append(Run(text[pos:], style))
    return out


# --- the composer --------------------------------------------------------------------------------------

class Composer:
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
            self.ensure(lh)
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

    def _header_geometry(self):
        tw = self.right - self.left
        motto_pt = self.rng.choice([12, 12.5, 13])
        f1 = self.fonts.get("bold", motto_pt)
        motto_w = f1.getlength(MOTTO_1)
        cx_r = self.right - motto_w / 2 + self.rng.uniform(0, 0.02) * tw
        left_w = max(tw * 0.36, (cx_r - motto_w / 2) - self.left - 15)
        cx_l = self.left - 0.04 * tw + left_w / 2
        return motto_pt, cx_l, cx_r, left_w

    def el_header(self, el: dict):
        c, p, page = self.c, self.p, self.page
        motto_pt, cx_l, cx_r, left_w = self._header_geometry()
        hpt = self.rng.choice([12, 12.5, 13])
        y0 = self.y
        lh = self.line_h(hpt) * 0.92
        # left column: parent (regular), agency (bold), rule
        y = y0
        boxes = []
        parent_lines = c["parent"].split("|") if c["parent"] else []
        for i, text in enumerate(parent_lines):
            for toks in p.wrap(tokenize([Run(text, "regular", "parent_authority")]), hpt, left_w):
                boxes.append(p.draw_line(page, toks, cx_l, y + hpt * PX_PER_PT * 0.9, hpt, "agency_header", align="center"))
                y += lh
        self.rec.close("parent_authority", normalize_field)
        agency_boxes = []
        for text in c["agency_lines"]:
            for toks in p.wrap(tokenize([Run(text, "bold", "issuing_authority")]), hpt, left_w):
                b = p.draw_line(page, toks, cx_l, y + hpt * PX_PER_PT * 0.9, hpt, "agency_header", align="center")
                agency_boxes.append(b)
                y += lh
        self.rec.close("issuing_authority", normalize_field)
        boxes += agency_boxes
        add_block(page, "agency_header", boxes)
        last_w = agency_boxes[-1][2] - agency_boxes[-1][0] if agency_boxes else 200
        rule_y = (agency_boxes[-1][3] + 7) if agency_boxes else y
        y = max(y, rule_y + 4)
        p.rule(page, cx_l, rule_y, max(120, last_w * self.rng.uniform(0.3, 0.5)))
        yr = y0 + 2 * lh  # the motto's two lines, drawn after the left column (reading order)
        # number row (left) and place-date (right)
        row_y = max(y, yr) + lh * 0.6
        number_boxes = []
        if not self.tpl.get("no_number") and self.tpl.get("number"):
            fmtv = self.rng.choice(self.tpl["number"])
            number = fmtv.format_map(SafeDict({k: v for k, v in c.items() if isinstance(v, (str, int))}))
            label = self.rng.choice(["Số: ", "Số: ", "Số:"])
            if self.rng.random() < 0.25:
                number = number.replace("/", " /", 1)  # space left for a handwritten number
            runs = [Run(label + number, "regular", "document_number")]
            nb = p.draw_line(page, tokenize(runs), cx_l, row_y + self.body_pt * PX_PER_PT * 0.9, self.body_pt,
                             "number", align="center")
            self.rec.close("document_number", normalize_field)
            number_boxes.append(nb)
            add_block(page, "number", [nb])
        ly = row_y + self.line_h(self.body_pt)
        topic = c.get("topic")
        if el.get("subject_left") and topic:
            spt = self.rng.choice([12, 12.5, 13])
            subj = fill(topic["subject"], c)
            sboxes = []
            ly += 4
            for toks in p.wrap(tokenize([Run(subj, "regular", "subject")]), spt, left_w * 0.95):
                sboxes.append(p.draw_line(page, toks, cx_l, ly + spt * PX_PER_PT * 0.9, spt, "subject", align="center"))
                ly += self.line_h(spt) * 0.9
            self.rec.close("subject", normalize_field)
            add_block(page, "subject", sboxes)
        # right column: national motto
        yr = y0
        b1 = p.draw_line(page, tokenize([Run(MOTTO_1, "bold")]), cx_r, yr + motto_pt * PX_PER_PT * 0.9, motto_pt,
                         "national_motto", align="center")
        yr += lh
        m2pt = motto_pt + self.rng.choice([0, 0.5, 1])
        b2 = p.draw_line(page, tokenize([Run(MOTTO_2, "bold")]), cx_r, yr + m2pt * PX_PER_PT * 0.9, m2pt,
                         "national_motto", align="center")
        yr += lh
        p.rule(page, cx_r, b2[3] + 6, b2[2] - b2[0])
        add_block(page, "national_motto", [b1, b2])
        self._place_date(cx_r, row_y, align="center")
        self.y = max(ly, row_y + self.line_h(self.body_pt)) + self.line_h(self.body_pt) * 0.6

    def _place_date(self, cx: float, y: float, align: str = "center"):
        c, p, page = self.c, self.p, self.page
        pt = self.body_pt
        words = V.date_words(c["date"], leading_zero=self.rng.random() < 0.85)
        runs = [Run(c["place"], "italic", "issue_place"), Run(", ", "italic"),
                Run(words, "italic", "issue_date")]
        # the date field's text is the whole "Place, ngày … năm …" line
        box = p.draw_line(page, tokenize(runs), cx, y + pt * PX_PER_PT * 0.9, pt, "place_date", align=align)
        spans = self.rec._spans.pop("issue_date", [])
        self.rec.close("issue_place", normalize_field)
        if spans and "issue_date" not in self.rec.fields:
            text = page.lines[-1]["text"]
            self.rec.fields["issue_date"] = {"value": normalize_field("issue_date", text), "text": text,
                                             "page": page.number, "bbox": box}
            assert self.rec.fields["issue_date"]["value"] == c["date"].isoformat(), text
        add_block(page, "place_date", [box])

    def el_form_header(self, el: dict):
        p, page = self.p, self.page
        pt = self.rng.choice([12.5, 13, 13.5])
        cx = (self.left + self.right) / 2
        b1 = p.draw_line(page, tokenize([Run(MOTTO_1, "bold")]), cx, self.y + pt * PX_PER_PT * 0.9, pt,
                         "national_motto", align="center")
        self.y += self.line_h(pt)
        b2 = p.draw_line(page, tokenize([Run(MOTTO_2, "bold")]), cx, self.y + pt * PX_PER_PT * 0.9, pt + 0.5,
                         "national_motto", align="center")
        p.rule(page, cx, b2[3] + 6, b2[2] - b2[0])
        add_block(page, "national_motto", [b1, b2])
        self.y += self.line_h(pt) * 1.6

    def el_title(self, el: dict):
        c = self.c
        pt = self.rng.choice([14, 14, 15])
        title = fill(self.rng.choice(self.tpl["title"]), c)
        field_name = "title" if el.get("field", True) else None
        boxes = []
        parts = title.split("|")
        # The document's name is the upper-case part; a following sentence-case line ("BÁO CÁO" /
        # "Kết quả …") is its trích yếu, labelled as the subject like a decision's "Về việc …".
        n_title = next((i for i, part in enumerate(parts) if i and part != part.upper()), len(parts))
        for part in parts[:n_title]:
            boxes += self.paragraph([Run(part, "bold", field_name)], "title", pt=pt, align="center", space_before=0.2)
        if field_name:
            self.rec.close("title", normalize_field)
        if parts[n_title:]:
            sb = []
            for part in parts[n_title:]:
                sb += self.paragraph([Run(part, "bold", "subject" if field_name else None)], "subject", pt=pt,
                                     align="center", space_before=0)
            self.rec.close("subject", normalize_field)
            self.block("subject", sb)
        if self.tpl.get("subtitle") and self.rng.random() < 0.7:
            sub = fill(self.rng.choice(self.tpl["subtitle"]), c)
            boxes += self.paragraph([Run(sub, self.rng.choice(["italic", "regular", "bold"]))], "title", pt=pt - 1,
                                    align="center", space_before=0)
        self.block("title", boxes)
        if self.tpl.get("subject"):
            subj = fill(self.rng.choice(self.tpl["subject"]), c)
            sb = self.paragraph([Run(subj, "bold", "subject")], "subject", pt=pt, align="center", space_before=0,
                                x0=self.left + 60, x1=self.right - 60)
            self.rec.close("subject", normalize_field)
            self.block("subject", sb)
            last = sb[-1][1]
            self.p.rule(self.page, (self.left + self.right) / 2, last[3] + 8, self.rng.uniform(150, 300))
        self.y += self.line_h(self.body_pt) * 0.5

    def el_authority(self, el: dict):
        b = self.paragraph([Run(self.c["authority"], "bold")], "body", align="center", space_before=0.6)
        self.block("body", b)
        self.y += self.line_h(self.body_pt) * 0.2

    def el_bases(self, el: dict):
        pool = V.resource("vocab.yaml")["bases"][el["pool"]]
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

    def _form_items(self, el: dict) -> list[dict]:
        items = [it for it in el["items"] if self.rng.random() <= it.get("p", 1.0)]
        if len(items) > 2 and self.rng.random() < 0.5:  # varied order, the first line stays first
            rest = items[1:]
            i = self.rng.randrange(len(rest) - 1) if len(rest) > 1 else 0
            if len(rest) > 1:
                rest[i], rest[i + 1] = rest[i + 1], rest[i]
            items = [items[0]] + rest
        return items

    def _form_lines(self, el: dict, items: list[dict], x0: float, x1: float) -> list:
        hand = self.rng.random() < el.get("handwritten", 0.0)
        leaders = hand and self.rng.random() < el.get("leaders", 0.0)
        numbered = self.rng.random() < el.get("numbered", 0.0)
        bullet = not numbered and self.rng.random() < el.get("bullet", 0.0)
        vstyle = "hand" if hand else self.value_style
        boxes = []
        for i, it in enumerate(items):
            prefix = f"{i + 1}. " if numbered else ("- " if bullet else "")
            if "text" in it:
                runs = [Run(prefix)] + runs_of(it["text"], self.c, "regular", value_style=vstyle)
            else:
                label = self.rng.choice(it["label"])
                runs = [Run(prefix + label + " ", "regular")] + runs_of(it["value"], self.c, vstyle, value_style=vstyle)
            boxes += self.paragraph(runs, "form_line", align="left", indent=0, x0=x0, x1=x1, hang=0,
                                    leaders=leaders, space_before=0.15)
            self._close_inline()
        return boxes

    def el_form(self, el: dict):
        intro = self.rng.choice(el.get("intro", [""]))
        if intro:
            self.block("body", self.paragraph([Run(intro, "bold" if self.rng.random() < 0.5 else "regular")], "body",
                                              align="left", indent=0))
        boxes = self._form_lines(el, self._form_items(el), self.left, self.right)
        self.block("form_line", boxes)
        self.y += self.line_h(self.body_pt) * 0.3

    def el_photo_form(self, el: dict):
        size = self.rng.choice(el.get("photo", ["Ảnh 4x6"]))
        w_mm, h_mm = (40, 60) if "4x6" in size else (30, 40)
        pw, ph = w_mm * PX_PER_MM, h_mm * PX_PER_MM
        self.ensure(ph + 20)
        self.y += 10
        top = self.y
        box = [int(self.left), int(top), int(self.left + pw), int(top + ph)]
        empty = photo(self.page, self.rng, box)
        if empty:
            self.p.draw_line(self.page, tokenize([Run(size)]), (box[0] + box[2]) / 2, (box[1] + box[3]) / 2 + 12, 11,
                             "photo", align="center")
        self.page.blocks.append({"type": "photo", "bbox": box})
        page_before = self.page.number
        boxes = self._form_lines(el, self._form_items(el), self.left + pw + 12 * PX_PER_MM, self.right)
        self.block("form_line", boxes)
        if self.page.number == page_before:
            self.y = max(self.y, top + ph + 10)
        self.y += self.line_h(self.body_pt) * 0.3

    def _table_content(self, kind: str) -> tuple[list[str], list[float], list[list[str]]]:
        rng, c = self.rng, self.c
        if kind == "staff":
            head = ["TT", "Họ và tên", "Chức danh", "Văn bằng chuyên môn"]
            widths = [0.08, 0.32, 0.25, 0.35]
            vocab = V.resource("vocab.yaml")
            rows = [[str(i + 1), V.person_name(rng)[0], rng.choice(["Trưởng đoàn", "Thành viên", "Thư ký", "Bác sỹ",
                                                                     "Điều dưỡng", "Kỹ thuật viên"]),
                     rng.choice(vocab["degrees"])] for i in range(rng.randint(2, 6))]
        elif kind == "members":
            head = ["STT", "Tên thành viên", "Số định danh cá nhân", "Tỷ lệ (%)"]
            widths = [0.08, 0.37, 0.35, 0.2]
            n = rng.randint(1, 4)
            shares = [round(100 / n, 2)] * n
            rows = []
            for i in range(n):
                nm, g = V.person_name(rng)
                dob = V.random_date(rng, dt.date(1960, 1, 1), dt.date(2000, 1, 1))
                rows.append([str(i + 1), nm, V.cccd(rng, c["unit"].province_code, dob, g), f"{shares[i]:g}"])
        elif kind == "params":
            head = ["STT", "Hạng mục", "Thông số"]
            widths = [0.1, 0.5, 0.4]
            area = rng.uniform(50, 200)
            rows = [["1", "Diện tích xây dựng tầng 1", f"{area:.1f} m²".replace(".", ",")],
                    ["2", "Tổng diện tích sàn", f"{area * rng.randint(2, 4):.1f} m²".replace(".", ",")],
                    ["3", "Chiều cao công trình", f"{rng.uniform(7, 18):.2f} m".replace(".", ",")],
                    ["4", "Số tầng", str(rng.randint(1, 5))],
                    ["5", "Cốt nền xây dựng", f"+{rng.uniform(0.2, 0.9):.2f} m".replace(".", ",")]]
            rows = rows[:rng.randint(3, 5)]
        elif kind == "people":
            head = ["STT", "Họ và tên", "Năm sinh", "Đơn vị công tác"]
            widths = [0.08, 0.32, 0.15, 0.45]
            units = ["Phòng Kinh tế", "Văn phòng HĐND và UBND", "Trung tâm Y tế", "Phòng Nội vụ", "Trường THCS {brand}",
                     "Ban Quản lý dự án", "Phòng Tài nguyên và Môi trường"]
            rows = [[str(i + 1), V.person_name(rng)[0], str(rng.randint(1965, 2000)),
                     rng.choice(units).format(brand=rng.choice(V.resource("vocab.yaml")["brands"]))]
                    for i in range(rng.randint(5, 25))]
        else:  # stats
            head = ["TT", "Nội dung", "Kế hoạch", "Thực hiện", "Tỷ lệ (%)"]
            widths = [0.07, 0.45, 0.16, 0.16, 0.16]
            items = ["Số cơ sở được kiểm tra", "Số cơ sở vi phạm", "Số mẫu xét nghiệm", "Số lớp tập huấn",
                     "Số hồ sơ tiếp nhận", "Số hồ sơ giải quyết đúng hạn", "Số lượt người được khám"]
            rows = []
            for i, it in enumerate(rng.sample(items, rng.randint(3, 6))):
                plan = rng.randint(10, 900)
                done = rng.randint(int(plan * 0.5), int(plan * 1.2))
                rows.append([str(i + 1), it, str(plan), str(done), f"{done / plan * 100:.1f}".replace(".", ",")])
        return head, widths, rows

    def el_table(self, el: dict):
        if self.rng.random() < el.get("new_page", 0.0):
            self.new_page()
            title = "DANH SÁCH" if el.get("kind") == "people" else "PHỤ LỤC"
            self.block("body", self.paragraph([Run(title, "bold")], "body", align="center"))
            self.block("body", self.paragraph([Run(f"(Kèm theo Quyết định số {self.c['n']}/QĐ-{self.c['symbol']} "
                                                   f"{V.date_words(self.c['date'])})", "italic")], "body",
                                              align="center", space_before=0))
        head, widths, rows = self._table_content(el.get("kind", "stats"))
        pt = self.body_pt - self.rng.choice([0, 1, 1.5])
        tw = self.right - self.left
        xs = [self.left]
        for w in widths:
            xs.append(xs[-1] + w * tw)
        pad = 8
        lh = self.line_h(pt)
        self.y += lh * 0.4
        seg_top = self.y
        seg_boxes: list = []
        draw = lambda: self.page.draw  # noqa: E731  (the page may change)

        def close_segment():
            if seg_boxes:
                tb = [int(self.left), int(seg_top), int(self.right), int(self.y)]
                self.page.blocks.append({"type": "table", "bbox": tb})
                draw().rectangle(tb, outline=self.p.ink, width=2)

        for r, row in enumerate([head] + rows):
            style = "bold" if r == 0 else "regular"
            cells = []
            for j, text in enumerate(row):
                lines = self.p.wrap(tokenize([Run(text, style)]), pt, xs[j + 1] - xs[j] - 2 * pad)
                cells.append(lines)
            h = max(len(cl) for cl in cells) * lh + pad
            if self.y + h > self.bottom:
                close_segment()
                self.new_page()
                seg_top = self.y
                seg_boxes = []
            for j, lines in enumerate(cells):
                yy = self.y + pad / 2
                for toks in lines:
                    base = yy + pt * PX_PER_PT * 0.9
                    center = r == 0 or j == 0 or len(widths) - j <= 3 and j > 1
                    if center:
                        b = self.p.draw_line(self.page, toks, (xs[j] + xs[j + 1]) / 2, base, pt, "table", align="center")
                    else:
                        b = self.p.draw_line(self.page, toks, xs[j] + pad, base, pt, "table")
                    seg_boxes.append(b)
                    yy += lh
            # grid
            for j in range(1, len(xs) - 1):
                draw().line([(xs[j], self.y), (xs[j], self.y + h)], fill=self.p.ink, width=1)
            self.y += h
            draw().line([(self.left, self.y), (self.right, self.y)], fill=self.p.ink, width=1)
        close_segment()
        self.y += lh * 0.5

    def el_place_date(self, el: dict):
        _, _, cx_r, _ = self._header_geometry()
        self.ensure(self.line_h(self.body_pt) * 6)
        self.y += self.line_h(self.body_pt) * 0.5
        self._place_date(cx_r, self.y)
        self.y += self.line_h(self.body_pt)

    def el_signature(self, el: dict):
        c, rng, p = self.c, self.rng, self.p
        style = el.get("style", "official")
        pt = self.body_pt
        lh = self.line_h(pt)
        _, _, cx_r, _ = self._header_geometry()
        cx_r = min(cx_r, self.right - 0.17 * (self.right - self.left))
        if style == "official":
            delegate = rng.choice(el.get("delegate", ["direct"]))
            if delegate.startswith("tm") and not c.get("collective"):
                delegate = "kt"
            titles = {"direct": [c["head"]], "kt": [f"KT. {c['head']}", c["deputy"]],
                      "tm": [f"TM. {c['collective']}", c["head"]],
                      "tm_kt": [f"TM. {c['collective']}", f"KT. {c['head']}", c["deputy"]],
                      "tl": [f"TL. {c['head']}", rng.choice(["CHÁNH VĂN PHÒNG", "TRƯỞNG PHÒNG NGHIỆP VỤ",
                                                             "TRƯỞNG PHÒNG TỔNG HỢP"])]}[delegate]
            name_style = "bold"
            name_text = c["signer_name_text"]
            note = None
        else:
            titles = [rng.choice(el.get("applicant_title", ["NGƯỜI LÀM ĐƠN", "NGƯỜI ĐỀ NGHỊ", "Người làm đơn"]))]
            note = rng.choice(["(Ký, ghi rõ họ tên)", "(Ký và ghi rõ họ tên)"])
            name_style = "hand" if rng.random() < 0.5 else "bold"
            holder_is_person = self.tpl.get("holder") == "person"
            c["signer_name"] = c["holder_name"] if holder_is_person else c["other_person"]
            name_text = c["signer_name"]
        dist = rng.random() < el.get("distribution", 0.0)
        dist_items = []
        if dist:
            pool = [fill(x, c) for x in V.resource("vocab.yaml")["distribution"]]
            dist_items = rng.sample(pool, rng.randint(2, 5))
            dist_items.sort(key=lambda s: s.startswith("Lưu"))
            if not dist_items[-1].startswith("Lưu"):
                dist_items.append(f"Lưu: VT, {c['symbol']}")
        need = lh * (len(titles) + 5) + 30 * PX_PER_MM * 0.6
        self.ensure(need)
        self.y += lh * 0.6
        top = self.y
        # Nơi nhận (left, read before the signature block)
        dy = top
        if dist_items:
            dpt = rng.choice([11, 11.5, 12])
            dboxes = []
            b = p.draw_line(self.page, tokenize([Run("Nơi nhận:", "bolditalic")]), self.left,
                            dy + dpt * PX_PER_PT * 0.9, dpt + 1, "distribution")
            dboxes.append(b)
            dy += self.line_h(dpt) * 0.95
            for i, it in enumerate(dist_items):
                end = "./." if i == len(dist_items) - 1 else ";"
                for toks in p.wrap(tokenize([Run(f"- {it}{end}")]), dpt, (self.right - self.left) * 0.42):
                    dboxes.append(p.draw_line(self.page, toks, self.left, dy + dpt * PX_PER_PT * 0.9, dpt, "distribution"))
                    dy += self.line_h(dpt) * 0.9
            add_block(self.page, "distribution", dboxes)
        # signature block (right)
        y = top
        sboxes = []
        for i, t in enumerate(titles):
            field_name = "signer_title" if i == len(titles) - 1 else None
            b = p.draw_line(self.page, tokenize([Run(t, "bold", field_name)]), cx_r, y + pt * PX_PER_PT * 0.9, pt,
                            "signature_block", align="center")
            sboxes.append(b)
            y += lh * 0.95
        self.rec.close("signer_title", normalize_field)
        if note:
            sboxes.append(p.draw_line(self.page, tokenize([Run(note, "italic")]), cx_r, y + pt * PX_PER_PT * 0.9,
                                      pt - 1, "signature_block", align="center"))
            y += lh
        gap = rng.uniform(22, 32) * PX_PER_MM
        sig_box = [int(cx_r - 150), int(y + gap * 0.15), int(cx_r + 150), int(y + gap * 0.8)]
        if rng.random() < 0.93:
            sboxes.append(scribble(self.page, rng, sig_box, rng.choice([(20, 30, 120), (25, 25, 60), (10, 10, 20)])))
        y += gap
        nb = p.draw_line(self.page, tokenize([Run(name_text, name_style, "signer_name")]), cx_r,
                         y + pt * PX_PER_PT * 0.9, pt, "signature_block", align="center")
        self.rec.close("signer_name", normalize_field)
        sboxes.append(nb)
        add_block(self.page, "signature_block", sboxes)
        if style == "official" and rng.random() < 0.85:
            d = int(rng.uniform(34, 42) * PX_PER_MM)
            scx = cx_r - rng.uniform(0.25, 0.6) * 150 - d * 0.25
            scy = (sboxes[0][1] + nb[3]) / 2 + rng.uniform(-30, 30)
            top_text = c["agency_name"].upper()
            sb = stamp(self.page, rng, scx, scy, d, top_text[:40], c["PROV_SHORT"] if c["agency"]["level"] != "central"
                       else "", self.fonts)
            self.page.blocks.append({"type": "stamp", "bbox": sb})
        self.y = max(y + lh, dy if dist_items else 0, self.y) + lh


def compose(template_id: str, seed: int, doc_id: str | None = None) -> Document:
    rng = random.Random(f"{template_id}:{seed}")
    tpl = template_by_id(template_id)
    return Composer(rng, tpl, doc_id or f"{template_id}-{seed}").compose()
