"""Training-only templates (templates_extra.yaml, ``sohoa data generate --extra-templates``): they
land in train, except one per document type held out as calibration, and leave the held-out split
of the 28 core templates and default generation untouched. Their labels are checked with the core
templates' in test_generator.py."""
from __future__ import annotations

import datetime as dt
import json
import re

from click.testing import CliRunner

from sohoa.data.dataset import template_splits
from sohoa.data.generator.compose import extra_templates, templates
from sohoa.data.generator.writer import pick_template
from sohoa.models.fields.normalize import normalize_field

EXTRA_IDS = [t["id"] for t in extra_templates()]


def test_extra_templates_are_train_only_and_leave_the_core_split_alone():
    core = {t["id"]: t["doc_type"] for t in templates()}
    extra = {t["id"]: t["doc_type"] for t in extra_templates()}
    assert not set(core) & set(extra)
    assert set(extra.values()) == set(core.values())  # every document type gains layouts
    alone = template_splits(core)
    both = template_splits({**core, **extra})
    assert {t: both[t] for t in core} == alone  # held-out templates unchanged
    calibration = {t for t in extra if both[t] == "calibration"}
    assert all(both[t] == "train" for t in set(extra) - calibration)
    # one calibration template per document type, whichever templates a set holds
    assert sorted(extra[t] for t in calibration) == sorted(set(extra.values()))
    assert all(template_splits({t: extra[t]}) == {t: both[t]} for t in extra)
    # default generation never draws them; --extra-templates draws only them (types are balanced,
    # so each of the 32 `other` templates comes once in ~190 draws: 2000 draws see every one)
    assert {pick_template(0, i) for i in range(300)} <= set(core)
    assert {pick_template(0, i, extra=True) for i in range(2000)} == set(extra)
    assert {pick_template(0, i, extra=True, train_only=True) for i in range(2000)} == set(extra) - calibration


def test_remixed_extra_templates_land_in_train(tmp_path):
    from sohoa.data.cli import data

    out = tmp_path / "extra"
    res = CliRunner().invoke(data, ["generate", "--n", "4", "--out", str(out), "--seed", "3", "--workers", "1",
                                    "--extra-templates", "--remix", "--no-lines"])
    assert res.exit_code == 0, res.output
    gts = [json.loads(p.read_text()) for p in sorted((out / "docs").glob("*.gt.json"))]
    assert len(gts) == 4 and all(gt["template"] in EXTRA_IDS for gt in gts)
    for gt in gts:
        for name, f in gt["fields"].items():
            assert normalize_field(name, f["value"]) == f["value"]
    assert json.loads((out / "generation.json").read_text())["extra_templates"] is True
    import datasets
    assert set(datasets.load_from_disk(str(out / "dataset"))) == {"train"}

    bad = CliRunner().invoke(data, ["generate", "--n", "1", "--out", str(tmp_path / "x"), "--extra-templates",
                                    "--template", templates()[0]["id"]])
    assert bad.exit_code != 0 and "among the extra templates" in bad.output
    split = template_splits({t["id"]: t["doc_type"] for t in extra_templates()})
    held = next(t for t, s in split.items() if s == "calibration")
    bad = CliRunner().invoke(data, ["generate", "--n", "1", "--out", str(tmp_path / "y"), "--extra-templates",
                                    "--remix", "--template", held])
    assert bad.exit_code != 0 and "not a training-split template" in bad.output


def test_calibration_documents_reach_their_own_split(tmp_path):
    """Plain extra-template generation keeps the calibration documents apart: their own dataset
    split, and the split the training tools (prepare, eval) read for them."""
    from sohoa.data.cli import data
    from sohoa.training.ocr_cache import split_of, template_split_map

    split = template_split_map()
    held = next(t for t in EXTRA_IDS if split[t] == "calibration")
    out = tmp_path / "cal"
    res = CliRunner().invoke(data, ["generate", "--n", "2", "--out", str(out), "--seed", "5", "--workers", "1",
                                    "--extra-templates", "--template", held, "--no-lines"])
    assert res.exit_code == 0, res.output
    import datasets
    assert set(datasets.load_from_disk(str(out / "dataset"))) == {"calibration"}
    gts = [json.loads(p.read_text()) for p in sorted((out / "docs").glob("*.gt.json"))]
    assert [split_of(gt, split) for gt in gts] == ["calibration", "calibration"]


