"""Model and rules together: the rules stay as validators and fallbacks."""
from datetime import date

from sohoa.models.learned.merge import merge_doc_type, merge_fields

RULES = {"title": {"value": "GIẤY PHÉP", "text": "GIẤY PHÉP", "confidence": 0.85, "page": 1, "bbox": [0, 0, 1, 1]},
         "signer_name": {"value": "Lê Văn A", "text": "Lê Văn A", "confidence": 0.8, "page": 1, "bbox": [0, 0, 1, 1]}}


def model_field(value, conf):
    return {"value": value, "text": value, "confidence": conf, "page": 1, "bbox": [0, 0, 2, 2]}


def test_fields_sources_and_thresholds():
    model = {"title": model_field("GIẤY PHÉP HOẠT ĐỘNG", 0.97), "signer_name": model_field("Lê Văn B", 0.6),
             "phone": model_field("0905123456", 0.9), "address": model_field("Hà Nội", 0.2)}
    out = merge_fields(model, RULES, override_min_conf={"title": 0.9, "*": 0.95}, fill_min_conf=0.5)
    assert out["title"]["source"] == "model" and out["title"]["value"] == "GIẤY PHÉP HOẠT ĐỘNG"
    assert out["signer_name"]["source"] == "rules" and out["signer_name"]["value"] == "Lê Văn A"
    assert out["phone"]["source"] == "model"
    assert "address" not in out  # too unsure to fill a gap
    assert merge_fields({}, RULES)["title"]["source"] == "rules"


def test_doc_type_rules_keep_sure_titles():
    scores = {"license": 0.9, "certificate": 0.1}
    assert merge_doc_type("license", scores, "certificate", 0.5, rules_conf=0.9) == ("certificate", "rules")
    assert merge_doc_type("license", scores, "other", 0.5, rules_conf=0.6) == ("license", "model")
    assert merge_doc_type("license", {"license": 0.4}, "other", 0.5, rules_conf=0.6) == ("other", "rules")


def test_relabel_blocks_follows_a_sure_role_head():
    import numpy as np

    from sohoa.models.document import Block, Line, Page
    from sohoa.models.learned.runtime import PagePrediction, page_words
    from sohoa.models.learned.relabel import relabel_blocks

    roles = ["body", "form_line", "stamp"]
    line = Line(text="Họ và tên: An", bbox=(0, 0, 100, 10), confidence=0.9)
    page = Page(number=1, width=200, height=200, dpi=150, rotation=0, blocks=[
        Block(type="body", bbox=(0, 0, 100, 10), lines=[line]),
        Block(type="body", bbox=(0, 20, 100, 30), lines=[line.model_copy(update={"bbox": (0, 20, 100, 30)})]),
        Block(type="stamp", bbox=(150, 150, 190, 190))])
    words = page_words(page)
    probs = np.array([[0.05, 0.95, 0.0] if w["line"][0] == 0 else [0.4, 0.6, 0.0] for w in words])
    pred = PagePrediction(words, np.zeros((len(words), 1)), probs, np.zeros(1))
    out = relabel_blocks([page], [pred], roles, min_conf=0.8)[0]
    assert [b.type for b in out.blocks] == ["form_line", "body", "stamp"]
    assert out.blocks[0].confidence == 0.95 and page.blocks[0].type == "body"  # the input is not changed


def test_guards_drop_model_fields_the_paper_type_does_not_carry():
    """A model field counts only on a type whose training papers carry it; the rules' field of
    that name stays whatever the type."""
    model = {"holder_name": model_field("Nguyễn Văn An", 0.99), "signer_name": model_field("Lê Văn B", 0.99)}
    type_fields = {"official_letter": ["signer_name", "subject"], "license": ["holder_name", "signer_name"]}
    letter = merge_fields(model, RULES, 0.5, 0.0, doc_type="official_letter", type_fields=type_fields)
    assert "holder_name" not in letter and letter["signer_name"]["value"] == "Lê Văn B"
    licence = merge_fields(model, RULES, 0.5, 0.0, doc_type="license", type_fields=type_fields)
    assert licence["holder_name"]["source"] == "model"
    # a type the training never saw, or no table at all (older manifests): no type guard
    assert "holder_name" in merge_fields(model, RULES, 0.5, 0.0, doc_type="other", type_fields=type_fields)
    assert "holder_name" in merge_fields(model, RULES, 0.5, 0.0, doc_type="official_letter")
    rules_holder = {**RULES, "holder_name": {**RULES["signer_name"], "value": "Trần Thị C"}}
    kept = merge_fields(model, rules_holder, 0.5, 0.0, doc_type="official_letter", type_fields=type_fields)
    assert kept["holder_name"]["source"] == "rules"


