"""Is a normalized field value shaped like one? Checks for values read by a learned model.

The contract normalizers accept any text for free-text fields, so a tagger that marks one stray
word as a holder or an address ("phụ", "Công", "Những": fragments the layout model filled on real
scans, session 17) yields a "valid" field. The rules never produce such values, because they read
a field behind its label; a model span has no label to vouch for it. These checks are the shape
every such value has on a Vietnamese administrative paper, kept loose enough that no
ground-truth value of the generator fails them (asserted in the tests).
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from sohoa.models.fields.address import provinces
from sohoa.models.fields.normalize import strip_accents

# administrative units and street words an address names ("thôn", "ấp", "tổ", "số", "đường")
_ADDRESS_WORDS = frozenset(strip_accents(w) for w in (
    "thành phố tp thị xã trấn phường xã huyện quận tỉnh thôn ấp bản buôn làng xóm tổ khu phố "
    "số đường phố ngõ ngách hẻm kiệt khóm khối cụm tập thể lô kcn kdc"
).split())
_DIGIT = re.compile(r"\d")


def _words(value: str) -> list[str]:
    return value.split()


@lru_cache
def _surname_skeletons() -> frozenset[str]:
    from sohoa.models.fields.names import SURNAMES

    return frozenset(strip_accents(s) for s in SURNAMES)


def _opens_with_surname(words: list[str]) -> bool:
    return strip_accents(words[0]) in _surname_skeletons()


def plausible_person_name(value: str) -> bool:
    """A person's name: two to seven capitalised words, the first a Vietnamese surname (read
    without its marks, which a scan loses): "Nguyễn Thị Minh Thư", not "Mộ Đức" (a district)."""
    words = _words(value)
    return 2 <= len(words) <= 7 and all(w[:1].isupper() for w in words) and _opens_with_surname(words)


def plausible_holder(value: str) -> bool:
    """A person's name, or an organization's: three words or more, the first capitalised ("Phòng
    khám đa khoa An Bình", "Hộ kinh doanh Minh Phát"; "Đại học" alone is no one)."""
    words = _words(value)
    return plausible_person_name(value) or (len(words) >= 3 and words[0][:1].isupper())


def plausible_address(value: str) -> bool:
    """An address: two words or more that name a place (a capitalised word or a number), with a
    number, a comma, a unit or street word, or a province ("Số 12 Lê Lợi, ...", "thôn Phú Lộc xã
    Hòa Bắc"; not "quận, huyện", the words of a form's blank)."""
    words = _words(value)
    if len(words) < 2 or not any(w[:1].isupper() or w[:1].isdigit() for w in words):
        return False
    if _DIGIT.search(value) or "," in value:
        return True
    if any(strip_accents(w.strip(".,;:")) in _ADDRESS_WORDS for w in words):
        return True
    return any(p in value for p in provinces())


# A holder's birth date precedes the paper by at least this many years: the age a citizen is issued
# an identity card at (Law on Citizen Identification 2014, art. 19) and below which a child is not the
# applicant or licensee of a one-stop-shop paper. A birth registration names a newborn, but behind
# "sinh ngày", which the rules read; this check is for a model's unlabelled reading.
MIN_HOLDER_AGE = 14


def plausible_birth_date(value: str, issue_date: str | None, today: date | None = None) -> bool:
    """A birth date (ISO, or its year alone) at least ``MIN_HOLDER_AGE`` years before the paper's
    issue date, or, when the paper's date is unknown, before ``today`` (the day it is read): no
    paper is issued after it is scanned, so a holder born less than that long ago is no holder
    (session 27: a decision with no date read got the model's "2024-11-25")."""
    born, issued = (str(v or "")[:4] for v in (value, issue_date))
    if not born.isdigit():
        return True
    reference = int(issued) if issued.isdigit() else (today or date.today()).year
    return reference - int(born) >= MIN_HOLDER_AGE


def plausible_validity(value: str, issue_date: str | None) -> bool:
    """A validity (ISO, or its year or month alone) that ends after the paper is issued: a
    licence is valid from its signing on, so an end on or before the issue date is some other
    date of the paper (a title's year, "Gia đình văn hóa năm 2025", read as the validity by the
    model on fresh20). Compared at the precision both have; unknown when either is not a date."""
    n = min(len(value or ""), len(issue_date or ""))
    if n < 4 or not str(value)[:4].isdigit() or not str(issue_date)[:4].isdigit():
        return True
    return str(value)[:n] > str(issue_date)[:n] or (n < len(value) and str(value)[:n] == str(issue_date)[:n])


def plausible_recipient(value: str) -> bool:
    """Whom a paper is addressed to: an agency, an office or a person, two words or more, one of
    them capitalised ("Sở Y tế", "Ông Nguyễn Văn An"); not one stray word of a list ("tế")."""
    words = _words(value)
    return len(words) >= 2 and any(w[:1].isupper() for w in words)


_CHECKS = {
    "recipient": plausible_recipient,
    "holder_name": plausible_holder,
    "signer_name": plausible_person_name,
    "address": plausible_address,
}


def plausible_field(name: str, value: str) -> bool:
    """True unless field ``name`` has a shape check that ``value`` (normalized) fails."""
    check = _CHECKS.get(name)
    return check is None or check(value)