# --- generator options added for xo21-xo32 (session 37) ---------------------------------------------

def _doc(tpl: dict, seed: int):
    import random

    from sohoa.data.generator.compose import Composer

    comp = Composer(random.Random(f"{tpl['id']}:{seed}"), tpl, f"{tpl['id']}-{seed}")
    return comp, comp.compose()


def test_a_table_spelled_out_by_its_template():
    """``table`` with ``head``: fixed rows (``k`` of them kept, in order) or a row pattern drawn
    ``n`` times, its cells filled per row ({i}, {name}, {dob} turning ``ages`` that year, …); the kinds stay as
    they were."""
    fixed = {"id": "t_table_rows", "doc_type": "other", "sector": "security", "holder": "person",
             "agency_levels": ["commune"], "title": ["GIẤY BIÊN NHẬN"],
             "elements": [{"type": "header"}, {"type": "title"},
                          {"type": "table", "head": ["STT", "Tên", "Số lượng"], "widths": [0.1, 0.6, 0.3],
                           "rows": [["{i}", "Súng hơi", "01"], ["{i}", ["Dao găm", "Kiếm"], "{num}"],
                                    ["{i}", "Pháo {brand}", "02"], ["{i}", "Lựu đạn", "01"]], "k": [2, 3]},
                          {"type": "signature"}]}
    roster = {**fixed, "id": "t_table_cells", "sector": "defence",
              "elements": [{"type": "header"}, {"type": "title"},
                           {"type": "table", "head": ["STT", "Họ và tên", "Ngày sinh", "Nơi cư trú"],
                            "widths": [0.1, 0.35, 0.2, 0.35], "cells": ["{i}", "{name_male}", "{dob}", "Thôn {village}"],
                            "n": [4, 6], "ages": [17, 17]},
                           {"type": "signature"}]}
    for seed in range(6):
        comp, doc = _doc(fixed, seed)
        cells = [ln["text"] for p in doc.pages for ln in p.lines if ln["block"] == "table"]
        assert cells[:3] == ["STT", "Tên", "Số lượng"] and "{" not in " ".join(cells)
        names = [t for t in cells if t in ("Súng hơi", "Dao găm", "Kiếm", "Lựu đạn") or t.startswith("Pháo ")]
        assert 2 <= len(names) <= 3
        order = ["Súng", "Dao", "Kiếm", "Pháo", "Lựu"]
        assert [order.index(n.split()[0]) for n in names] == sorted(order.index(n.split()[0]) for n in names)
        assert [t for t in cells if t.isdigit() and len(t) == 1] == [str(i + 1) for i in range(len(names))]
        assert any(b["type"] == "table" for p in doc.pages for b in p.blocks)

        comp, doc = _doc(roster, seed)
        cells = [ln["text"] for p in doc.pages for ln in p.lines if ln["block"] == "table"]
        dobs = [t for t in cells if re.fullmatch(r"\d\d/\d\d/\d{4}", t)]
        assert 4 <= len(dobs) <= 6 and sum(t.startswith("Thôn ") for t in cells) == len(dobs)
        for t in dobs:  # turning seventeen in the paper's year
            assert dt.date(int(t[6:]), int(t[3:5]), int(t[:2])).year == comp.c["date"].year - 17, (t, comp.c["date"])