def test_guards_drop_a_birth_date_too_close_to_the_papers_date():
    issued = {**RULES, "issue_date": {**RULES["title"], "value": "2024-03-12"}}
    young = merge_fields({"date_of_birth": model_field("2023-05-30", 0.99)}, issued, 0.5, 0.0)
    assert "date_of_birth" not in young  # the paper's own year: no holder's birth date
    adult = merge_fields({"date_of_birth": model_field("1987-05-21", 0.99)}, issued, 0.5, 0.0)
    assert adult["date_of_birth"]["source"] == "model"
    # the model's own issue date counts when the rules found none; no date at all: the reading
    # day does (session 28), so a holder born three years ago is no holder and an adult is one
    own = {"date_of_birth": model_field("2020-01-01", 0.99), "issue_date": model_field("2021-06-01", 0.99)}
    assert "date_of_birth" not in merge_fields(own, RULES, 0.5, 0.0)
    recent = f"{date.today().year - 3}-01-01"
    assert "date_of_birth" not in merge_fields({"date_of_birth": model_field(recent, 0.99)}, RULES, 0.5, 0.0)
    assert "date_of_birth" in merge_fields({"date_of_birth": model_field("1987-05-21", 0.99)}, RULES, 0.5, 0.0)


def test_type_fields_are_read_from_the_training_pages(tmp_path):
    import json

    from sohoa.training.prepare import type_fields

    pages = [{"doc_id": "a", "doc_type": "license", "field_tags": ["O", "B-holder_name", "I-holder_name"]},
             {"doc_id": "a", "doc_type": "license", "field_tags": ["B-signer_name"]},  # a second page
             {"doc_id": "b", "doc_type": "license", "field_tags": ["O"]},
             {"doc_id": "c", "doc_type": "official_letter", "field_tags": ["B-subject", "O"]}]
    (tmp_path / "train.jsonl").write_text("\n".join(json.dumps(p) for p in pages), encoding="utf-8")
    assert type_fields(tmp_path) == {"license": ["holder_name", "signer_name"], "official_letter": ["subject"]}
    assert type_fields(tmp_path, min_share=0.6) == {"license": [], "official_letter": ["subject"]}
    assert type_fields(tmp_path / "missing") is None


def test_opening_guard_keeps_the_rules_type_on_a_loose_later_page():
    """Every training paper opens with its first page (motto, number or title); a page without
    any (a letter's closing page, a form's back) keeps the rules' type when the guard is on."""
    from sohoa.models.document import Block, Line, Page
    from sohoa.models.learned.merge import merge_answer, opens

    def page(*types):
        line = Line(text="x", bbox=(0, 0, 10, 10), confidence=0.9)
        return Page(number=1, width=100, height=100, dpi=150, rotation=0,
                    blocks=[Block(type=t, bbox=(0, 0, 10, 10), lines=[line]) for t in types])

    closing = page("body", "distribution", "signature_block")
    first = page("national_motto", "title", "body")
    assert not opens([closing]) and opens([closing, first]) and opens([first.model_dump()])
    args = ("decision", {"decision": 0.76}, {}, "official_letter", 0.45, {})
    assert merge_answer(*args, opening_guard=True, pages=[closing])[:2] == ("official_letter", "rules")
    assert merge_answer(*args, opening_guard=True, pages=[first.model_dump()])[:2] == ("decision", "model")
    assert merge_answer(*args, pages=[closing])[:2] == ("decision", "model")  # older manifests: unguarded
    # where the model agrees with the rules nothing changes
    assert merge_answer("official_letter", {"official_letter": 0.9}, {}, "official_letter", 0.45, {},
                        opening_guard=True, pages=[closing])[:2] == ("official_letter", "model")
