"""What `sohoa export` (and `sohoa eval --thresholds-from`) chooses on labelled documents for a
layout model: how the decoder reads each field's spans, and the thresholds of the merge with the
rules. Both score with ``training.evaluate.score``, the evaluation's own definitions."""
from __future__ import annotations

from sohoa.models.learned.runtime import LearnedModel
from sohoa.training.evaluate import score
from sohoa.training.metrics import FieldScores


def choose_decoding(model: LearnedModel, preds: list[dict], min_gain: float = 0.002) -> dict[str, list[str]]:
    """How the decoder reads each field's spans, chosen on these documents; ``model`` decodes that way from
    then on, and ``preds`` are re-decoded with it: ``join_fields`` (spans that follow each other
    become one: the tagger opens a listed recipient's every item, often a title's every line, with
    its own B-, but elsewhere a second span is another value, "KT. GIÁM ĐỐC" / "PHÓ GIÁM ĐỐC") and
    ``snap_fields`` (spans widen to their whole lines: the tagger misses a title line's first or
    last word). Per field, the option (none, join, snap, both) with the best strict F1 (model alone)
    wins when it beats plain decoding by at least ``min_gain``. Fields do not interact (each option
    moves only the spans of its field), so each is decided alone."""
    options = {"none": ((), ()), "join": (model.field_names, ()), "snap": ((), model.field_names),
               "both": (model.field_names, model.field_names)}

    def decoded(join, snap):
        return [model.decode_fields(r["doc"]["pages"], r["pred"].pages, join_fields=tuple(join),
                                    snap_fields=tuple(snap)) for r in preds]

    def per_field_f1(fields: list[dict]) -> dict[str, float | None]:
        fs = FieldScores()
        for r, got in zip(preds, fields):
            truth = {k: v["value"] for k, v in (r["doc"]["gt"].get("fields") or {}).items() if v.get("value")}
            fs.add({k: v["value"] for k, v in got.items()}, truth)
        return {n: c["f1"] for n, c in fs.report()["strict"]["per_field"].items()}
    f1 = {k: per_field_f1(decoded(*v)) for k, v in options.items()}
    join, snap = [], []
    for name in model.field_names:
        scores = {k: f1[k].get(name) or 0.0 for k in options}
        best = max(("join", "snap", "both"), key=lambda k: scores[k])
        if scores[best] >= scores["none"] + min_gain:
            join += [name] if best in ("join", "both") else []
            snap += [name] if best in ("snap", "both") else []
    model.join_fields, model.snap_fields = tuple(join), tuple(snap)
    for r, fields in zip(preds, decoded(join, snap)):
        r["pred"].fields = fields
    return {"join_fields": join, "snap_fields": snap}


def choose_thresholds(preds: list[dict], rules_keep_conf: float = 0.9, min_gain: float = 0.002,
                      type_fields: dict[str, list[str]] | None = None, doc_floor: float = 0.5,
                      opening_guard: bool = False) -> dict:
    """Merge thresholds chosen on these documents (validation). Fields: start from the rules
    alone, then per field (one pass) take the (override, fill) pair that raises the micro strict
    F1 by at least ``min_gain``; a field the model does not clearly help stays with the rules.
    Document type: the confidence, ``doc_floor`` or more, above which the model's label replaces a
    rules' label that is not sure (``rules_keep_conf`` fixed by the caller). Ties go to the
    rules-keeping value. The floor: the model's calibrated probability must favour its label (0.5);
    chosen freely, the generated sets took 0.3, which a real letter did not survive (session 24).
    The merge guards (``type_fields``, ``opening_guard``) apply while choosing, as they will when served."""
    grid = [0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.01]
    names = sorted({n for r in preds for n in r["pred"].fields})
    override = {"*": 1.01}
    fill = {"*": 1.01}

    def micro(o, f):
        return score(preds, o, 0.5, f, rules_keep_conf, type_fields,
                     opening_guard=opening_guard)["merged"]["strict"]["f1"] or 0.0
    base = micro(override, fill)
    for name in names:
        best = (base, 1.01, 1.01)
        for o in grid:
            for f in grid:
                if (o, f) == (1.01, 1.01):
                    continue
                v = micro({**override, name: o}, {**fill, name: f})
                if v >= best[0] + min_gain and v > best[0]:
                    best = (v, o, f)
        if best[1:] != (1.01, 1.01):
            override[name], fill[name] = best[1], best[2]
            base = best[0]
    best_d = max((t for t in grid if t >= doc_floor),
                 key=lambda t: (round(score(preds, 1.01, t, 1.01, rules_keep_conf,
                                            opening_guard=opening_guard)["merged"]["doc_type_accuracy"]
                                      or 0, 4), t))
    return {"override_min_conf": override, "fill_min_conf": fill, "doc_min_conf": best_d,
            "rules_keep_conf": rules_keep_conf, "type_fields": type_fields, "opening_guard": opening_guard}
