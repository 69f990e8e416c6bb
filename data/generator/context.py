"""The values of one document: agencies, people, places, dates and numbers drawn for a template,
and the filling of template text with them (``<<field>>`` marks become labelled runs)."""
from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata

from . import values as V
from .render import Run

FIELD_MARK = re.compile(r"<<(\w+)>>")


def _strip_accents(s: str) -> str:
    s = unicodedata.normalize("NFD", s.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in s if unicodedata.category(c) != "Mn")


class SafeDict(dict):
    def __missing__(self, key):
        return "{" + key + "}"


# --- context ------------------------------------------------------------------------------------------

def office_holder(head: str, agency_name: str) -> str:
    """The signing office as a paper's body names it: "GIÁM ĐỐC SỞ Y TẾ …", "CỤC TRƯỞNG CỤC …",
    but "TRƯỞNG PHÒNG Y TẾ …", not "TRƯỞNG PHÒNG PHÒNG …": a head whose title ends with the
    office's first word says it once; so do titles ending with the office's first words
    ("TRƯỞNG CÔNG AN XÃ …", not "TRƯỞNG CÔNG AN CÔNG AN XÃ …")."""
    name = agency_name.upper().split()
    words = head.split()
    overlap = max((k for k in range(1, min(len(words), len(name)) + 1) if words[-k:] == name[:k]), default=0)
    return " ".join([head, *name[overlap:]])


def template_agencies(tpl: dict) -> list[dict]:
    """The agencies a template's papers may come from: its sector's (``agencies.yaml``), narrowed
    by its optional ``agencies: [SYMBOL, ...]`` to the entries of those symbols. A sector or symbol
    the resource does not have, or a narrowing with nothing at the template's levels, is a mistake
    of the template and fails here, naming it, rather than heading its papers with whatever is left.
    Without ``agencies`` the sector's list itself, so the draws of every other template stay as
    they were."""
    sectors = V.resource("agencies.yaml")
    tid, sector = tpl.get("id", "?"), tpl.get("sector", "general")
    if sector not in sectors:
        raise ValueError(f"template {tid!r}: unknown sector {sector!r} (agencies.yaml has {', '.join(sectors)})")
    agencies = sectors[sector]
    wanted = tpl.get("agencies")
    if wanted is None:
        return agencies
    known = {a["symbol"] for a in agencies}
    if isinstance(wanted, str) or not wanted:
        raise ValueError(f"template {tid!r}: `agencies` must be a non-empty list of symbols, not {wanted!r}")
    for symbol in wanted:
        if symbol not in known:
            raise ValueError(f"template {tid!r}: sector {sector!r} has no agency {symbol!r} "
                             f"(its symbols: {', '.join(sorted(known))})")
    levels = tpl.get("agency_levels", ["province"])
    narrowed = [a for a in agencies if a["symbol"] in wanted]
    if not any(a["level"] in levels for a in narrowed):
        raise ValueError(f"template {tid!r}: no agency {', '.join(wanted)} of sector {sector!r} "
                         f"at the levels {', '.join(levels)}")
    return narrowed


PAPER_DATES = (dt.date(2016, 1, 1), dt.date(2026, 10, 31))


def paper_dates(tpl: dict) -> tuple[dt.date, dt.date]:
    """The span a paper's date is drawn from: 2016-01-01 to 2026-10-31, or a template's own
    ``dates: [from, to]`` (ISO dates) for a procedure that existed in that form only part of it (a
    licence replaced by another in 2022, a certificate created in 2019). The bounds of the span are
    the only change, so a template without the key draws every value as before."""
    if not tpl.get("dates"):
        return PAPER_DATES
    lo, hi = (d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)) for d in tpl["dates"])
    if not PAPER_DATES[0] <= lo < hi <= PAPER_DATES[1]:
        raise ValueError(f"template {tpl.get('id', '?')!r}: `dates` must be a span inside "
                         f"{PAPER_DATES[0]} - {PAPER_DATES[1]}, not {tpl['dates']!r}")
    return lo, hi