def test_two_parties_sign_side_by_side_and_a_signer_other_than_the_holder():
    """``column: left`` puts a signature block in the left column and the next one on its line;
    ``signer: other_person`` prints that name, not the holder's. The right-hand block (the issuer's,
    Decree 30) gives signer_title and signer_name unless a block says otherwise (``signer_fields``)."""
    tpl = {"id": "t_two_sides", "doc_type": "other", "sector": "labour", "holder": "person",
           "agency_levels": ["province"], "title": ["BIÊN BẢN HÒA GIẢI THÀNH"],
           "elements": [{"type": "header"}, {"type": "title"},
                        {"type": "para", "text": ["Người lao động: <<holder_name>>."]},
                        {"type": "signature", "style": "applicant", "applicant_title": ["NGƯỜI LAO ĐỘNG"],
                         "column": "left"},
                        {"type": "signature", "style": "applicant", "applicant_title": ["HÒA GIẢI VIÊN LAO ĐỘNG"],
                         "signer": "other_person"},
                        {"type": "para", "text": ["Biên bản kết thúc cùng ngày."]}]}
    for seed in range(8):
        comp, doc = _doc(tpl, seed)
        lines = [ln for p in doc.pages for ln in p.lines]
        left = next(ln for ln in lines if ln["text"] == "NGƯỜI LAO ĐỘNG")
        right = next(ln for ln in lines if ln["text"] == "HÒA GIẢI VIÊN LAO ĐỘNG")
        assert abs(left["bbox"][1] - right["bbox"][1]) < 5 and left["bbox"][2] < right["bbox"][0]
        assert doc.fields["signer_title"]["value"] == "HÒA GIẢI VIÊN LAO ĐỘNG"
        assert doc.fields["signer_name"]["value"] == comp.c["other_person"] != doc.fields["holder_name"]["value"]
        names = [ln["text"] for ln in lines if ln["block"] == "signature_block"]
        assert comp.c["other_person"] in names and comp.c["holder_name"] in names
        assert not any(ln["block"] == "distribution" for ln in lines)
        sig_bottom = max(ln["bbox"][3] for ln in lines if ln["block"] == "signature_block")
        last = next(ln for ln in lines if ln["text"] == "Biên bản kết thúc cùng ngày.")
        assert last["bbox"][1] > sig_bottom  # what follows goes below both blocks
    # a firm's representative on the left, the official's name on the right (not the firm's again)
    firm = {**tpl, "id": "t_two_sides_firm", "holder": "org", "org": "company",
            "elements": [{"type": "header"}, {"type": "title"},
                         {"type": "signature", "style": "applicant", "applicant_title": ["ĐẠI DIỆN CƠ SỞ"],
                          "column": "left"},
                         {"type": "signature", "style": "applicant", "applicant_title": ["TRƯỞNG ĐOÀN"],
                          "signer": "signer_name"}]}
    for seed in range(4):
        comp, doc = _doc(firm, seed)
        names = [ln["text"] for p in doc.pages for ln in p.lines if ln["block"] == "signature_block"]
        assert comp.c["other_person"] in names and comp.c["signer_name_text"] in names
        assert comp.c["other_person"] != comp.c["signer_name_text"]
        notes = [t for t in names if t.startswith("(Ký")]
        assert "đóng dấu" in notes[0] and "đóng dấu" not in notes[1]  # the firm seals, the official here not
        assert doc.fields["signer_title"]["value"] == "TRƯỞNG ĐOÀN"
        assert doc.fields["signer_name"]["value"] in comp.c["signer_name_text"] != comp.c["other_person"]
    # a contract whose issuing agency signs on the left: it gives the signer, the tenant beside it not
    lease = {**tpl, "id": "t_two_sides_lease",
             "elements": [{"type": "header"}, {"type": "title"},
                          {"type": "signature", "column": "left", "signer_fields": True},
                          {"type": "signature", "style": "applicant", "applicant_title": ["BÊN B"],
                           "signer_fields": False}]}
    for seed in range(4):
        comp, doc = _doc(lease, seed)
        lines = [ln for p in doc.pages for ln in p.lines if ln["block"] == "signature_block"]
        tenant = next(ln for ln in lines if ln["text"] == "BÊN B")
        assert doc.fields["signer_title"]["value"] != "BÊN B"
        title_line = next(ln for ln in lines if ln["text"] == doc.fields["signer_title"]["value"])
        assert title_line["bbox"][2] < tenant["bbox"][0]  # the left column's
        assert doc.fields["signer_name"]["value"] != comp.c["holder_name"]
