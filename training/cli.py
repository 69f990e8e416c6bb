"""``sohoa train``, ``sohoa eval``, ``sohoa export``: the retraining loop of the layout model.

    sohoa train layout --data datasets/gen --data runs/ocr/gen --data review-export.zip --out runs/layout/v1
    sohoa eval --model runs/layout/v1 --data runs/ocr/gen --split test
    sohoa export --model runs/layout/v1 --out models/zoo/layoutlm/v1 --eval-data runs/ocr/gen

``classifier`` and ``extractor`` name the same multi-head model (one encoder, three heads).
"""
from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path

import click

from sohoa.data.dataset import FRESH_SPLITS, SPLITS


def _cmdline() -> str:
    return "sohoa " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def _split_list(allowed: tuple[str, ...], alone: tuple[str, ...]):
    """A click callback: "validation,fresh8" → ("validation", "fresh8"), each one of ``allowed``;
    the words in ``alone`` ("all", "auto") only by themselves. Several splits pool their documents,
    so a choice rests on more templates than one blind set holds."""
    def parse(ctx, param, value):
        if value is None:
            return None
        splits = tuple(dict.fromkeys(s.strip() for s in value.split(",") if s.strip()))
        bad = [s for s in splits if s not in allowed]
        if bad or not splits:
            raise click.BadParameter(f"{', '.join(bad) or repr(value)}: not one of {', '.join(allowed)} "
                                     "(several: comma-separated)")
        if len(splits) > 1 and set(splits) & set(alone):
            raise click.BadParameter(f"{' or '.join(alone)} stands alone, not in a list")
        return splits
    return parse


@click.command("train")
@click.argument("task", type=click.Choice(["layout", "classifier", "extractor"]), default="layout")
@click.option("--data", "data", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="labelled folder: OCR cache, generator output / *.gt.json, datasets folder or review export zip (repeat to mix)")
@click.option("--out", required=True, type=click.Path(path_type=Path))
@click.option("--prepared", type=click.Path(exists=True, path_type=Path), default=None,
              help="use examples prepared before (OUT/data of an earlier run) instead of --data")
@click.option("--epochs", default=30, show_default=True)
@click.option("--patience", default=5, show_default=True, help="early stopping on validation")
@click.option("--batch-size", default=16, show_default=True)
@click.option("--lr", default=5e-4, show_default=True)
@click.option("--seed", default=0, show_default=True)
@click.option("--layers", default=None, type=int, help="encoder layers (default 4)")
@click.option("--hidden", default=None, type=int, help="hidden size (default 256)")
@click.option("--max-steps", default=None, type=int, help="stop after this many optimizer steps")
@click.option("--line-variants", default=2, show_default=True, help="noisy copies of each line-only training page")
@click.option("--train-split", "train_splits", multiple=True, type=click.Choice(FRESH_SPLITS),
              help="train on this evaluation-only split too: a blind set that has judged and is now "
                   "development data (repeat for several)")
@click.option("--resume", is_flag=True, help="continue from OUT/checkpoint.pt")
@click.option("--device", default=None, help="cpu or cuda (default: cuda when available)")
@click.option("--stacked", is_flag=True,
              help="the model also reads the rules' answer (their fields and type) and learns to correct it")
@click.option("--rule-dropout", default=0.2, show_default=True,
              help="stacked: chance of hiding each of the rules' fields from a training window")
@click.option("--token-mask", default=0.0, show_default=True,
              help="chance of replacing each input word-piece with [MASK] in training (labels stay)")
@click.option("--shuffle-lines", default=0.0, show_default=True,
              help="chance per page and epoch that its labelled form lines trade places (training/page_augment.py)")
@click.option("--swap-labels", default=0.0, show_default=True,
              help="chance per form line and epoch that its printed label becomes another label of its field")
@click.option("--retitle", default=0.0, show_default=True,
              help="chance per page and epoch that it takes another document type's title and label "
                   "(training/retitle.py)")
