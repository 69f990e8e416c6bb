"""The layout model in torch: a small ``LayoutLMModel`` built from a config (no hub weights) with
three heads on one shared encoder: document type ([CLS]), field BIO tags and line role (tokens).

With ``n_rule_tags`` in the config the model is *stacked*: a fifth input, ``rule_tags`` (the
rules' field per token, their document type at [CLS]; ``models.learned.features``), is embedded
and added to the token embeddings.
"""
from __future__ import annotations

import torch
from torch import nn

DEFAULT_CONFIG = {
    "hidden_size": 256, "num_hidden_layers": 4, "num_attention_heads": 4, "intermediate_size": 512,
    "max_len": 512, "stride": 128, "dropout": 0.1,
}


class LayoutMultiHead(nn.Module):
    def __init__(self, cfg: dict):
        super().__init__()
        from transformers import LayoutLMConfig, LayoutLMModel

        self.cfg = dict(cfg)
        config = LayoutLMConfig(
            vocab_size=cfg["vocab_size"], hidden_size=cfg["hidden_size"],
            num_hidden_layers=cfg["num_hidden_layers"], num_attention_heads=cfg["num_attention_heads"],
            intermediate_size=cfg["intermediate_size"], max_position_embeddings=cfg["max_len"],
            max_2d_position_embeddings=1024, type_vocab_size=cfg["n_input_roles"] + 1,
            hidden_dropout_prob=cfg.get("dropout", 0.1), attention_probs_dropout_prob=cfg.get("dropout", 0.1),
            pad_token_id=cfg.get("pad_id", 0))
        config._attn_implementation = "eager"  # exports cleanly to ONNX; as fast at this size
        self.encoder = LayoutLMModel(config)
        h = cfg["hidden_size"]
        self.drop = nn.Dropout(cfg.get("dropout", 0.1))
        # Document type from [CLS], and (when configured) the mean of the title's tokens: the title
        # names the type, and held-out layouts must not drown it.
        self.title_type_id = cfg.get("title_type_id")
        d_in = 2 * h if self.title_type_id is not None else h
        self.doc_head = nn.Sequential(nn.Linear(d_in, h), nn.Tanh(), nn.Linear(h, cfg["n_doc_types"]))
        self.field_head = nn.Linear(h, cfg["n_field_labels"])
        self.role_head = nn.Linear(h, cfg["n_roles"])
        self.stacked = bool(cfg.get("n_rule_tags"))
        if self.stacked:
            self.rule_embeddings = nn.Embedding(cfg["n_rule_tags"], h)
            nn.init.normal_(self.rule_embeddings.weight, std=0.02)

    def forward(self, input_ids, bbox, token_type_ids, attention_mask, rule_tags=None):
        if self.stacked:
            if rule_tags is None:
                rule_tags = torch.zeros_like(input_ids)
            embeds = self.encoder.embeddings.word_embeddings(input_ids) + self.rule_embeddings(rule_tags)
            out = self.encoder(inputs_embeds=embeds, bbox=bbox, attention_mask=attention_mask,
                               token_type_ids=token_type_ids)
        else:
            out = self.encoder(input_ids=input_ids, bbox=bbox, attention_mask=attention_mask,
                               token_type_ids=token_type_ids)
        seq = self.drop(out.last_hidden_state)
        doc_in = seq[:, 0]
        if self.title_type_id is not None:
            m = (token_type_ids == self.title_type_id).unsqueeze(-1).to(seq.dtype)
            pooled = (seq * m).sum(1) / m.sum(1).clamp(min=1.0)
            doc_in = torch.cat([doc_in, pooled], dim=-1)
        return self.doc_head(doc_in), self.field_head(seq), self.role_head(seq)


def build(cfg: dict) -> LayoutMultiHead:
    return LayoutMultiHead(cfg)


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def load(model_dir, map_location="cpu") -> LayoutMultiHead:
    import json
    from pathlib import Path

    d = Path(model_dir)
    cfg = json.loads((d / "config.json").read_text(encoding="utf-8"))
    model = build(cfg["model"])
    model.load_state_dict(torch.load(d / "model.pt", map_location=map_location, weights_only=True))
    model.eval()
    return model
