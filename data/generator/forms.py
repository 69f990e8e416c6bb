"""Form and table elements of the template interpreter: labelled form lines (with leaders and
handwriting-like values), photo boxes and bordered tables. A mixin of ``Composer``."""
from __future__ import annotations

import datetime as dt
import re

from . import values as V
from .context import fill, runs_of
from .render import PX_PER_MM, PX_PER_PT, Run, photo, tokenize


# The kind of paper an annex belongs to, read from the start of its title.
PAPER_KINDS = ("Giấy chứng nhận", "Giấy phép", "Quyết định", "Kế hoạch", "Báo cáo", "Thông báo", "Biên bản",
               "Chương trình", "Hướng dẫn", "Tờ trình", "Thông cáo báo chí", "Chỉ thị", "Phương án", "Quy chế",
               "Danh sách", "Lịch")
DEFAULT_KIND = {"decision": "Quyết định", "license": "Giấy phép", "certificate": "Giấy chứng nhận",
                "official_letter": "Công văn", "application_form": "Đơn"}
# an item that carries its own place in a list: "a) …", "2. …", "III. …"
_ORDERED = re.compile(r"^\s*(\(?[a-zđ]\)|\d{1,2}[.)]|[IVX]{1,4}[.)])\s")


def _item_text(item: dict) -> str:
    """An item's printed opening: its text, or its first label."""
    if "text" in item:
        return str(item["text"])
    label = item.get("label") or [""]
    return str(label[0] if isinstance(label, list) else label)


