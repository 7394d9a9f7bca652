"""Measure the reading aid on a word-in-context corpus (tests/news/reading_corpus.tsv):
each pair is a sentence, a word in it and the syllables it must be read with there."""

from dataclasses import dataclass
from pathlib import Path

from yizhan.news import reading


@dataclass(frozen=True)
class Pair:
    sentence: str
    word: str
    expected: tuple[str, ...]
    occurrence: int
    part: str


@dataclass(frozen=True)
class Miss:
    pair: Pair
    got: tuple[str | None, ...]


def load(path: Path) -> list[Pair]:
    pairs, part = [], "A"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# --- part"):
            part = line.split()[-1] if "(" not in line else line.split("part")[1].split()[0]
            continue
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        sentence, word, expected = cols[0], cols[1], tuple(cols[2].split())
        occurrence = int(cols[3]) if len(cols) > 3 else 1
        if len(expected) != len(word) or word not in sentence:
            raise ValueError(f"bad corpus line: {line!r}")
        pairs.append(Pair(sentence, word, expected, occurrence, part.upper()))
    return pairs


def readings_in(sentence: str) -> list[str | None]:
    """One reading per character of the sentence, as the annotator chose it."""
    out: list[str | None] = []
    for word in reading.words(sentence):
        out += list(word.readings) if word.readings else [None] * len(word.text)
    return out


def evaluate(pairs: list[Pair]) -> tuple[int, list[Miss]]:
    misses = []
    for pair in pairs:
        at = -1
        for _ in range(pair.occurrence):
            at = pair.sentence.index(pair.word, at + 1)
        got = tuple(readings_in(pair.sentence)[at : at + len(pair.word)])
        if got != pair.expected:
            misses.append(Miss(pair, got))
    return len(pairs) - len(misses), misses
