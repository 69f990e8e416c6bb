"""Tiny random layout models (plain and stacked), trained for nothing, exported like real ones."""
from __future__ import annotations

import json

import pytest


def _tiny(root, stacked: bool = False) -> dict:
    import torch
    from sohoa.training.export import export
    from sohoa.training.model import DEFAULT_CONFIG, build
    from sohoa.training.prepare import labels
    from sohoa.training.tokenizer import train_tokenizer

    train_dir = root / "train"
    train_dir.mkdir()
    text = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số: 123/GP-SYT",
            "Hà Nội, ngày 12 tháng 3 năm 2024", "GIẤY PHÉP HOẠT ĐỘNG", "Kính gửi: Sở Y tế", "GIÁM ĐỐC"] * 3
    tok = train_tokenizer(text, vocab_size=300, min_frequency=1)
    tok.save(str(train_dir / "tokenizer.json"))
    lab = labels()
    cfg = {**DEFAULT_CONFIG, "hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2,
           "intermediate_size": 64, "vocab_size": tok.get_vocab_size(), "pad_id": tok.token_to_id("[PAD]"),
           "n_input_roles": len(lab["input_roles"]), "n_doc_types": len(lab["doc_types"]),
           "n_field_labels": len(lab["fields_bio"]), "n_roles": len(lab["roles"])}
    if stacked:
        from sohoa.models.learned.features import n_rule_tags
        cfg["n_rule_tags"] = n_rule_tags(lab["fields"], lab["doc_types"])
    torch.manual_seed(0)
    model = build(cfg)
    torch.save(model.state_dict(), train_dir / "model.pt")
    (train_dir / "config.json").write_text(json.dumps({"model": cfg, "labels": lab, "train": {"prepared": str(root / "none")},
                                                       "calibration": {"doc_type": 1.0, "field": 1.0, "role": 1.0}}))
    zoo = root / "zoo"
    manifest = export(train_dir, zoo / "layoutlm" / "tiny", log=lambda s: None)
    return {"train_dir": train_dir, "zoo": zoo, "dir": zoo / "layoutlm" / "tiny", "manifest": manifest}


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    return _tiny(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="session")
def tiny_stacked_model(tmp_path_factory):
    """The same, reading the rules' answer as a fifth input."""
    return _tiny(tmp_path_factory.mktemp("tiny-stacked"), stacked=True)
