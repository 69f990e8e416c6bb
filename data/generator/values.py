"""Realistic values for generated documents: names, administrative units, identifiers, dates.

Every draw goes through one ``random.Random`` so that a seed fixes the whole document.
Administrative units follow the paper's date: before 2025-07-01 the 63 provinces with districts
(``vietnamadminunits``' legacy table, when that package is installed), from then on the 34
provinces with wards and communes only (``vietnam-provinces``).
"""
from __future__ import annotations

import datetime as dt
import random
import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

import yaml

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
REFORM_DATE = dt.date(2025, 7, 1)


@lru_cache
def resource(name: str) -> dict:
    return yaml.safe_load((RESOURCES / name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Unit:
    """One commune-level unit with its district (legacy only) and province."""
    province: str          # "Thành phố Hà Nội", "Tỉnh Ninh Thuận" (legacy db spells "Tỉnh ...")
    province_short: str    # "Hà Nội"
    province_code: str     # two-digit GSO code, also the CCCD province code
    district: str          # "Huyện Ninh Hải" or "" after the reform
    district_short: str
    ward: str              # "Phường Ba Đình", "Xã Phước Hải"

    @property
    def ward_short(self) -> str:
        """The commune's name without its kind, as a commune's place line prints it: "Ba Đình",
        "Đông Anh" (of "Thị trấn Đông Anh": a two-word kind), "Phú Quốc" (of "Đặc khu Phú Quốc")."""
        for kind in _WARD_KINDS:
            if self.ward.startswith(kind + " "):
                return self.ward[len(kind) + 1:]
        return self.ward


def _province_full(name: str, short: str) -> str:
    if name.lower().startswith(("tỉnh", "thành phố")):
        return name
    return f"Tỉnh {short}"


@lru_cache
def legacy_units() -> tuple[Unit, ...]:
    spec = find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        return ()
    db = Path(list(spec.submodule_search_locations)[0]) / "data" / "dataset.db"
    if not db.exists():
        return ()
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT province, provinceShort, provinceCode, district, districtShort, ward "
            "FROM admin_units_legacy ORDER BY provinceCode, district, ward").fetchall()
    # the db tells apart a town and the rural district of one name by a bracket ("Cao Lãnh (Thành
    # phố)"); a paper's place line prints only the name ("Cao Lãnh, ngày …")
    return tuple(Unit(_province_full(p, ps), ps, str(pc).zfill(2), _kind_cased(d or ""),
                      _UNIT_KIND.sub("", ds or ""), _kind_cased(w))
                 for p, ps, pc, d, ds, w in rows if w)


_UNIT_KIND = re.compile(r"\s*\([^)]*\)$")
# The legacy db spells a few kinds in title case ("Thành Phố Đồng Hới", "Thị Trấn ..."): a paper
# writes "Thành phố Đồng Hới", and in running text "thành phố Đồng Hới", never "thành Phố".
_KINDS = ("Thành phố", "Thị xã", "Thị trấn")
_WARD_KINDS = ("Thị trấn", "Đặc khu", "Phường", "Xã")


def _kind_cased(name: str) -> str:
    for kind in _KINDS:
        if name[:len(kind)].lower() == kind.lower() and name[len(kind):len(kind) + 1] == " ":
            return kind + name[len(kind):]
    return name


@lru_cache
def new_units() -> tuple[Unit, ...]:
    from vietnam_provinces import Province, Ward

    provinces = {int(p.code): p for p in Province.iter_all()}
    units = []
    for w in Ward.iter_all():
        p = provinces[int(w.province_code)]
        short = p.name.removeprefix("Thành phố ").removeprefix("Tỉnh ")
        full = p.name if p.name.startswith("Thành phố") else f"Tỉnh {short}"
        units.append(Unit(full, short, f"{int(p.code):02d}", "", "", w.name))
    units.sort(key=lambda u: (u.province_code, u.ward))
    return tuple(units)


def units_for(date: dt.date) -> tuple[Unit, ...]:
    if date < REFORM_DATE and legacy_units():
        return legacy_units()
    return new_units()


def lower_unit(name: str) -> str:
    """"Phường Ba Đình" → "phường Ba Đình" (running text writes the kind in lower case)."""
    kind, _, rest = name.partition(" ")
    for k in ("Thành phố", "Thị xã", "Đặc khu"):
        if name.startswith(k + " "):
            return k.lower() + name[len(k):]
    return f"{kind.lower()} {rest}" if rest else name


# --- people -----------------------------------------------------------------------------------

def person_name(rng: random.Random, gender: str | None = None) -> tuple[str, str]:
    names = resource("names.yaml")
    gender = gender or rng.choice(["male", "female"])
    fam = names["family"]
    family = rng.choices(list(fam), weights=list(fam.values()))[0]
    parts = [family, rng.choice(names["middle"][gender])]
    if rng.random() < 0.25:
        parts.append(rng.choice(names["middle"][gender]))
        if parts[2] == "Thị":  # "Thị" opens a woman's middle names: "Phan Thị Ánh Bích", not "Phan Ánh Thị Bích"
            parts[1], parts[2] = parts[2], parts[1]
    given = rng.choice(names["given"][gender])
    if given.split()[0] == parts[-1]:
        given = rng.choice(names["given"][gender])
    parts.append(given)
    return " ".join(dict.fromkeys(parts)), gender  # no repeated word ("Văn Văn")


def cccd(rng: random.Random, province_code: str, birth: dt.date, gender: str) -> str:
    """12-digit CCCD: province of birth (3), century+gender (1), year (2), random (6)."""
    century = (birth.year // 100) - 19  # 1900s → 0, 2000s → 1
    g = century * 2 + (1 if gender == "female" else 0)
    return f"0{province_code}{g}{birth.year % 100:02d}{rng.randrange(10**6):06d}"


def cmnd(rng: random.Random) -> str:
    return f"{rng.randrange(1, 39):02d}{rng.randrange(10**7):07d}"


def business_code(rng: random.Random, province_code: str, branch: bool = False) -> str:
    code = f"{province_code}{rng.randrange(10**8):08d}"
    return f"{code}-{rng.randrange(1, 30):03d}" if branch else code


MOBILE_PREFIXES = ["090", "091", "093", "094", "096", "097", "098", "086", "088", "089", "032", "033",
                   "034", "035", "036", "037", "038", "039", "070", "076", "077", "078", "079", "081",
                   "082", "083", "084", "085", "056", "058", "059"]


def phone_number(rng: random.Random, area_code: int | None = None) -> tuple[str, str]:
    """(printed, value): mobile or landline, printed with the spacing people use."""
    if area_code and rng.random() < 0.35:
        digits = f"02{area_code:02d}{rng.randrange(10**7):07d}" if area_code < 100 else \
            f"0{area_code}{rng.randrange(10**7):07d}"
        digits = digits[:11]
        printed = rng.choice([f"{digits[:4]}.{digits[4:7]}.{digits[7:]}", f"{digits[:4]} {digits[4:]}",
                              f"({digits[:4]}) {digits[4:]}", digits])
        return printed, digits
    digits = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}"
    style = rng.random()
    if style < 0.4:
        printed = digits
    elif style < 0.6:
        printed = f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"
    elif style < 0.8:
        printed = f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    else:
        printed = f"+84 {digits[1:4]} {digits[4:7]} {digits[7:]}"
    return printed, digits


def date_words(d: dt.date, leading_zero: bool = True) -> str:
    """Decree 30 writes days below 10 and months 1-2 with a leading zero."""
    day = f"{d.day:02d}" if leading_zero and d.day < 10 else str(d.day)
    month = f"{d.month:02d}" if leading_zero and d.month < 3 else str(d.month)
    return f"ngày {day} tháng {month} năm {d.year}"


def date_numeric(rng: random.Random, d: dt.date) -> str:
    sep = rng.choice(["/", "/", "/", "-", "."])
    return f"{d.day:02d}{sep}{d.month:02d}{sep}{d.year}"


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))


_CITED_DATE = re.compile(r"ngày (\d{1,2}) tháng (\d{1,2}) năm (\d{4})")
_CITED_NUMBER_YEAR = re.compile(r"số \d+/(\d{4})/")


def cited_date(text: str) -> dt.date | None:
    """The date of the latest act a legal basis cites ("..., Luật sửa đổi ... ngày 17 tháng 6 năm
    2020"), or the year of its number ("số 15/2018/NĐ-CP"); None when it names neither."""
    dates = [dt.date(int(y), int(m), int(d)) for d, m, y in _CITED_DATE.findall(text)]
    dates += [dt.date(int(y), 1, 1) for y in _CITED_NUMBER_YEAR.findall(text)]
    return max(dates, default=None)


def bases_in_force(pool: list[str], date: dt.date) -> list[str]:
    """The legal bases a paper of ``date`` can cite: none passed after it (a 2017 licence cites no
    "Luật Doanh nghiệp ngày 17 tháng 6 năm 2020"). A base with no date of its own (a proposal, a
    decision "ngày {ref_date}") is always open; the whole pool if nothing is left."""
    kept = [b for b in pool if (cited_date(b) or dt.date.min) <= date]
    return kept or pool
