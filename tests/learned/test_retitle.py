"""Retitling: a page takes another type's title and that type's label; the rest of the page stays."""
import json
import random

import pytest
from sohoa_testkit import prepared_page

from sohoa.training.retitle import retitle, title_donors


def _page(doc_type="license", title=(("GIẤY", "PHÉP"), ("HOẠT", "ĐỘNG")), rules_type="license"):
    lines = [("national_motto", [("CỘNG", "O"), ("HÒA", "O")])]
    for k, words in enumerate(title):
        lines.append(("title", [(w, "B-title" if (k, j) == (0, 0) else "I-title") for j, w in enumerate(words)]))
    lines += [("form_line", [("Họ", "O"), ("tên:", "O"), ("Lê", "B-holder_name"), ("An", "I-holder_name")]),
              ("signature_block", [("GIÁM", "O"), ("ĐỐC", "O")])]
    ex = prepared_page(lines, left=300)
    ex.update(doc_type=doc_type, rules={"doc_type": rules_type},
              rule_fields=["title" if role == "title" else "" for role in ex["input_roles"]])
    return ex


DONORS = {"other": [["BIÊN", "BẢN", "BÀN", "GIAO", "NHÀ", "Ở"]], "license": [["GIẤY", "PHÉP", "KHAI", "THÁC"]]}


def test_the_title_and_the_label_change_and_nothing_else():
    ex = _page()
    out = retitle(ex, random.Random(0), DONORS, p=1.0, unknown=0.0)
    assert out["doc_type"] == "other" and out["rules"]["doc_type"] == "other"
    span = [i for i, t in enumerate(out["field_tags"]) if t.endswith("-title")]
    assert [out["words"][i] for i in span] == DONORS["other"][0]
    assert [out["field_tags"][i] for i in span] == ["B-title"] + ["I-title"] * 5
    # one entry per word in every list, the words around the title untouched
    n = len(out["words"])
    assert all(len(out[k]) == n for k in ("boxes", "px_boxes", "input_roles", "lines", "field_tags", "role_tags",
                                          "rule_fields"))
    assert out["words"][:2] == ex["words"][:2] and out["words"][-6:] == ex["words"][-6:]
    assert out["field_tags"][-6:] == ex["field_tags"][-6:]
    # the new words sit on the old title's two lines, in their rows and within their width, in order
    rows = {tuple(out["lines"][i]) for i in span}
    assert rows == {(1, 0), (2, 0)}
    for i in span:
        k = out["lines"][i][0]
        assert out["boxes"][i][1] == 100 * k and out["input_roles"][i] == "title"
        assert 300 <= out["boxes"][i][0] < out["boxes"][i][2] <= 410
        assert 600 <= out["px_boxes"][i][0] < out["px_boxes"][i][2] <= 820
    assert [out["lines"][i][0] for i in span] == sorted(out["lines"][i][0] for i in span)
    assert ex["doc_type"] == "license" and ex["words"][2] == "GIẤY"  # the page itself is not changed


def test_the_rules_type_reads_unknown_sometimes():
    out = retitle(_page(), random.Random(0), DONORS, p=1.0, unknown=1.0)
    assert out["doc_type"] == "other" and out["rules"]["doc_type"] is None


def test_a_one_word_title_and_a_long_one_fit_the_lines_they_are_given():
    ex = _page(title=(("GIẤY",), ("PHÉP",), ("XÂY", "DỰNG")))
    out = retitle(ex, random.Random(1), {"other": [["TỜ"]]}, p=1.0)
    span = [i for i, t in enumerate(out["field_tags"]) if t.endswith("-title")]
    assert [out["words"][i] for i in span] == ["TỜ"] and out["field_tags"][span[0]] == "B-title"
    assert len(out["words"]) == len(ex["words"]) - 3
    words = "THÔNG BÁO KẾT QUẢ THẨM ĐỊNH HỒ SƠ ĐỀ NGHỊ CẤP GIẤY PHÉP".split()
    out = retitle(ex, random.Random(1), {"other": [words]}, p=1.0)
    span = [i for i, t in enumerate(out["field_tags"]) if t.endswith("-title")]
    assert [out["words"][i] for i in span] == words
    assert {out["lines"][i][0] for i in span} == {1, 2, 3}  # every old title line holds some


