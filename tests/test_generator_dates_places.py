"""What a generated paper says must hold on its own date and place: the place line of a town's
paper, the holder's age, the legal bases a paper cites, a place-date line at the paper's edge
(faults found in sessions 35 and 36)."""
from __future__ import annotations

import datetime as dt
import random

from sohoa.data.generator import values as V
from sohoa.data.generator.compose import Composer, template_by_id
from sohoa.data.generator.context import build_context
from sohoa.data.generator.render import Run, tokenize


def test_a_communes_place_line_prints_its_name_without_its_kind():
    """"Thị trấn Đông Anh, ngày …" prints "Đông Anh": the kind is two words, and the first split
    printed "trấn Đông Anh" (session 35's list of generator faults)."""
    unit = V.Unit("Thành phố Hà Nội", "Hà Nội", "01", "Huyện Đông Anh", "Đông Anh", "Thị trấn Đông Anh")
    assert unit.ward_short == "Đông Anh"
    assert V.Unit("", "", "", "", "", "Phường Ba Đình").ward_short == "Ba Đình"
    assert V.Unit("", "", "", "", "", "Xã Phước Hải").ward_short == "Phước Hải"
    assert V.Unit("", "", "", "", "", "Đặc khu Phú Quốc").ward_short == "Phú Quốc"
    assert V.Unit("", "", "", "", "", "Thành phố Thủ Đức").ward_short == "Thành phố Thủ Đức"
    towns = [u for u in V.legacy_units() if u.ward.startswith("Thị trấn ")]
    if towns:  # the legacy units name towns: every commune's short name is its name
        assert all(not u.ward_short.startswith(("trấn ", "Thị trấn")) for u in V.legacy_units() + V.new_units())
    commune = {"id": "t_ubnd", "sector": "justice", "agency_levels": ["commune"], "agencies": ["UBND"]}
    for seed in range(40):
        c = build_context(random.Random(f"place:{seed}"), commune)
        assert c["unit"].ward.endswith(" " + c["place"]) and not c["place"].startswith(("trấn ", "khu "))


def test_the_holder_is_an_adult_on_the_papers_date():
    tpl = template_by_id("lic_kcb_a")
    for seed in range(200):
        c = build_context(random.Random(f"adult:{seed}"), tpl)
        born = dt.date.fromisoformat(c["date_of_birth"])
        assert (c["date"].year - born.year) >= 18 and born.year >= 1955, (seed, c["date"], born)


def test_a_paper_cites_no_act_passed_after_it():
    pool = ["Căn cứ Luật Doanh nghiệp ngày 17 tháng 6 năm 2020;",
            "Căn cứ Luật Xây dựng ngày 18 tháng 6 năm 2014; Luật sửa đổi, bổ sung một số điều của Luật Xây dựng "
            "ngày 17 tháng 6 năm 2020;",
            "Căn cứ Nghị định số 15/2018/NĐ-CP của Chính phủ;",
            "Căn cứ Quyết định số {ref_no}/QĐ-UBND ngày {ref_date} của Ủy ban nhân dân {Prov};",
            "Xét đề nghị của Trưởng phòng Nghiệp vụ Y;"]
    assert V.bases_in_force(pool, dt.date(2017, 5, 2)) == pool[3:]  # the 2018 decree by its number
    assert V.bases_in_force(pool, dt.date(2018, 5, 2)) == pool[2:]
    assert V.bases_in_force(pool, dt.date(2020, 6, 16)) == pool[2:]  # the day before the law
    assert V.bases_in_force(pool, dt.date(2020, 6, 17)) == pool
    assert V.bases_in_force(pool[:1], dt.date(2016, 1, 1)) == pool[:1]  # nothing left: the pool
    # through the composer: no base a drawn paper cites from the pool is dated after the paper
    tpl = template_by_id("lic_kcb_a")
    pool = [b for b in V.resource("vocab.yaml")["bases"]["health"] if "{" not in b]
    cited = 0
    for seed in range(40):
        doc = Composer(random.Random(f"bases:{seed}"), tpl, "t").compose()
        date = dt.date.fromisoformat(doc.meta["date"])
        text = " ".join(line["text"] for page in doc.pages for line in page.lines)
        for base in pool:
            if base in text:
                cited += 1
                assert V.cited_date(base) is None or V.cited_date(base) <= date, (seed, date, base)
    assert cited > 10  # the template does cite bases


def test_an_italic_place_date_line_near_the_edge_stays_on_the_paper():
    """A centred place-date line whose advance just fits the paper can still leave it by the overhang
    of its last italic glyph: one fresh34 page in 720 (session 36). Every placement up to the edge,
    in every face the generator draws, keeps the line's box on the paper."""
    tpl = template_by_id("lic_kcb_a")
    for seed in range(12):  # the face and size are drawn per paper
        comp = Composer(random.Random(f"edge:{seed}"), tpl, "t")
        comp.c["place"] = "Thành phố Hồ Chí Minh"
        words = V.date_words(comp.c["date"], leading_zero=True)
        runs = [Run(comp.c["place"], "italic", "issue_place"), Run(", ", "italic"), Run(words, "italic", "issue_date")]
        half = comp.p.width(tokenize(runs), comp.body_pt) / 2
        for step in range(0, 12):
            comp.rec.fields.pop("issue_date", None)
            comp._place_date(comp.W - half - step, comp.y)
            box = comp.page.lines[-1]["bbox"]
            assert 0 <= box[0] and box[2] <= comp.W, (seed, step, box, comp.W)