def train(task, data, out, prepared, epochs, patience, batch_size, lr, seed, layers, hidden, max_steps,
          line_variants, train_splits, resume, device, stacked, rule_dropout, token_mask, shuffle_lines, swap_labels,
          retitle):
    """Train the layout model (document type + fields + line roles)."""
    from sohoa.training.prepare import prepare
    from sohoa.training.train import train as run_train

    t0 = time.time()
    if prepared is None:
        prepared = out / "data"
        if not (resume and (prepared / "train.jsonl").exists()):
            if not data:
                raise click.UsageError("give --data (or --prepared)")
            prepare(list(data), prepared, seed=seed, line_variants=line_variants, log=click.echo,
                    train_splits=train_splits)
    cfg = {}
    if layers:
        cfg["num_hidden_layers"] = layers
    if hidden:
        cfg.update(hidden_size=hidden, intermediate_size=2 * hidden, num_attention_heads=max(2, hidden // 64))
    res = run_train(prepared, out, epochs=epochs, patience=patience, batch_size=batch_size, lr=lr, seed=seed,
                    model_cfg=cfg, resume=resume, max_steps=max_steps, device=device, stacked=stacked,
                    rule_dropout=rule_dropout, token_mask=token_mask, shuffle_lines=shuffle_lines,
                    swap_labels=swap_labels, retitle=retitle, log=click.echo)
    res["command"] = _cmdline()
    (out / "config.json").write_text(json.dumps(res, indent=1), encoding="utf-8")
    click.echo(f"{task}: trained in {time.time() - t0:.0f} s -> {out}")


@click.command("eval")
@click.option("--model", "model", required=True, type=click.Path(exists=True, path_type=Path),
              help="a training folder (torch) or an exported zoo folder (ONNX)")
@click.option("--data", "data", multiple=True, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--split", default="test", show_default=True, callback=_split_list((*SPLITS, "all"), ("all",)),
              metavar="SPLIT[,SPLIT...]",
              help="train/validation/test/calibration, an evaluation-only split (fresh, fresh2), or 'all'; "
                   "several comma-separated splits are scored as one pool (two blind sets as one split)")
@click.option("--backend", type=click.Choice(["auto", "torch", "onnx", "onnx-fp32"]), default="auto", show_default=True)
@click.option("--limit", default=None, type=int, help="at most this many documents per folder")
@click.option("--out", "out", default=None, type=click.Path(path_type=Path), help="write the report JSON here")
@click.option("--thresholds-from", "thresholds_from", default=None,
              callback=_split_list((*SPLITS, "all"), ("all",)), metavar="SPLIT[,SPLIT...]",
              help="choose the merge thresholds on this split of --data (as `sohoa export` does) instead "
                   "of taking the model's own; several comma-separated splits are pooled; an "
                   "evaluation-only split only once it has been read (training/README.md)")
def eval_cmd(model, data, split, backend, limit, out, thresholds_from):
    """Evaluate the layout model (and the rules on the same pages) on a labelled folder."""
    from sohoa.training.evaluate import NoDocuments, evaluate, summary

    try:
        rep = evaluate(model, list(data), None if split == ("all",) else split, backend, limit,
                       thresholds_from=thresholds_from)
    except NoDocuments as e:
        raise click.UsageError(f"{e} in --data") from None
    click.echo(summary(rep))
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps(rep, indent=1, ensure_ascii=False, default=str), encoding="utf-8")


def _merge_taken(model_dir: Path) -> dict:
    """The merge thresholds and decoding of an exported model (``--merge-of``)."""
    path = Path(model_dir) / "manifest.json"
    if not path.exists():
        raise click.BadParameter(f"{model_dir} holds no manifest.json", param_hint="--merge-of")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    merge = manifest.get("merge") or {}
    keys = ("override_min_conf", "fill_min_conf", "doc_min_conf", "rules_keep_conf")
    if any(k not in merge for k in keys):
        raise click.BadParameter(f"{path} has no chosen merge thresholds", param_hint="--merge-of")
    return {"version": manifest.get("version", model_dir.name),
            "thresholds": {**{k: merge[k] for k in keys}, "opening_guard": bool(merge.get("opening_guard", False))},
            "decoding": {k: list(merge.get(k, ())) for k in ("join_fields", "snap_fields")}}


@click.command("export")
@click.option("--model", "model", required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path), help="models/zoo/layoutlm/<version>/")
@click.option("--eval-data", "eval_data", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="labelled folder(s): merge thresholds chosen on --thresholds-from, metrics on test, timings")
@click.option("--thresholds-from", "thresholds_from", default="auto", show_default=True,
              callback=_split_list(("auto", "calibration", "validation", *FRESH_SPLITS), ("auto",)),
              metavar="SPLIT[,SPLIT...]",
              help="the split(s) of --eval-data the merge thresholds are chosen on: 'calibration' "
                   "(templates neither the rules nor the model saw; generate with --extra-templates), "
                   "'validation', an evaluation-only split once it has judged (training/README.md), "
                   "several of these comma-separated (their documents pooled), or 'auto': "
                   "calibration when --eval-data holds such documents, else validation")
@click.option("--timing-pages", default=40, show_default=True)
@click.option("--relabel-min-conf", default=0.8, show_default=True, type=float,
              help="block types follow the role head at this confidence (negative: never)")
@click.option("--rules-keep-conf", default=0.9, show_default=True, type=float,
              help="the rules keep their document type at this confidence (a title keyword matched)")
@click.option("--opening-guard/--no-opening-guard", default=True, show_default=True,
              help="a paper with no national motto, number or title keeps the rules' type")
