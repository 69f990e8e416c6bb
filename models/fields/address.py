"""Vietnamese addresses: "Số 12 Lê Lợi, phường Tân Định, quận 1, thành phố Hồ Chí Minh".

An address names its administrative units with a closed set of lowercase words (xã, phường,
huyện, tỉnh, ...) each followed by a capitalised name or a number, commas between the units, and
ends with a province from a closed list. A scan garbles exactly these short words ("tinh",
"tính"), drops the comma at a line end, and misreads a mark in the province ("Sóc Trằng"): each is
repaired here only where the closed vocabulary leaves a single reading.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from sohoa.models.fields.normalize import fold_text, is_syllable, normalize_text, strip_accents

_UNITS = ("thành phố", "thị xã", "thị trấn", "phường", "xã", "huyện", "quận", "tỉnh")
_UNIT_BY_SKELETON = {strip_accents(u): u for u in _UNITS}
_PROVINCE_UNITS = {"tỉnh", "thành phố"}
# cities of province rank; any other "thành phố Thanh Hóa" lies in a province named after it
_MUNICIPALITIES = {"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế"}


@lru_cache
def provinces() -> tuple[str, ...]:
    lines = (Path(__file__).parent / "provinces.txt").read_text(encoding="utf-8").splitlines()
    return tuple(ln.strip() for ln in lines if ln.strip() and not ln.startswith("#"))


def _opens_name(token: str) -> bool:
    return token[:1].isupper() or token[:1].isdigit()


def _unit_at(tokens: list[str], i: int) -> tuple[str, int] | None:
    """The unit word(s) starting at ``tokens[i]`` and how many tokens they take: lowercase words
    whose skeleton is a unit's, followed by a name ("tinh Gia Lai" → tỉnh)."""
    for n in (2, 1):
        words = tokens[i:i + n]
        if len(words) < n or i + n >= len(tokens) or not _opens_name(tokens[i + n]):
            continue
        if any(not w.isalpha() or not w.islower() for w in words):
            continue
        key = strip_accents(" ".join(words))
        unit = _UNIT_BY_SKELETON.get(key)
        if unit is None and n == 1 and len(key) >= 3 and not is_syllable(words[0]):
            # a letter lost or added ("tnh"): only a token that is no syllable, one letter off one unit
            near = [u for k, u in _UNIT_BY_SKELETON.items() if " " not in k and Levenshtein.distance(key, k) <= 1]
            unit = near[0] if len(near) == 1 else None
        if unit:
            return unit, n
    return None


# "1IA" → "11A": a house number's I or l beside a digit is a one
_HOUSE_NUMBER_ONE = re.compile(r"(?<=\d)[Il]|[Il](?=\d)")


def _province(name: str, max_letters: int) -> str:
    """The province ``name`` is a reading of: the same skeleton, or ``max_letters`` letters off
    it, and no other province as close."""
    if name in provinces():
        return name
    key = strip_accents(name)
    if len(key) < 4:
        return name
    dist = sorted((Levenshtein.distance(key, strip_accents(p)), p) for p in provinces())
    best, runner_up = dist[0], dist[1]
    return best[1] if best[0] <= max_letters and runner_up[0] > best[0] else name


def province_marks(place: str) -> str:
    """A place that is a province's name with a mark misread ("Trà Vình", "Nam Dinh") in the
    gazetteer's spelling; any other place as it is."""
    return _province(place, 0)


def normalize_address(text: str, commas: bool = True) -> str | None:
    """``commas=False``: repair unit words and provinces only (a recipient's name, "Ủy ban nhân
    dân tinh Sóc Trăng", has units but no comma between its words)."""
    tokens = fold_text(text).split()
    if commas and len(tokens) > 1 and strip_accents(tokens[0]) == "so" and tokens[1][:1].isdigit():
        tokens[0] = "Số"
    tokens = [_HOUSE_NUMBER_ONE.sub("1", t) if t[:1].isdigit() else t for t in tokens]
    # "dường Hùng Vương": đ read as d; before a street's name only "đường" (street) is meant
    tokens = ["đường" if t == "dường" and k + 1 < len(tokens) and _opens_name(tokens[k + 1]) else t
              for k, t in enumerate(tokens)]
    out: list[str] = []
    i = 0
    while i < len(tokens):
        found = _unit_at(tokens, i)
        if not found:
            out.append(tokens[i])
            i += 1
            continue
        unit, n = found
        if commas and out and not out[-1].endswith(",") and (_opens_name(out[-1]) or out[-1][-1:].isdigit()):
            out[-1] += ","  # the comma between two units, lost at a line end or under a stroke
        out.append(unit)
        i += n
        if unit in _PROVINCE_UNITS:
            j = i
            while j < len(tokens) and _opens_name(tokens[j]) and j - i < 4 and not tokens[j - 1].endswith(","):
                j += 1
            if j > i:
                # "thành phố" also heads cities inside a province (thành phố Tam Kỳ): only an
                # exact skeleton match there; "tỉnh" is always followed by a province
                letters = 1 if unit == "tỉnh" else 0
                k = next((k for k in range(j - i, 0, -1)
                          if _province(" ".join(tokens[i:i + k]).rstrip(",;."), letters) in provinces()), j - i)
                name = " ".join(tokens[i:i + k])
                core = name.rstrip(",;.")
                fixed = _province(core, letters)
                out.extend((fixed + name[len(core):]).split())
                i += k
                if commas and i < len(tokens) and (fixed in _MUNICIPALITIES if unit == "thành phố" else fixed in provinces()) \
                        and not _unit_at(tokens, i):
                    # the province ends an address: what follows is the sentence or the next
                    # label it ran into ("…, tỉnh Phú Thọ Người chịu trách nhiệm …")
                    out[-1] = out[-1].rstrip(",")
                    break
    return normalize_text(" ".join(out))


# In an agency's name in capitals ("SỞ Y TẾ TỈNH KIÊN GIANG") only the units that cannot be another
# word there: TĨNH (Hà Tĩnh), QUẢN (quản lý), PHƯƠNG (địa phương), XÃ HỘI are all agency words.
_AGENCY_UNITS = {"tinh": "TỈNH", "huyen": "HUYỆN", "thanh pho": "THÀNH PHỐ"}
# the last word of a unit ("xã", "thị xã", "thành phố", "thị trấn" …): the word after it is a name
_UNIT_WORDS = frozenset({"xa", "phuong", "huyen", "quan", "tinh", "pho", "tran"})


def repair_agency_units(name: str) -> str:
    """"SỞ Y TẾ TÌNH KIÊN GIANG" → "… TỈNH …": a unit word in capitals that lost or swapped its
    mark, followed by the unit's name. Right after a unit word it is that unit's name, not a unit:
    "UBND XÃ TỊNH KHÊ", "HUYỆN TỊNH BIÊN" (the fresh20 helper saw the first made "TỈNH KHÊ")."""
    tokens = name.split()
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for n in (2, 1):
            words = tokens[i:i + n]
            unit = _AGENCY_UNITS.get(strip_accents(" ".join(words))) if len(words) == n else None
            named = bool(out) and strip_accents(out[-1]).lower() in _UNIT_WORDS
            if (unit and not named and i + n < len(tokens) and tokens[i + n].isupper()
                    and all(w.isupper() for w in words) and "TĨNH" not in words):
                out.extend(unit.split())
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return " ".join(out)