def build_context(rng: random.Random, tpl: dict) -> dict:
    agencies = template_agencies(tpl)
    levels = tpl.get("agency_levels", ["province"])
    lo, hi = paper_dates(tpl)
    date = V.random_date(rng, lo, hi)
    for _ in range(4):
        era = "legacy" if date < V.REFORM_DATE and V.legacy_units() else "new"
        cands = [a for a in agencies if a["level"] in levels and a.get("era", "any") in ("any", era)]
        if tpl.get("prefer_collective"):
            cands = [a for a in cands if a.get("collective")] or cands
        if cands:
            break
        date = (V.random_date(rng, lo, min(hi, V.REFORM_DATE - dt.timedelta(days=1))) if era == "new"
                else V.random_date(rng, max(lo, V.REFORM_DATE), hi))
    if not cands:  # e.g. legacy-only agencies where the legacy units are not installed
        raise ValueError(f"template {tpl.get('id', '?')!r}: no agency of sector {tpl.get('sector', 'general')!r} "
                         f"at the levels {', '.join(levels)} in the {era} era")
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
    c["authority"] = office_holder(agency["head"], c["agency_name"])
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
        c["place"] = unit.ward_short

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
    if tpl.get("holder_local"):  # a holder the paper's own unit must govern (a school, a firm it registers)
        hunit = unit  # after the draws above, so that every later draw stays as it would be without it
    c["address"] = _address(rng, hunit, vocab)
    name, gender = V.person_name(rng)
    c["person"] = name
    # the holder is an adult on the paper's date (a 2016 license went to nobody born in 2003)
    dob = V.random_date(rng, dt.date(1955, 1, 1), min(dt.date(2003, 12, 31), dt.date(date.year - 18, 12, 31)))
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
    if tpl.get("valid_days"):  # a short permit (days, not years); drawn after, so the others stay as drawn
        valid = date + dt.timedelta(days=rng.randint(*tpl["valid_days"]))
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
    if tpl.get("letter_subject"):
        # a letter's own "V/v …" lines (the header prints them with `subject_left`) instead of a shared
        # topic's: a blind set's letters need not print the subjects the training letters print; no
        # shared body comes with them. Drawn last, so every other template draws as before.
        c["topic"] = {"subject": rng.choice(tpl["letter_subject"]), "body": []}
    if tpl.get("holder_names"):
        # the holder's printed name from the template's own list (a foreign worker, a club, a school),
        # an entry [name, origin] also giving {holder_origin} (a nationality); drawn last, so that
        # every other template draws as before
        pick = rng.choice(tpl["holder_names"])
        name, origin = (pick, "") if isinstance(pick, str) else (pick[0], pick[1] if len(pick) > 1 else "")
        c["holder_name"] = fill(name, c)
        c["holder_origin"] = fill(origin, c)
    return c


def _address(rng: random.Random, unit: V.Unit, vocab: dict) -> str:
    form = _settled(rng.choice(vocab["address_forms"]), unit.ward)
    # drawn in the order they always were, so that every other value of a document stays as it was
    house = rng.choice([str(rng.randint(1, 300)), f"{rng.randint(1, 120)}/{rng.randint(1, 40)}",
                        f"{rng.randint(1, 99)}A"])
    street = rng.choice(vocab["streets"])
    village, tdp, lane = rng.choice(vocab["villages"]), rng.randint(1, 25), rng.randint(1, 200)
    first = _named_street(form, street).format(house=house, street=street, village=village, tdp=tdp, lane=lane)
    parts = [first, V.lower_unit(unit.ward)]
    if unit.district:
        parts.append(V.lower_unit(unit.district))
    parts.append(V.lower_unit(unit.province))
    return ", ".join(parts)


def _named_street(form: str, street: str) -> str:
    """``form`` with "đường" before a street named by a date ("30 Tháng 4"): after a bare house
    number the address read "Số 43 30 Tháng 4", which nobody writes."""
    if street[:1].isdigit() and not re.search(r"(đường|phố) \{street\}", form):
        return form.replace("{street}", "đường {street}")
    return form


def _settled(form: str, ward: str) -> str:
    """``form`` as the ward's kind of settlement has it: a commune (xã) is made of villages (thôn),
    a town ward (phường, thị trấn) of residential groups (tổ dân phố); the other one is swapped in
    after the draw, so the draws are made as before (a handwritten value printed otherwise still
    moves the later draws of its document: its glyphs jitter per word)."""
    rural = _strip_accents(ward.lower()).startswith("xa ")
    if rural and form.startswith("Tổ dân phố"):
        return "Thôn {village}"
    if not rural and form.startswith("Thôn"):
        return "Tổ dân phố {tdp}"
    return form


def fill(text: str, c: dict) -> str:
    return text.format_map(SafeDict({k: v for k, v in c.items() if not isinstance(v, (dict, list))}))


# "Sinh ngày:", "sinh ngày": a date in words printed after them drops its own "ngày" (else the
# paper reads "Sinh ngày: ngày 9 tháng 7 năm 2002")
_ENDS_WITH_NGAY = re.compile(r"\bngày\s*:?\s*$", re.IGNORECASE)


def after_lead(lead: str, printed: str) -> str:
    """``printed`` as it reads after ``lead``, the text before it on its line."""
    if printed.startswith("ngày ") and _ENDS_WITH_NGAY.search(lead):
        return printed[len("ngày "):]
    return printed


def runs_of(text: str, c: dict, style: str = "regular", value_style: str | None = None,
            lead: str = "") -> list[Run]:
    """Split "… <<holder_name>> …" into runs; a field prints ctx[f_text] or ctx[f]. ``lead``: what
    the line prints before ``text`` (a form line's label)."""
    text = fill(text, c)
    out: list[Run] = []
    pos = 0
    for m in FIELD_MARK.finditer(text):
        if m.start() > pos:
            out.append(Run(text[pos:m.start()], style))
        name = m.group(1)
        printed = after_lead(lead + text[:m.start()], str(c.get(name + "_text") or c.get(name) or ""))
        out.append(Run(printed, value_style or style, field=name))
        pos = m.end()
    if pos < len(text):
        out.append(Run(text[pos:], style))
    return out


# --- the composer --------------------------------------------------------------------------------------