@pytest.mark.parametrize("case", ["p0", "no_title", "no_other_type"])
def test_pages_that_cannot_take_a_title_are_returned_as_they_are(case):
    ex = _page()
    if case == "p0":
        assert retitle(ex, random.Random(0), DONORS, p=0.0) is ex
    elif case == "no_title":
        ex["field_tags"] = ["O" if t.endswith("-title") else t for t in ex["field_tags"]]
        assert retitle(ex, random.Random(0), DONORS, p=1.0) is ex
    else:
        assert retitle(ex, random.Random(0), {"license": DONORS["license"], "other": []}, p=1.0) is ex


def test_donors_are_the_distinct_titles_of_the_pages():
    pages = [_page(), _page(), _page("other", (("BIÊN", "BẢN"),)),
             {**_page(), "field_tags": ["O"] * len(_page()["words"])}]
    assert title_donors(pages) == {"license": [["GIẤY", "PHÉP", "HOẠT", "ĐỘNG"]], "other": [["BIÊN", "BẢN"]]}


def test_training_with_retitled_pages(tmp_path):
    pytest.importorskip("torch")
    from sohoa.training.prepare import prepare
    from sohoa.training.train import train

    def doc(doc_id, template, doc_type, title):
        lines = [(title, "title", [300, 200, 700, 230]), ("Họ và tên: Lê Văn An", "form_line", [100, 300, 600, 325]),
                 ("GIÁM ĐỐC", "signature_block", [600, 600, 800, 625])]
        return {"doc_id": doc_id, "source": "generated", "file": f"{doc_id}.png", "doc_type": doc_type,
                "template": template,
                "fields": {"title": {"value": title, "text": title, "page": 1, "bbox": lines[0][2]},
                           "holder_name": {"value": "Lê Văn An", "text": "Lê Văn An", "page": 1,
                                           "bbox": lines[1][2]}},
                "pages": [{"number": 1, "width": 1000, "height": 1400,
                           "lines": [{"text": t, "bbox": b, "block": r} for t, r, b in lines]}]}
    gt = tmp_path / "gen"
    gt.mkdir()
    docs = [doc("d0", "lic_kcb_a", "license", "GIẤY PHÉP HOẠT ĐỘNG"), doc("d1", "lic_kcb_a", "license", "GIẤY PHÉP"),
            doc("d2", "form_attp", "application_form", "ĐƠN ĐỀ NGHỊ CẤP PHÉP"),
            doc("d3", "lic_ruou", "license", "GIẤY PHÉP BÁN RƯỢU")]  # lic_ruou: a validation template
    for d in docs:
        (gt / f"{d['doc_id']}.gt.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    prepare([gt], tmp_path / "prep", line_variants=1, log=lambda s: None)
    pages = [json.loads(s) for s in (tmp_path / "prep" / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    donors = title_donors(pages)
    assert set(donors) == {"license", "application_form"}
    assert all(retitle(ex, random.Random(0), donors, 1.0)["doc_type"] != ex["doc_type"] for ex in pages)
    logs: list[str] = []
    train(tmp_path / "prep", tmp_path / "run", epochs=2, patience=2, batch_size=2, device="cpu", stacked=True,
          model_cfg={"hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 64},
          retitle=0.5, log=logs.append)
    cfg = json.loads((tmp_path / "run" / "config.json").read_text(encoding="utf-8"))
    assert cfg["train"]["retitle"] == 0.5
    assert [json.loads(s)["epoch"] for s in logs if s.startswith('{"epoch"')] == [1, 2]
