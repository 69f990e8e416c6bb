"""The one typed document model that every stage fills in and every exporter reads.

Shapes follow ``shared/CONTRACT.md`` ("A result"). Extensions to the contract are additive and
marked as such: ``Line.words``, ``Field.source``, ``Page.stamps`` is not used (stamps are blocks),
``DocumentResult.errors``.
"""
from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field as PydField

BBox = tuple[int, int, int, int]
"""``[x0, y0, x1, y1]`` in pixels of the page as rendered (after rotation), origin top-left."""

BlockType = Literal[
    "agency_header",     # issuing agency (and parent agency) top left
    "national_motto",    # CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc
    "number",            # Số: 123/GP-SYT
    "place_date",        # Hà Nội, ngày 12 tháng 3 năm 2024
    "title",             # GIẤY PHÉP ..., QUYẾT ĐỊNH
    "subject",           # V/v ... / Về việc ...
    "recipients",        # Kính gửi: ...
    "body",
    "form_line",         # labelled form line "Họ và tên: ..."
    "table",
    "signature_block",   # TM./KT. lines, signer title, signer name
    "distribution",      # "Nơi nhận:" list
    "stamp",             # red seal, found by colour
    "photo",
]
BLOCK_TYPES: tuple[str, ...] = BlockType.__args__  # type: ignore[attr-defined]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Word(_Model):
    text: str
    bbox: BBox
    confidence: float = PydField(ge=0.0, le=1.0)


class Line(_Model):
    text: str
    bbox: BBox
    confidence: float = PydField(ge=0.0, le=1.0)
    words: list[Word] = PydField(default_factory=list, description="Extension: words with boxes.")


class Block(_Model):
    type: BlockType
    bbox: BBox
    lines: list[Line] = PydField(default_factory=list)
    confidence: float | None = PydField(default=None, ge=0.0, le=1.0,
                                        description="Extension: confidence of the block role.")


class Page(_Model):
    number: int = PydField(ge=1)
    width: int
    height: int
    dpi: int
    rotation: int = PydField(description="Clockwise degrees applied to the scan: 0, 90, 180 or 270.")
    skew: float = PydField(default=0.0, description="Extension: deskew angle applied, degrees.")
    blocks: list[Block] = PydField(default_factory=list)


class Source(_Model):
    filename: str
    sha256: str
    pages: int


class DocType(_Model):
    label: str
    confidence: float = PydField(ge=0.0, le=1.0)
    scores: dict[str, float] = PydField(default_factory=dict)


class Field(_Model):
    value: str
    text: str
    confidence: float = PydField(ge=0.0, le=1.0)
    page: int = PydField(ge=1)
    bbox: BBox
    source: str = PydField(default="rules",
                           description="Extension: the stage that produced the field (rules, model, reviewer).")


class DocumentResult(_Model):
    id: str
    source: Source
    doc_type: DocType
    fields: dict[str, Field] = PydField(default_factory=dict)
    pages: list[Page] = PydField(default_factory=list)
    text: str = ""
    models: dict[str, str] = PydField(default_factory=dict)
    timings_ms: dict[str, float] = PydField(default_factory=dict)
    warnings: list[str] = PydField(default_factory=list,
                                   description="Extension: non-fatal problems (e.g. a blank page).")

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)


def result_json_schema() -> dict:
    """JSON Schema of a result; committed as ``models/result.schema.json`` and checked by a test."""
    schema = DocumentResult.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "sohoa document result"
    return schema


def dump_schema() -> str:
    return json.dumps(result_json_schema(), indent=2, ensure_ascii=False) + "\n"
