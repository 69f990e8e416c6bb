"""A WordPiece tokenizer trained here on Vietnamese text (HF ``tokenizers``).

Corpus: the words of the training pages (generated documents through OCR and their ground-truth
lines), plus every string of the generator's vocabularies (``data/resources/*.yaml``: agencies,
names, places, template prose). NFC, case kept (upper-case headers and titles are a signal),
punctuation and digits split off. Saved as one ``tokenizer.json`` beside the model.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def resource_texts(root: Path | None = None) -> Iterator[str]:
    import yaml

    root = root or Path(__file__).resolve().parents[1] / "data" / "resources"

    def walk(o):
        if isinstance(o, str):
            yield o
        elif isinstance(o, dict):
            for k, v in o.items():
                if isinstance(k, str):
                    yield k
                yield from walk(v)
        elif isinstance(o, list):
            for v in o:
                yield from walk(v)
    for p in sorted(root.glob("*.yaml")):
        try:
            yield from walk(yaml.safe_load(p.read_text(encoding="utf-8")))
        except Exception:  # noqa: BLE001 - a broken resource must not stop training
            continue


def train_tokenizer(texts: Iterable[str], vocab_size: int = 8000, min_frequency: int = 2):
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=64))
    tok.normalizer = normalizers.Sequence([normalizers.NFC()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation("isolated"),
        pre_tokenizers.Digits(individual_digits=False)])
    tok.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, min_frequency=min_frequency,
                                        special_tokens=SPECIALS, show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


def build(page_texts: Iterable[str], out: Path, vocab_size: int = 8000):
    texts = list(page_texts) + list(resource_texts())
    tok = train_tokenizer(texts, vocab_size)
    out.parent.mkdir(parents=True, exist_ok=True)
    tok.save(str(out))
    return tok
