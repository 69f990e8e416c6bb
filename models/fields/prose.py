"""Fields named in running text rather than after a form label: "… cấp giấy phép cho Công ty X,
trụ sở tại …", "… cho phép Ông (Bà) Nguyễn Văn A, giáo viên …", "… mã số doanh nghiệp 0301234567".
Patterns match the accent-free text of a page's running lines joined end to end, so a value that
the line's end breaks is read whole. Each is a fallback: the rules ask for it only when no form
label gave the field."""
from __future__ import annotations

import re
from collections.abc import Callable

from sohoa.models.document import Field, Line, Page
from sohoa.models.fields.address import provinces
from sohoa.models.fields.evidence import field_on_lines
from sohoa.models.fields.labels import label_hits
from sohoa.models.fields.normalize import fold_text, normalize_field, strip_accents
from sohoa.models.fields.plausible import plausible_address, plausible_person_name

_HONORIFIC = r"(?:ong\s*\(ba\)\s+|ong/ba\s+|ong\s+|ba\s+)"
# A party named in running text, with its address right after: "… hồ sơ của Phòng khám An Bình,
# địa chỉ tại …", "cấp giấy phép cho Công ty TNHH X, địa chỉ: …", "đơn của ông (bà) Lê Văn A, địa
# chỉ …", "Điều 1. (Cho phép) Công ty X, mã số doanh nghiệp …, địa chỉ …, được …"; a firm's
# registration may come between ("Cho Công ty X, Giấy chứng nhận đăng ký doanh nghiệp mã số …, trụ
# sở tại …"). The name must open with a capital in the page's text.
_PARTY = re.compile(r"(?:^|\s)(?:cua|cho|doi voi|dieu 1\s*\.(?:\s*cho phep)?(?!\s*(?:cho|giao|cap)\b))\s+"
                    + _HONORIFIC + r"?"
                    r"(?P<name>[^,;:.()]{3,90}?)\s*[,(.]\s*(?:(?:giay chung nhan dang ky|ma so)[^,;:]{0,80},\s*)?"
                    r"(?:co\s+)?(?:dia chi|tru so)\b")
# A firm named with its registration and no seat: "Đồng ý gia hạn cho Công ty X, Giấy chứng nhận
# đăng ký doanh nghiệp số …, để …"
_FIRM_WITH_CODE = re.compile(r"(?:^|\s)(?:cua|cho|doi voi)\s+(?P<name>(?:cong ty|ho kinh doanh|doanh nghiep|hop tac xa|"
                             r"chi nhanh)[^,;:.()]{3,90}?)\s*[,(]\s*(?:giay chung nhan dang ky|ma so (?:doanh nghiep|thue))")
# The person a licence, certificate or decision is for, named after its verb with an honorific:
# "… cho phép Ông (Bà) Nguyễn Văn A, giáo viên …", "CHO PHÉP: Hộ gia đình ông (bà) Lê Thị B, …",
# "Điều 1. Xếp lương mới cho ông (bà) Trần Văn C (…)", "Điều 1. Ông (bà) Lê Văn D, sinh …" (a
# decision about one person names them first), "… hỗ trợ cho hộ ông (bà) E …", "… tiếp nhận hồ sơ
# đăng ký của ông (bà) F, …". The name must be a person's (a surname first).
_GRANTED_PERSON = re.compile(r"(?:cho phep|cap (?:giay phep |chung chi |giay chung nhan )?cho|chung nhan|cong nhan|"
                             r"cho|doi voi|dieu 1\s*\.|ho so[^.;:]{0,40}?\scua)\s*:?\s+(?:ho gia dinh\s+|ho\s+)?"
                             + _HONORIFIC + r"(?P<name>[^,;:.()]{3,60})")
# A firm by its kind, and the capitalised words of its name after ("Công ty TNHH Thương mại và Dịch
# vụ An Phát"): what the patterns below read a firm's name with
_FIRM_KIND = (r"(?:cong ty|ho kinh doanh|hop tac xa|doanh nghiep tu nhan|chi nhanh|van phong dai dien)")
# The firm a paper is for, named where running text opens a clause with it ("Công ty X được
# chứng nhận đáp ứng …", "…, Công ty X đề nghị Quý Sở cấp …"), considers its request ("Xét văn
# bản xin phép … của Công ty X cùng …"), speaks for it ("Doanh nghiệp chúng tôi là Công ty X, …") or
# owns the project ("… Dự án Y do Công ty X làm chủ dự án")
_FIRM_IN_PROSE = re.compile(r"(?:(?:^|[.;:,]\s+)(?=" + _FIRM_KIND + r"[^.;:]{0,90}\s(?:duoc (?:chung nhan|cap|phep)|"
                            r"(?:kinh )?de nghi)\b)|"
                            r"\bxet (?:don|van ban|ho so|to trinh)[^.;:]{0,60}?\scua\s+|\bchung toi la\s+|"
                            r"\bdo\s+(?=" + _FIRM_KIND + r"[^.;:,]{0,80}\slam chu\b))"
                            r"(?P<name>" + _FIRM_KIND + r"\s.{3,100})")