@click.option("--merge-of", "merge_of", default=None, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="an exported model's folder: its merge thresholds and decoding are taken as they are, "
                   "not chosen (--thresholds-from, --rules-keep-conf and --opening-guard are then unused); "
                   "for a model that trains on every set a choice could be made on")
def export_cmd(model, out, eval_data, thresholds_from, timing_pages, relabel_min_conf, rules_keep_conf, opening_guard,
               merge_of):
    """Export to ONNX (+ int8), check against torch, write manifest.json."""
    from sohoa.training.choose import choose_decoding, choose_thresholds
    from sohoa.training.evaluate import (load_documents, open_model, page_timing, pooled_documents,
                                         predict_documents, role_report, score)
    from sohoa.training.export import export
    from sohoa.training.prepare import type_fields

    taken = None
    if merge_of is not None:  # read before the export's minutes: a folder with no merge fails now
        taken = _merge_taken(merge_of)
    if eval_data and taken is None:  # before the export's minutes, fail on data that cannot choose thresholds
        chosen_on = []
        if thresholds_from == ("auto",):
            for split in ("calibration", "validation"):
                chosen_on = [d for p in eval_data for d in load_documents(p, split)]
                if chosen_on:
                    thresholds_from = (split,)
                    break
        else:  # every split asked for must hold documents
            chosen_on, empty = pooled_documents(eval_data, thresholds_from)
            chosen_on = [] if empty else chosen_on
        if not chosen_on:
            wanted = "calibration or validation" if thresholds_from == ("auto",) else " or ".join(empty)
            raise click.UsageError(f"no {wanted} documents in --eval-data to choose the merge thresholds on"
                                   + (" (calibration documents: `sohoa data generate --extra-templates`)"
                                      if "calibration" in wanted else ""))
        thresholds_from = "+".join(thresholds_from)
    manifest = export(model, out, command=_cmdline(), log=click.echo)
    if "rule_tags" in manifest["inputs"]:
        relabel_min_conf = -1  # a stacked model reads the rules' answer on the heuristic's blocks
    # The merge's guard: the model gives a field only on a type whose training papers carry it.
    prepared = Path(json.loads((Path(model) / "config.json").read_text(encoding="utf-8"))["train"]["prepared"])
    fields_by_type = type_fields(prepared)
    if fields_by_type is None:
        click.echo(f"warning: {prepared} is not here; the model's fields are not guarded by document type", err=True)
    manifest["merge"] = {"relabel_min_conf": relabel_min_conf if relabel_min_conf >= 0 else None,
                         "rules_keep_conf": rules_keep_conf, "type_fields": fields_by_type,
                         "opening_guard": opening_guard}
    if taken is not None:
        manifest["merge"].update({**taken["thresholds"], **taken["decoding"]})
        manifest["metrics"] = {"thresholds_from": f"taken from {merge_of} ({taken['version']}), not chosen"}
    (Path(out) / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if eval_data:
        test_docs = [d for p in eval_data for d in load_documents(p, "test")]
        int8 = open_model(out, "onnx")
        if taken is not None:  # the manifest already holds them, so the int8 model decodes with them
            th, decoding = {**taken["thresholds"], "type_fields": fields_by_type}, taken["decoding"]
            chosen = manifest["metrics"]["thresholds_from"]
        else:
            chosen_preds = predict_documents(int8, chosen_on)
            decoding = choose_decoding(int8, chosen_preds)
            th = choose_thresholds(chosen_preds, rules_keep_conf, type_fields=fields_by_type,
                                   opening_guard=opening_guard)
            chosen = f"{thresholds_from} ({len(chosen_on)} documents)"
        manifest["merge"] = {**manifest["merge"], **th, **decoding}
        metrics = {"thresholds_from": chosen, "test_documents": len(test_docs)}
        metrics["test"] = {k: v for k, v in score(predict_documents(int8, test_docs), **th, served_confidence=True).items()
                           if k in ("rules_heuristic_layout", "rules", "model", "merged", "confidence")}
        metrics["test"]["line_roles"] = role_report(int8, test_docs)
        timing_docs = test_docs[: max(1, timing_pages)]
        metrics["ms_per_page"] = {
            name: page_timing(open_model(path, backend), timing_docs)
            for name, path, backend in (("torch", model, "torch"), ("onnx_fp32", out, "onnx-fp32"),
                                        ("onnx_int8", out, "onnx"))}
        manifest["metrics"] = metrics
        (Path(out) / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                                                 encoding="utf-8")
        click.echo(json.dumps({"merge": th, "decoding": decoding,
                               "test": {k: (v.get("doc_type_accuracy"), v.get("strict", {}).get("f1"))
                                        for k, v in metrics["test"].items() if k != "confidence"},
                               "confidence": metrics["test"]["confidence"], "ms_per_page": metrics["ms_per_page"]},
                              indent=1))
    click.echo(f"exported -> {out}")
