"""Vietnamese personal names: "Nguyễn Thị Minh Thư" is a surname from a short closed list, then
middle and given names.

A signer's name sits under a signature and a seal, often in bold: the recognizer loses or swaps a
mark ("Tran"), or reads a stroke as an extra letter ("Nnguyễn", "INguyên"). A surname is repaired
only where the list of surnames leaves one reading; given names are an open set and stay as read.
"""
from __future__ import annotations

from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from sohoa.models.fields.normalize import is_syllable, strip_accents

# The common Vietnamese surnames (họ), which cover nearly the whole population, with the rarer
# ones that share a skeleton with a common one, so that those are not "repaired" into it.
SURNAMES = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đoàn Vương Trịnh "
    "Trương Đinh Lâm Phùng Mai Tô Hà Tạ Lương Cao Quách Kiều Lưu La Thái Triệu Châu Chu Mạc Tăng "
    "Khúc Lò Hứa Âu Nông Lục Diệp Tôn Bạch Giang Đàm Từ Thân Kim Mã Ông Phí Quan Sầm Tống Vi Đồng "
    "Nghiêm Tiêu Hầu Lại Khổng Doãn Cù Lạc Đậu Hàn Ninh Văn Lã Lữ Lạng Tòng Tiết Vòng Hạ Ân Yên "
    "Trình Đới Bế Hoa Cấn Dư Giáp Thạch Danh Sơn Quang Chế Kha Lầu Mẫn Ngọ"
).split()
# Middle names read without their mark: "Thi" and "Van" as given names are rare, as middles never.
_MIDDLE = {"Thi": "Thị", "Van": "Văn"}


@lru_cache
def _by_skeleton() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for s in dict.fromkeys(SURNAMES):
        out.setdefault(strip_accents(s), []).append(s)
    return out


def _surname(token: str) -> str | None:
    """The surname ``token`` is a reading of, when only one fits."""
    if token in SURNAMES:
        return token
    key = strip_accents(token)
    same = _by_skeleton().get(key, [])
    if len(same) == 1:
        return same[0]
    # one letter off a surname only for a token that is no Vietnamese syllable ("Nauyễn"): a real
    # syllable one letter off is a given name that lost the surname before it ("Trung", not Trương)
    if same or len(key) < 5 or is_syllable(token):
        return None
    near = [s for k, ss in _by_skeleton().items() if Levenshtein.distance(key, k) <= 1 for s in ss]
    return near[0] if len(near) == 1 else None


def _unglued(token: str) -> str:
    """A stroke read as letters glued before a surname ("XyNguyên" → "Nguyên"): the surname, where
    a capital follows a small letter and starts one; else the token."""
    if token[:1].isupper() and _surname(token):
        return token
    return next((token[i:] for i in range(1, len(token) - 2)
                 if token[i].isupper() and token[i - 1].islower() and _surname(token[i:])), token)


def repair_person_name(name: str) -> str:
    """``name`` with its surname and middle-name marks repaired; anything that does not look like a
    person's name (an organization: "Công ty TNHH ...") is returned as it is."""
    tokens = name.split()
    if not tokens:
        return name
    tokens[0] = _unglued(tokens[0])  # a name opens with its surname
    # a stroke of the signature read as a word before the name ("Kỳ. Nguyên Trung Dũng", "CKH Phạm …",
    # "vyy Nguyễn …", "% Nguyễn …", "V% XyNguyên …"): no syllable, or not capitalised, right before a surname
    second = _unglued(tokens[1]) if len(tokens) > 1 else ""
    if (len(tokens) > 2 and (not tokens[0].isalpha() or not is_syllable(tokens[0]) or not tokens[0][:1].isupper())
            and _surname(second) and not _surname(tokens[0].strip("."))):
        tokens = [second] + tokens[2:]
    if not 2 <= len(tokens) <= 6 or not all(t[:1].isupper() for t in tokens):
        return name
    # O for Q: no Vietnamese syllable opens with "Ou" ("Ouốc" → "Quốc")
    tokens = [t if not (t.startswith("Ou") and not is_syllable(t) and is_syllable("Q" + t[1:])) else "Q" + t[1:]
              for t in tokens]
    surname = _surname(tokens[0])
    if surname:
        tokens[0] = surname
    tokens[1:-1] = [_MIDDLE.get(t, t) for t in tokens[1:-1]]
    return " ".join(tokens)
