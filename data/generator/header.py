"""The head of a page per Decree 30/2020 (Appendix I) for the template interpreter: the agency and
national-motto columns, the number, the place and date, a form's centred motto and the title. A
mixin of ``Composer``."""
from __future__ import annotations

from sohoa.models.fields.normalize import normalize_field

from . import values as V
from .context import SafeDict, fill
from .render import PX_PER_PT, Run, add_block, tokenize

MOTTO_1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"


# Where an agency's name breaks when its line is too wide for the left column: before the kind of
# place it governs ("ỦY BAN NHÂN DÂN / TỈNH SÓC TRĂNG"), else before "VÀ" ("SỞ GIÁO DỤC / VÀ ĐÀO
# TẠO"); never inside a place's name, as a word-by-word wrap did ("... TỈNH SÓC / TRĂNG")
_BREAK_BEFORE = ({"TỈNH", "THÀNH", "HUYỆN", "QUẬN", "THỊ", "XÃ", "PHƯỜNG", "ĐẶC"}, {"VÀ"})


def header_lines(p, tokens: list, pt: float, width: float) -> list[list]:
    """An agency-column line of ``tokens`` as printed in ``width``: whole when it fits, else in two
    at the best break that fits both halves (a place kind, then "VÀ", then the most even), else
    wrapped word by word."""
    if p.width(tokens, pt) <= width:
        return [tokens]
    best = None
    for k in range(1, len(tokens)):
        if not tokens[k - 1].space:
            continue  # "Bình" + ",": glued words stay together
        first, second = tokens[:k], tokens[k:]
        w1, w2 = p.width(first, pt), p.width(second, pt)
        if w1 > width or w2 > width:
            continue
        word = tokens[k].text.upper()
        rank = next((i for i, words in enumerate(_BREAK_BEFORE) if word in words), len(_BREAK_BEFORE))
        if word == "XÃ" and tokens[k - 1].text.upper() == "THỊ":
            rank = len(_BREAK_BEFORE)  # THỊ XÃ is one kind of place
        key = (rank, abs(w1 - w2))
        if best is None or key < best[0]:
            best = (key, [first, second])
    return best[1] if best else p.wrap(tokens, pt, width)


class HeaderElements:
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
            for toks in header_lines(p, tokenize([Run(text, "regular", "parent_authority")]), hpt, left_w):
                boxes.append(p.draw_line(page, toks, cx_l, y + hpt * PX_PER_PT * 0.9, hpt, "agency_header", align="center"))
                y += lh
        self.rec.close("parent_authority", normalize_field)
        agency_boxes = []
        for text in c["agency_lines"]:
            agency = tokenize([Run(text, "bold", "issuing_authority")])
            for toks in header_lines(p, agency, hpt, left_w):
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
            c["number_drawn"] = number  # an annex cites it (forms.py)
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
        # a letter's own "V/v ..." lines (the header's ``subject``), else its topic's
        own = el.get("subject")
        if el.get("subject_left") and (own or topic):
            spt = self.rng.choice([12, 12.5, 13])
            subj = fill(self.rng.choice(own) if own else topic["subject"], c)
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
        tokens = tokenize(runs)
        half = p.width(tokens, pt) / 2
        # an italic glyph reaches past its advance (up to ~0.3 em), so the line's box can leave the
        # paper by a pixel when its advance just fits (one fresh34 page in 720, session 36)
        overhang = pt * PX_PER_PT * 0.3
        if align == "center" and cx + half + overhang > self.W:
            # a long place ("Thành phố Hồ Chí Minh") in a wide face would run off the paper: a typist
            # moves the line left into the margin (only such lines move, so other documents stay as drawn)
            cx = self.W - (self.W - self.right) / 2 - half
        # the date field's text is the whole "Place, ngày … năm …" line
        box = p.draw_line(page, tokens, cx, y + pt * PX_PER_PT * 0.9, pt, "place_date", align=align)
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
        c["title_drawn"] = title  # an annex names the paper by it (forms.py)
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