def test_a_short_permit_is_valid_for_days_and_the_others_for_years():
    """`valid_days: [LOW, HIGH]`: a permit for one job (a vehicle's trip, a works' weeks) ends days
    after its date, not the three to ten years every licence was given (the fresh35 helper)."""
    tpl = dict(template_by_id("lic_gpxd"))
    years = [build_context(random.Random(f"valid:{seed}"), tpl) for seed in range(30)]
    short = [build_context(random.Random(f"valid:{seed}"), {**tpl, "valid_days": [10, 60]}) for seed in range(30)]
    for long_c, short_c in zip(years, short):
        assert (dt.date.fromisoformat(long_c["valid_until"]) - long_c["date"]).days >= 3 * 365 - 1
        days = (dt.date.fromisoformat(short_c["valid_until"]) - short_c["date"]).days
        assert 10 <= days <= 60
        assert short_c["date"] == long_c["date"]  # drawn after the paper's own values
        assert short_c["valid_until_text"].endswith(str(dt.date.fromisoformat(short_c["valid_until"]).year))


def test_a_local_holder_lives_in_the_papers_unit_and_moves_no_other_draw():
    """``holder_local``: the holder's address (and the codes drawn from its province) are the paper's
    own unit's, as for a school a provincial committee recognises; the other values are drawn as
    without it."""
    tpl = {**template_by_id("lic_kcb_a"), "id": "t_local"}
    moved = 0
    for seed in range(60):
        free = build_context(random.Random(f"local:{seed}"), tpl)
        local = build_context(random.Random(f"local:{seed}"), {**tpl, "holder_local": True})
        assert local["address"].endswith(V.lower_unit(local["unit"].province)), local["address"]
        moved += free["address"] != local["address"]
        for key in ("date", "agency_name", "holder_name", "date_of_birth", "phone", "signer_name", "valid_until"):
            assert free[key] == local[key], key
    assert moved  # some holders of the free draw live elsewhere


def test_a_papers_date_stays_inside_its_templates_span_and_the_others_draw_as_before():
    """``dates: [from, to]`` (the fresh37 helper): a procedure that existed in that form only part of
    2016-2026 (a licence replaced in 2022, a certificate created in 2019) dates its papers inside the
    span, in the era its agencies allow; a span equal to the default draws exactly what no key
    draws, so the templates without it are as before; a span outside the default fails at once."""
    import pytest

    from sohoa.data.generator.context import PAPER_DATES, paper_dates

    tpl = {**template_by_id("lic_kcb_a"), "id": "t_dates"}
    assert paper_dates(tpl) == PAPER_DATES == (dt.date(2016, 1, 1), dt.date(2026, 10, 31))
    for seed in range(40):
        plain = build_context(random.Random(f"dates:{seed}"), tpl)
        spelled = build_context(random.Random(f"dates:{seed}"), {**tpl, "dates": ["2016-01-01", "2026-10-31"]})
        assert {k: v for k, v in plain.items() if k != "topic"} == {k: v for k, v in spelled.items() if k != "topic"}
    early = {**tpl, "dates": ["2016-03-01", "2021-12-31"]}
    late = {"id": "t_late", "sector": "natural_resources", "agency_levels": ["province"], "holder": "person",
            "dates": ["2019-06-01", "2026-10-31"]}
    eras = set()
    for seed in range(80):
        c = build_context(random.Random(f"early:{seed}"), early)
        assert dt.date(2016, 3, 1) <= c["date"] <= dt.date(2021, 12, 31)
        c = build_context(random.Random(f"late:{seed}"), late)
        assert dt.date(2019, 6, 1) <= c["date"] <= dt.date(2026, 10, 31)
        eras.add(c["era"])
        if V.legacy_units():
            assert c["agency"].get("era", "any") in ("any", c["era"])
    # a ministry of both eras heads papers on either side of the reform, each in its own
    ministry = {"id": "t_bo", "sector": "natural_resources", "agency_levels": ["central"], "agencies": ["BTNMT", "BNNMT"],
                "dates": ["2024-01-01", "2026-10-31"]}
    for seed in range(40):
        c = build_context(random.Random(f"bo:{seed}"), ministry)
        assert dt.date(2024, 1, 1) <= c["date"] <= dt.date(2026, 10, 31) and c["place"] == "Hà Nội"
        want = "BTNMT" if c["era"] == "legacy" else "BNNMT"
        assert c["agency"]["symbol"] == want and c["head"] == "BỘ TRƯỞNG"
    assert "new" in eras
    for bad in (["2015-06-01", "2020-01-01"], ["2022-01-01", "2021-01-01"], ["2020-01-01", "2027-01-01"]):
        with pytest.raises(ValueError, match="t_bad.*`dates`"):
            build_context(random.Random("bad"), {**tpl, "id": "t_bad", "dates": bad})
