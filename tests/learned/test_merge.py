"""Model and rules together: the rules stay as validators and fallbacks."""
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
