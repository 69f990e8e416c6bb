"""Build ``models/ocr/lexicon/compounds_vi.txt.gz``: adjacent syllable pairs of the Vietnamese
multi-syllable words in the Viet74K word list that the ``underthesea`` wheel carries (Apache-2.0).
Kept: words whose every syllable the syllable model parses (no loanword spellings).

    pip download --no-deps underthesea==9.5.0 -d /tmp/ut && unzip -o /tmp/ut/*.whl 'underthesea/corpus/data/*' -d /tmp/ut
    python -m sohoa.training.recognizer.build_lexicon /tmp/ut/underthesea/corpus/data/Viet74K.txt
"""
from __future__ import annotations

import gzip
import unicodedata
from pathlib import Path

import click

from sohoa.models.ocr.syllables import parse
from sohoa.models.ocr.word_lm import COMPOUNDS

HEADER = ("# Adjacent syllable pairs of Vietnamese multi-syllable words, from the Viet74K word list as\n"
          "# distributed in underthesea 9.5.0 (Apache-2.0); see README.md. One pair per line, NFC, lower case.\n")


@click.command()
@click.argument("word_list", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", type=click.Path(dir_okay=False), default=str(COMPOUNDS), show_default=True)
def main(word_list: str, out: str) -> None:
    pairs: set[tuple[str, str]] = set()
    words = 0
    for line in Path(word_list).read_text(encoding="utf-8").splitlines():
        parts = unicodedata.normalize("NFC", line.strip().lower()).split()
        if len(parts) < 2 or not all(p.isalpha() and parse(p) is not None for p in parts):
            continue
        words += 1
        pairs.update(zip(parts, parts[1:]))
    body = HEADER + "".join(f"{a} {b}\n" for a, b in sorted(pairs))
    with open(out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as f:
        f.write(body.encode("utf-8"))  # mtime=0: the same list gives the same bytes
    click.echo(f"{words} words, {len(pairs)} pairs -> {out}")


if __name__ == "__main__":
    main()