# A firm's code in running text, often broken by the line's end: "Giấy chứng nhận đăng ký doanh
# nghiệp mã số 0301234567", "mã số thuế 0301234567".
_CODE_IN_PROSE = re.compile(r"(?:dang ky doanh nghiep|dang ky kinh doanh|ma so doanh nghiep|ma so thue)"
                            r"\s*(?:ma so|so)?\s*:?\s*(?P<code>\d{10}(?:-\d{3})?)\b")
# A phone number in running text, often after the line's end: "…, điện thoại" / "0704039816, …",
# "… vui lòng gọi số 0908856965", "… liên hệ với X qua số 0327761485". Its groups have two
# digits or more: "… qua số: 0824730880" / "6. Văn bằng …" does not take the next item's number.
_PHONE_IN_PROSE = re.compile(r"(?:dien thoai|di dong|so may|(?:goi(?: ve| den| toi)?|qua) so)(?: lien he| lien lac)?"
                             r"\s*:?\s*(?P<phone>(?:\+84[ .]?|0)\d{1,4}(?:[ .]?\d{2,4}){1,4})\b")
# A personal ID in running text: "Cho ông (bà) X (số định danh cá nhân 049 171 839314), …"
_ID_IN_PROSE = re.compile(r"(?:so dinh danh(?: ca nhan)?|ma dinh danh|can cuoc cong dan|so cccd|can cuoc)"
                          r"\s*(?:so)?\s*:?\s*(?P<id>\d[\d ]{7,14}\d)\b")
# A seat or residence in running text: "(trụ sở giao dịch tại Số 5 …, tỉnh X)", "có trụ sở chính
# tại …", "thường trú tại …". Not "tại trụ sở Ủy ban …", where a meeting is held.
_ADDRESS_IN_PROSE = re.compile(r"(?<!tai )(?:tru so(?: chinh| giao dich)?|dia chi(?: tru so| lien he)?|thuong tru|cu tru)"
                               r"\s*(?:tai|o)?\s*:?\s+(?P<address>[^;()]{8,160})")
# "SỞ Y TẾ TỈNH X CHỨNG NHẬN:", "XÁC NHẬN:": the holder is named on the next line
_CERTIFIES = re.compile(r"\b(?:chung nhan|xac nhan)\s*:\s*$")


def running_lines(page: Page) -> list[Line]:
    """The page's body and form lines top to bottom, whatever blocks the layout cut them into."""
    return sorted((ln for b in page.blocks if b.type in ("body", "form_line") for ln in b.lines),
                  key=lambda ln: (ln.bbox[1], ln.bbox[0]))


def _running_text(page: Page) -> tuple[str, list[tuple[Line, int]]]:
    """The page's running lines joined by spaces, with each line's start in that text."""
    # a paragraph's line holding "địa chỉ:" may have been taken for a form line of its own
    lines = running_lines(page)
    starts, at = [], 0
    for ln in lines:
        starts.append(at)
        at += len(ln.text) + 1
    return " ".join(ln.text for ln in lines), list(zip(lines, starts))


def _in_prose(pages: list[Page], name: str, pattern: re.Pattern, group: str, prior: float,
              value: Callable[[str], str | None] = lambda text: text) -> Field | None:
    """The first match of ``pattern`` (on the accent-free text) in a page's running text whose
    ``group``, passed through ``value``, gives a value: the part of it to keep (a prefix), or None."""
    for page in pages:
        text, lines = _running_text(page)
        for m in pattern.finditer(strip_accents(text)):
            s, e = m.span(group)
            kept = value(text[s:e])
            if not kept:
                continue
            e = s + len(kept)
            used = [ln for ln, st in lines if st < e and st + len(ln.text) > s]
            if f := field_on_lines(name, text[s:e], used, page.number, prior):
                return f
    return None


def _party_name(name: str) -> str | None:
    # "Chủ cơ sở là Công ty X" is a clause that names the party, not its name
    return name if name[:1].isupper() and len(name.split()) <= 14 and " là " not in name else None


def _person_name(text: str) -> str | None:
    """The capitalised words that open ``text`` ("Nguyễn Văn An" of "Nguyễn Văn An được …"),
    if they are a person's name."""
    words = []
    for w in text.split():
        if not w[:1].isupper():
            break
        words.append(w)
    name = " ".join(words)
    return name if plausible_person_name(fold_text(name)) else None


