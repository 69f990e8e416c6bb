"""The foot of a paper for the template interpreter: the "Nơi nhận" list (left) and the signature
block (right: delegation lines, title, scribble, name, seal). A mixin of ``Composer``."""
from __future__ import annotations

import random

from sohoa.models.fields.normalize import normalize_field

from . import values as V
from .context import fill
from .render import PX_PER_MM, PX_PER_PT, Run, add_block, scribble, stamp, tokenize


def signs_for_the_head(head: str, level: str, drawn: str) -> str | None:
    """Who signs "TL." (by order of) the head: the office that serves that head. A people's
    committee's chairman has his office's chief (a "TRƯỞNG PHÒNG NGHIỆP VỤ" serves a department,
    not a committee); a minister, the head of one of the ministry's departments (vụ). A commune's
    chairman or a district office's head has no such office below him: None (his deputy signs KT.).
    A general department (tổng cục: Thuế, Hải quan, before 2025) is made of vụ and cục, not phòng."""
    if head == "TRƯỞNG PHÒNG" or (head == "CHỦ TỊCH" and level == "commune"):
        return None
    if head == "CHỦ TỊCH":
        return "CHÁNH VĂN PHÒNG"
    if head == "BỘ TRƯỞNG":
        return {"TRƯỞNG PHÒNG NGHIỆP VỤ": "VỤ TRƯỞNG VỤ PHÁP CHẾ",
                "TRƯỞNG PHÒNG TỔNG HỢP": "VỤ TRƯỞNG VỤ KẾ HOẠCH - TÀI CHÍNH"}.get(drawn, drawn)
    if head == "TỔNG CỤC TRƯỞNG":
        return {"TRƯỞNG PHÒNG NGHIỆP VỤ": "VỤ TRƯỞNG VỤ PHÁP CHẾ"}.get(drawn, "CHÁNH VĂN PHÒNG")
    return drawn


def fits_the_paper(item: str, c: dict, tpl: dict) -> bool:
    """Whether a drawn "Nơi nhận" item can be on this paper: one pool serves every sector and level,
    and the blind-set helpers saw "Bộ Y tế (để b/c)" and "Thanh tra Sở" on commune papers, "Như
    Điều 3" on letters without articles, a provincial committee reporting to itself."""
    agency, sector = c["agency"], tpl.get("sector", "general")
    is_department = c["agency_name"].startswith("Sở ")
    if item == "Như Điều 3":  # a decision whose operative part has articles ("1.", "2." have none)
        return tpl["doc_type"] == "decision" and any(el["type"] == "article" for el in tpl.get("elements", []))
    if item == "Như trên":
        return bool(c.get("addressed"))
    if item == "Bộ Y tế (để b/c)":
        return sector == "health" and agency["level"] != "central"
    if item.startswith("UBND ") and item.endswith("(để b/c)"):
        return agency["level"] in ("province", "district") and not (agency["level"] == "province" and c["collective"])
    if item in ("Giám đốc, các PGĐ Sở", "Thanh tra Sở"):
        return is_department
    if item == "Lưu: VT, NVY":  # nghiệp vụ y: a health office's own
        return sector == "health"
    return True