class FormElements:
    def _form_items(self, el: dict) -> list[dict]:
        items = [it for it in el["items"] if self.rng.random() <= it.get("p", 1.0)]
        if len(items) > 2 and self.rng.random() < 0.5:  # varied order, the first line stays first
            rest = items[1:]
            i = self.rng.randrange(len(rest) - 1) if len(rest) > 1 else 0
            # items lettered or numbered in their text keep their order, as do items punctuated as
            # one sentence ("…;", "…;", "….": swapped, the full stop fell mid-list); the draws are
            # made all the same, so every other document is drawn as before
            if len(rest) > 1 and not any(_ORDERED.match(_item_text(it)) or _item_text(it).rstrip().endswith(";")
                                         for it in items):
                rest[i], rest[i + 1] = rest[i + 1], rest[i]
            items = [items[0]] + rest
        return items

    def _form_lines(self, el: dict, items: list[dict], x0: float, x1: float) -> list:
        hand = self.rng.random() < el.get("handwritten", 0.0)
        leaders = hand and self.rng.random() < el.get("leaders", 0.0)
        numbered = self.rng.random() < el.get("numbered", 0.0)
        bullet = not numbered and self.rng.random() < el.get("bullet", 0.0)
        # values from a tab stop (``tab``: how often; ``tab_stop``: where, a fraction of the width):
        # drawn only for forms that have the key, so that every other form draws as before
        tabbed = "tab" in el and self.rng.random() < el["tab"]
        xt = x0 + el.get("tab_stop", 0.4) * (x1 - x0)
        vstyle = "hand" if hand else self.value_style
        boxes = []
        for i, it in enumerate(items):
            prefix = f"{i + 1}. " if numbered else ("- " if bullet else "")
            if "text" in it:
                runs = [Run(prefix)] + runs_of(it["text"], self.c, "regular", value_style=vstyle)
            else:
                label = fill(self.rng.choice(it["label"]), self.c)
                head = [Run(prefix + label + " ", "regular")]
                value = runs_of(it["value"], self.c, vstyle, value_style=vstyle, lead=label)
                # a label that reaches the tab stop is followed by its value, as a typist would
                if tabbed and value and self.p.width(tokenize(head), self.body_pt) + 2 * PX_PER_MM <= xt - x0:
                    boxes += self._tabbed_line(head, value, x0, xt, x1, leaders)
                    self._close_inline()
                    continue
                runs = head + value
            boxes += self.paragraph(runs, "form_line", align="left", indent=0, x0=x0, x1=x1, hang=0,
                                    leaders=leaders, space_before=0.15)
            self._close_inline()
        return boxes

    def _tabbed_line(self, head: list, value: list, x0: float, xt: float, x1: float, leaders: bool) -> list:
        """A form line whose label fills the left column and whose value starts at the tab stop
        ``xt``, on the label's line (leaders, when drawn, run from the label to the stop)."""
        pt, lh = self.body_pt, self.line_h(self.body_pt)
        n = max(len(self.p.wrap(tokenize(head), pt, xt - x0)), len(self.p.wrap(tokenize(value), pt, x1 - xt)))
        self.y += 0.15 * lh * 0.5
        self.ensure(lh * n)  # label and value on one page
        top = self.y
        boxes = self.paragraph(head, "form_line", align="left", indent=0, x0=x0, x1=xt - 6, leaders=leaders,
                               space_before=0)
        bottom, self.y = self.y, top
        boxes += self.paragraph(value, "form_line", align="left", indent=0, x0=xt, x1=x1, leaders=leaders,
                                space_before=0)
        self.y = max(self.y, bottom)
        return boxes

    def el_form(self, el: dict):
        intro = fill(self.rng.choice(el.get("intro", [""])), self.c)  # "{brand}", "{Prov}" as in paragraphs
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

    def _custom_table(self, el: dict) -> tuple[list[str], list[float], list[list[str]]]:
        """A table a template spells out: ``head`` (column headings), ``widths`` (fractions of the
        text width) and either ``rows`` (fixed rows; ``k: [lo, hi]`` keeps that many of them, in
        their order) or one row pattern ``cells`` drawn ``n: [lo, hi]`` times. A cell is a text or
        a list of variants, filled like a paragraph's text and, per row, with ``{i}`` (the row's
        number), ``{name}`` / ``{name_male}`` / ``{name_female}`` (a new person), ``{dob}`` and
        ``{birth_year}`` (their birth date, turning ``ages: [lo, hi]`` in the paper's year, default
        18-60: [17, 17] is who registers for military service that year), ``{village}`` and ``{num}`` (1-99)."""
        rng, c = self.rng, self.c
        head = [fill(h, c) for h in el["head"]]
        widths = list(el.get("widths") or [1 / len(head)] * len(head))
        if len(widths) != len(head) or abs(sum(widths) - 1) > 0.02:
            raise ValueError(f"template {self.tpl['id']!r}: a table's widths must be one per column, summing to 1")
        if "rows" in el:
            patterns = list(el["rows"])
            if el.get("k"):
                keep = sorted(rng.sample(range(len(patterns)), min(len(patterns), rng.randint(*el["k"]))))
                patterns = [patterns[j] for j in keep]
        else:
            patterns = [el["cells"]] * rng.randint(*el.get("n", [3, 8]))
        villages = V.resource("vocab.yaml")["villages"]
        lo, hi = el.get("ages", [18, 60])
        date = c["date"]
        rows = []
        for i, pattern in enumerate(patterns):
            if len(pattern) != len(head):
                raise ValueError(f"template {self.tpl['id']!r}: a table row has {len(pattern)} cells, not {len(head)}")
            name, gender = V.person_name(rng)
            dob = V.random_date(rng, dt.date(date.year - hi, 1, 1), dt.date(date.year - lo, 12, 31))
            slots = {**c, "i": i + 1, "name": name, "name_male": V.person_name(rng, "male")[0],
                     "name_female": V.person_name(rng, "female")[0], "dob": f"{dob.day:02d}/{dob.month:02d}/{dob.year}",
                     "birth_year": dob.year, "village": rng.choice(villages), "num": rng.randint(1, 99)}
            rows.append([fill(rng.choice(cell) if isinstance(cell, list) else cell, slots) for cell in pattern])
        return head, widths, rows

    def _annex_caption(self) -> str:
        """"(Kèm theo Giấy phép số 12/GP-UBND ngày …)": an annex names the paper it belongs to by
        that paper's own kind and number (a licence's annex does not cite a decision)."""
        c = self.c
        title = (c.get("title_drawn") or "").split("|")[0].strip().casefold()
        kind = next((k for k in PAPER_KINDS if title.startswith(k.casefold())),
                    DEFAULT_KIND.get(self.tpl["doc_type"], "Văn bản"))
        number = f" số {c['number_drawn']}" if c.get("number_drawn") else ""
        return f"(Kèm theo {kind}{number} {V.date_words(c['date'])})"

    def el_table(self, el: dict):
        if self.rng.random() < el.get("new_page", 0.0):
            self.new_page()
            title = "DANH SÁCH" if el.get("kind") == "people" else "PHỤ LỤC"
            self.block("body", self.paragraph([Run(title, "bold")], "body", align="center"))
            self.block("body", self.paragraph([Run(self._annex_caption(), "italic")], "body",
                                              align="center", space_before=0))
        head, widths, rows = (self._custom_table(el) if "head" in el
                              else self._table_content(el.get("kind", "stats")))
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