def _address(text: str) -> str | None:
    """An address that runs to its province ("…, huyện Y, tỉnh X"): normalizing cuts it there;
    one that names no province is left to the form labels."""
    value = normalize_field("address", text)
    if not value or not plausible_address(value) or not value.endswith(provinces()):
        return None
    # the source text up to the province's last word (normalizing may have mended its marks)
    key = strip_accents(text)
    unit = key.find(strip_accents(value.split(",")[-1].split()[0]))  # "tinh" of "tỉnh Thanh Hóa"
    last = strip_accents(value.split()[-1])
    at = key.find(last, unit) if unit >= 0 else -1
    return text[:at + len(last)] if at >= 0 else None


def _firm_name(text: str) -> str | None:
    """The firm's name that opens ``text``: its kind ("Công ty TNHH", "Hộ kinh doanh") and the
    capitalised words after it. A name's word may be lower-case between two capitalised ones
    ("Thương mại và Dịch vụ", "Đầu tư Hòa Hảo"), or end the name at a comma ("… Xây dựng,")."""
    words = text.split()
    kind = re.match(_FIRM_KIND + r"(?:\s+(?:tnhh|co phan|trach nhiem huu han)(?:\s+mot thanh vien)?)?",
                    strip_accents(text).lower())
    if not kind:
        return None
    start = n = len(kind.group(0).split())

    def capital(i: int) -> bool:
        return i < len(words) and (words[i][:1].isupper() or words[i][:1].isdigit())

    while n < min(len(words), start + 14):
        joins = words[n] in ("và", "&", "-") and capital(n + 1)
        # a lower-case word of the name sits after a capitalised one and before another
        inner = n > start and capital(n - 1) and (capital(n + 1) or words[n + 1:n + 2] == ["và"]
                                                  or words[n][-1:] in ",;.")
        if not (capital(n) or joins or inner):
            break
        n += 1
        if words[n - 1][-1:] in ",;.":
            break  # a comma or a full stop ends the name
    name = " ".join(words[:n]).rstrip(",;.")
    return name if n > start else None


def _holder_under_certifies(pages: list[Page]) -> Field | None:
    """A certificate's holder on the line under its issuer's "… CHỨNG NHẬN:" (or "XÁC NHẬN:"),
    unless that line is a labelled one ("Họ và tên: …", read by the form labels)."""
    for page in pages:
        lines = running_lines(page)
        for i, ln in enumerate(lines[:-1]):
            if not _CERTIFIES.search(strip_accents(ln.text)):
                continue
            nxt = lines[i + 1]
            h = ln.bbox[3] - ln.bbox[1]
            if nxt.bbox[1] - ln.bbox[3] > 1.5 * h or label_hits(strip_accents(nxt.text)) or ":" in nxt.text:
                return None
            text = re.sub(r"^\s*(?:Ông\s*\(Bà\)|Ông/Bà|Ông|Bà)\s+", "", nxt.text)
            if text[:1].isupper() and len(text.split()) <= 12:
                return field_on_lines("holder_name", text, [nxt], page.number, 0.7)
            return None
    return None


def fields_in_prose(pages: list[Page], exclude: set[str]) -> dict[str, Field]:
    """The fields running text names, but for those in ``exclude`` (found already)."""
    readers: dict[str, list[Callable[[], Field | None]]] = {
        "holder_name": [lambda: _in_prose(pages, "holder_name", _PARTY, "name", 0.7, _party_name),
                        lambda: _in_prose(pages, "holder_name", _GRANTED_PERSON, "name", 0.7, _person_name),
                        lambda: _in_prose(pages, "holder_name", _FIRM_WITH_CODE, "name", 0.7, _party_name),
                        lambda: _in_prose(pages, "holder_name", _FIRM_IN_PROSE, "name", 0.6, _firm_name),
                        lambda: _holder_under_certifies(pages)],
        "business_code": [lambda: _in_prose(pages, "business_code", _CODE_IN_PROSE, "code", 0.7)],
        "phone": [lambda: _in_prose(pages, "phone", _PHONE_IN_PROSE, "phone", 0.7)],
        "personal_id": [lambda: _in_prose(pages, "personal_id", _ID_IN_PROSE, "id", 0.7)],
        "address": [lambda: _in_prose(pages, "address", _ADDRESS_IN_PROSE, "address", 0.6, _address)],
    }
    out: dict[str, Field] = {}
    for name, tries in readers.items():
        if name in exclude:
            continue
        for read in tries:
            if f := read():
                out[name] = f
                break
    return out