class SignatureElements:
    """``el_signature``: needs the ``Composer``'s page, painter, context and recorder.

    Options besides ``style``, ``delegate``, ``distribution`` and ``applicant_title``:
    ``signer: KEY`` (applicant style) prints the context value KEY as the name ("other_person":
    a mediator, a meeting's secretary, a second party) instead of the holder (or, for a firm, its
    representative); ``column: left`` draws the block in the left column, without a "Nơi nhận"
    list, and the next signature block starts on the same line: two parties signing side by side.
    ``signer_fields`` says whether the block's title and name are the paper's signer_title and
    signer_name: by default a right-column block's are and a left-column block's are not, since
    under Decree 30 the issuer signs on the right and a second party (a firm inspected, a worker,
    a depositor) beside it; a contract whose issuing agency signs on the left says so.
    """

    def el_signature(self, el: dict):
        c, rng, p = self.c, self.rng, self.p
        style = el.get("style", "official")
        pt = self.body_pt
        lh = self.line_h(pt)
        _, cx_l, cx_r, _ = self._header_geometry()
        cx_r = min(cx_r, self.right - 0.17 * (self.right - self.left))
        left = el.get("column") == "left"
        tag = el.get("signer_fields", not left)  # this block's title and name are the paper's signer's
        if left:  # the left column's centre, as the agency header's
            cx_r = max(cx_l, self.left + 0.2 * (self.right - self.left))
        if style == "official":
            delegate = rng.choice(el.get("delegate", ["direct"]))
            if delegate.startswith("tm") and not c.get("collective"):
                delegate = "kt"
            # drawn whatever the delegate, as always, so that every later draw stays as it was
            tl_office = rng.choice(["CHÁNH VĂN PHÒNG", "TRƯỞNG PHÒNG NGHIỆP VỤ", "TRƯỞNG PHÒNG TỔNG HỢP"])
            tl_office = signs_for_the_head(c["head"], c["agency"]["level"], tl_office)
            if delegate == "tl" and tl_office is None:
                delegate = "kt"
            titles = {"direct": [c["head"]], "kt": [f"KT. {c['head']}", c["deputy"]],
                      "tm": [f"TM. {c['collective']}", c["head"]],
                      "tm_kt": [f"TM. {c['collective']}", f"KT. {c['head']}", c["deputy"]],
                      "tl": [f"TL. {c['head']}", tl_office]}[delegate]
            name_style = "bold"
            name_text = c["signer_name_text"]
            note = None
        else:
            titles = [rng.choice(el.get("applicant_title", ["NGƯỜI LÀM ĐƠN", "NGƯỜI ĐỀ NGHỊ", "Người làm đơn"]))]
            note = rng.choice(["(Ký, ghi rõ họ tên)", "(Ký và ghi rõ họ tên)"])
            if self.tpl.get("holder") == "org" and not el.get("signer"):  # a firm's head signs under its seal
                note = {"(Ký, ghi rõ họ tên)": "(Ký, ghi rõ họ tên và đóng dấu)"}.get(note, "(Ký tên, đóng dấu)")
            name_style = "hand" if rng.random() < 0.5 else "bold"
            if el.get("signer"):  # someone other than the applicant; the context is left as drawn
                # its printed form where the context has one: "signer_name_text" still holds the
                # official's with rank ("Trung tá …"), though an applicant block before this one
                # has set "signer_name" to the applicant
                name_text = c.get(el["signer"] + "_text") or c[el["signer"]]
            else:
                holder_is_person = self.tpl.get("holder") == "person"
                c["signer_name"] = c["holder_name"] if holder_is_person else c["other_person"]
                name_text = c["signer_name"]
        dist = rng.random() < el.get("distribution", 0.0) and not left
        dist_items = []
        if dist:
            pool = [fill(x, c) for x in V.resource("vocab.yaml")["distribution"]]
            dist_items = rng.sample(pool, rng.randint(2, 5))
            # drawn from the whole pool as before, so that every later draw stays as it was
            dist_items = [s for s in dist_items if fits_the_paper(s, c, self.tpl)]
            if all(s.startswith("Lưu") for s in dist_items):  # a paper goes to someone besides its file
                dist_items.insert(0, next(s for s in ("Như Điều 3", "Như trên", "Trung tâm Phục vụ hành chính công")
                                          if fits_the_paper(s, c, self.tpl)))
            kept = [s for s in dist_items if s.startswith("Lưu")][:1]  # a paper is filed once ("Lưu: VT")
            dist_items = [s for s in dist_items if not s.startswith("Lưu")] + kept
            if not dist_items[-1].startswith("Lưu"):
                dist_items.append(f"Lưu: VT, {c['symbol']}")
        row = getattr(self, "_sig_row", None)  # (page, y) of a left-column block drawn just before
        self._sig_row = None
        # a left block makes room for the tallest block beside it (four title lines), so that the
        # one drawn next, on its line, needs no new page
        need = lh * ((max(len(titles), 4) if left else len(titles)) + 5) + 30 * PX_PER_MM * 0.6
        self.ensure(need)
        y_before = self.y
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
            field_name = "signer_title" if i == len(titles) - 1 and tag else None
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
        nb = p.draw_line(self.page, tokenize([Run(name_text, name_style, "signer_name" if tag else None)]), cx_r,
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
        elif style != "official" and self.tpl.get("holder") == "org" and not el.get("signer"):
            # its own draws, so that the paper's others stay as they were
            seal = random.Random(f"seal:{self.doc_id}:{name_text}")
            if seal.random() < 0.8:
                d = int(seal.uniform(34, 40) * PX_PER_MM)
                scx = cx_r - seal.uniform(0.25, 0.6) * 150 - d * 0.25
                scy = (sboxes[0][1] + nb[3]) / 2 + seal.uniform(-30, 30)
                sb = stamp(self.page, seal, scx, scy, d, c["holder_name"].upper()[:40], c["PROV_SHORT"], self.fonts)
                self.page.blocks.append({"type": "stamp", "bbox": sb})
        if left:
            self._sig_row = (self.page.number, y + lh)
            self.y = y_before
            return
        below = row[1] if row and row[0] == self.page.number else 0
        self.y = max(y + lh, dy if dist_items else 0, self.y, below) + lh
