"""Field confidence: features a wrong field shows, the fitted logistic model, and its file."""
from sohoa.models.document import Block, Field, Line, Page, Word
from sohoa.models.fields.confidence import FEATURES, FieldConfidence, field_features, page_word_boxes
from sohoa.training.field_confidence import fit, leave_one_template_out, report

WORDS = [((100, 10, 160, 30), 0.99), ((165, 10, 200, 30), 0.95), ((205, 10, 230, 30), 0.6),
         ((500, 400, 540, 420), 0.1)]


def _field(text, value=None, bbox=(95, 5, 235, 35)):
    return {"value": value or text, "text": text, "confidence": 0.8, "page": 1, "bbox": list(bbox)}


def test_features_of_a_clean_name():
    f = field_features("holder_name", _field("Nguyễn Văn An"), WORDS)
    assert set(f) == set(FEATURES) and f["rules_conf"] == 0.8
    assert f["ocr_min"] == 0.6 and abs(f["ocr_mean"] - (0.99 + 0.95 + 0.6) / 3) < 1e-9  # the far word is not in the box
    assert f["non_syllable_share"] == 0.0 and f["person_surname_unknown"] == 0.0


def test_features_of_an_ocr_slip():
    f = field_features("holder_name", _field("Nnguyễn Văn An"), WORDS)
    assert abs(f["non_syllable_share"] - 1 / 3) < 1e-9  # "Nnguyễn" is no Vietnamese syllable
    assert f["person_surname_unknown"] == 1.0
    assert field_features("address", _field("Nnguyễn Văn An"), WORDS)["person_surname_unknown"] == 0.0  # not a person
    assert field_features("title", _field("GIẤY PHÉP", bbox=(0, 0, 1, 1)), WORDS)["ocr_min"] == 1.0  # no word there


def _rows():
    """Synthetic fields: wrong ones have an unsure word and often a non-syllable; 'scope' is wrong more often."""
    rows = []
    for i in range(400):
        wrong = i % 10 == 0 or (i % 4 == 0 and i % 3 == 0)
        name = "scope" if i % 3 == 0 else "title"
        feats = {k: 0.0 for k in FEATURES}
        feats.update(rules_conf=0.8, ocr_min=0.5 if wrong and i % 7 else 0.9, ocr_mean=0.95, log_chars=2.0,
                     non_syllable_share=0.5 if wrong and i % 20 == 0 else 0.0)
        rows.append({"name": name, "template": f"t{i % 5}", "features": feats, "confidence": 0.8, "correct": not wrong})
    return rows


def test_fit_ranks_the_wrong_fields_first_and_reports_it():
    rows = _rows()
    cal = fit(rows, features=FEATURES, per_field=True)
    assert cal.weights["ocr_min"] > 0 and cal.weights["non_syllable_share"] < 0
    assert cal.field_bias["scope"] < cal.field_bias["title"]
    assert set(fit(rows).weights) == {"rules_conf", "ocr_min", "ocr_mean"} and not fit(rows).field_bias  # the default
    rep = report(rows, cal)
    # every current confidence is tied at 0.8; the fitted one puts most errors in the lowest 10 %
    assert rep["calibrated"]["errors_in_lowest_10pct"] > rep["current"]["errors_in_lowest_10pct"]
    bins = rep["calibrated_reliability"]
    assert sum(b["fields"] for b in bins) == len(rows) and bins[0]["observed"] < bins[-1]["observed"]
    loto = leave_one_template_out(rows, features=FEATURES)
    assert loto["errors"] == rep["errors"] and loto["errors_in_lowest_10pct"] > rep["current"]["errors_in_lowest_10pct"]


def test_file_round_trip(tmp_path):
    import json

    cal = fit(_rows(), per_field=True)
    cal.meta, cal.engine = {"fitted_on": {"split": "train"}}, "tesseract"
    (tmp_path / "fc.json").write_text(json.dumps(cal.to_json()))
    back = FieldConfidence.load(tmp_path / "fc.json")
    feats = _rows()[3]["features"]
    assert back.meta["fitted_on"]["split"] == "train" and back.engine == "tesseract"
    assert abs(back("scope", feats) - cal("scope", feats)) < 1e-12 and 0.0 < back("scope", feats) < 1.0
    assert FieldConfidence.load(tmp_path / "missing.json") is None


def test_rescore_reads_the_words_of_the_fields_page():
    words = [Word(text="Nguyễn", bbox=(100, 10, 160, 30), confidence=0.99), Word(text="An", bbox=(165, 10, 190, 30), confidence=0.3)]
    page = Page(number=1, width=600, height=800, dpi=150, rotation=0, blocks=[Block(type="form_line", bbox=(100, 10, 190, 30), lines=[
        Line(text="Nguyễn An", bbox=(100, 10, 190, 30), confidence=0.6, words=words)])])
    assert page_word_boxes(page) == [((100, 10, 160, 30), 0.99), ((165, 10, 190, 30), 0.3)]
    cal = FieldConfidence({"ocr_min": 4.0}, bias=0.0)
    field = Field(value="Nguyễn An", text="Nguyễn An", confidence=0.9, page=1, bbox=(100, 10, 190, 30))
    out = cal.rescore({"holder_name": field}, [page])["holder_name"]
    assert abs(out.confidence - round(1 / (1 + 2.718281828459045 ** -1.2), 4)) < 1e-4  # sigmoid(4 x 0.3)
    assert out.value == field.value and out.source == field.source
