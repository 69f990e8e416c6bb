"""Shape checks for values read by the learned model: fragments out, every real value in."""
from datetime import date

import pytest

from sohoa.models.fields.plausible import plausible_birth_date, plausible_field, plausible_validity


@pytest.mark.parametrize("name,value", [
    ("holder_name", "phụ"), ("holder_name", "Công"), ("holder_name", "nhân dân"),
    ("holder_name", "Đại học"), ("holder_name", "Mộ Đức"), ("address", "Những"), ("address", "quận, huyện"),
    ("signer_name", "Nguyễn"), ("signer_name", "Nguyễn văn An"), ("signer_name", "Bích Sảng"),
    ("recipient", "tế"), ("recipient", "Dịch"), ("recipient", "2021"), ("recipient", "các sở, ngành"),
])
def test_fragments_are_no_field(name, value):
    assert not plausible_field(name, value)


@pytest.mark.parametrize("name,value", [
    ("holder_name", "Nguyễn Thị Minh Thư"), ("holder_name", "Phòng khám đa khoa An Bình"),
    ("address", "Số 12 Lê Lợi, phường Tân Định, quận 1, thành phố Hồ Chí Minh"),
    ("address", "thôn Phú Lộc xã Hòa Bắc"), ("address", "Lê Lợi Đà Nẵng"),
    ("holder_name", "Tran Van Nam"), ("holder_name", "Công ty TNHH Minh Phát"),
    ("signer_name", "Trần Văn Nam"), ("title", "x"), ("document_number", "1"),
    ("recipient", "Sở Y tế"), ("recipient", "Ông Nguyễn Văn An"), ("recipient", "UBND huyện"),
])
def test_values_of_the_right_shape_pass(name, value):
    assert plausible_field(name, value)


@pytest.mark.parametrize("born,issued,ok", [
    ("1987-05-21", "2024-03-12", True), ("2010", "2024-01-01", True), ("2011-01-01", "2024-12-31", False),
    ("2024-03-01", "2024-03-12", False), ("1990-01-01", None, True), ("1990-01-01", "", True),
])
def test_a_birth_date_precedes_the_paper_by_years(born, issued, ok):
    assert plausible_birth_date(born, issued) is ok


@pytest.mark.parametrize("born,ok", [("2024-11-25", False), ("2013-01-01", False), ("2012-06-30", True),
                                     ("1990-01-01", True), ("", True)])
def test_with_no_issue_date_a_birth_date_precedes_the_reading_day(born, ok):
    assert plausible_birth_date(born, None, today=date(2026, 12, 4)) is ok


@pytest.mark.parametrize("until,issued,ok", [
    ("2030-01-01", "2025-07-13", True), ("2026", "2025-07-13", True), ("2025-12-31", "2025", True),
    ("2025", "2025-07-13", False), ("2025-07-13", "2025-07-13", False), ("2024-12-31", "2025-07-13", False),
    ("2025-07", "2025-07-13", False), ("2030-01-01", None, True), ("2030-01-01", "", True),
])
def test_a_validity_ends_after_the_paper_is_issued(until, issued, ok):
    assert plausible_validity(until, issued) is ok


def test_no_generated_ground_truth_value_fails():
    """Every labelled value of every template (core and extra, two documents each) passes: the
    checks only ever drop what no administrative paper holds."""
    from sohoa.data.generator.compose import compose, extra_templates, templates

    failing = []
    for tpl in templates() + extra_templates():
        for seed in (0, 1):
            doc = compose(tpl["id"], seed)
            failing += [(tpl["id"], name, f["value"]) for name, f in doc.fields.items()
                        if not plausible_field(name, f["value"])]
            if "date_of_birth" in doc.fields and "issue_date" in doc.fields:
                if not plausible_birth_date(doc.fields["date_of_birth"]["value"], doc.fields["issue_date"]["value"]):
                    failing.append((tpl["id"], "date_of_birth", doc.fields["date_of_birth"]["value"]))
            if "valid_until" in doc.fields and "issue_date" in doc.fields:
                if not plausible_validity(doc.fields["valid_until"]["value"], doc.fields["issue_date"]["value"]):
                    failing.append((tpl["id"], "valid_until", doc.fields["valid_until"]["value"]))
    assert failing == []
