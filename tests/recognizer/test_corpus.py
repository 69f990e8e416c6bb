"""The recognizer's training text leaves the evaluation-only templates out."""
import yaml

from sohoa.training.recognizer.corpus import RESOURCES, _strings, resource_strings


def _phrases(path) -> set[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {p.strip() for s in _strings(data) for p in s.split("|") if len(p.strip()) >= 2}


def test_blind_set_text_is_not_in_the_corpus():
    fresh = set().union(*(_phrases(p) for p in RESOURCES.glob("templates_fresh*.yaml")))
    others = set().union(*(_phrases(p) for p in RESOURCES.glob("*.yaml")
                           if not p.name.startswith("templates_fresh") and p.name != "fonts.yaml"))
    only_fresh = fresh - others
    assert only_fresh, "the blind sets have phrases of their own"
    corpus = set(resource_strings())
    assert not only_fresh & corpus
    assert others & corpus  # the generator's other resources are still read
