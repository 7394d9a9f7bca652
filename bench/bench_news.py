"""News bench: the pinyin reading aid on a 5,000-character article (docs/NEWS.md, "Figures").

1. start-up: jieba's dictionary with our words (once per process);
2. cold: annotate a 5,000-character article never seen before (clean inline pinyin,
   segment, read, draw <ruby>), through `ruby_html_cached` with an empty cache entry;
3. cached: the same article again (the Django cache hit a page view gets);
4. anchor, in the same run: pypinyin.lazy_pinyin over the same text (character readings,
   no words, no HTML), so the figures compare across machines.

Default (tiny, for `make test`): 5 cold and 50 cached runs. `--full`: 30 cold, 1,000 cached.
"""

import os
import random
import sys
import time

from _common import machine, percentiles, report, setup_django

FULL = "--full" in sys.argv
COLD_RUNS, CACHED_RUNS = (30, 1000) if FULL else (5, 50)
ARTICLE_CHARS = 5000


def article(seed: int) -> str:
    """About 5,000 characters of policy-style paragraphs from the accuracy corpus, with a
    few inline annotations typed in (as the city's old page had them)."""
    from pathlib import Path

    corpus = Path(__file__).resolve().parent.parent / "tests/news/reading_corpus.tsv"
    sentences = sorted(
        {line.split("\t")[0] for line in corpus.read_text("utf-8").splitlines() if "\t" in line}
    )
    rng = random.Random(seed)
    parts, size = [], 0
    while size < ARTICLE_CHARS:
        paragraph = "".join(rng.sample(sentences, 6))
        if rng.random() < 0.3:
            paragraph = paragraph.replace("兑换", "兑换(duìhuàn)(duìhuàn)", 1)
        parts.append(f"<p>{paragraph}</p>")
        size += len(paragraph)
    return "".join(parts)


def main() -> int:
    setup_django()
    from django.core.cache import cache
    from pypinyin import lazy_pinyin

    from yizhan.news import reading

    started = time.perf_counter()
    reading.tokenizer()
    startup = time.perf_counter() - started

    cold, anchor = [], []
    for run in range(COLD_RUNS):
        html = article(run)
        cache.delete(reading.cache_key("html", html, reading.ALL))
        t = time.perf_counter()
        result, was_cached = reading.ruby_html_cached(html, reading.ALL)
        cold.append(time.perf_counter() - t)
        assert not was_cached and "<ruby" in result
        t = time.perf_counter()
        lazy_pinyin(html)
        anchor.append(time.perf_counter() - t)
    html = article(0)
    reading.ruby_html_cached(html, reading.ALL)
    cached = []
    for _ in range(CACHED_RUNS):
        t = time.perf_counter()
        _result, was_cached = reading.ruby_html_cached(html, reading.ALL)
        cached.append(time.perf_counter() - t)
        assert was_cached
    c, w, a = percentiles(cold), percentiles(cached), percentiles(anchor)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    report(
        f"Pinyin reading aid, {ARTICLE_CHARS:,}-character article ({'full' if FULL else 'tiny'})",
        [
            ("machine", f"{machine()}, load average {load:.2f}"),
            ("start-up (jieba dictionary + our words)", f"{startup * 1000:.0f} ms"),
            ("cold annotation p50 / p99", f"{c['p50_ms']:.1f} / {c['p99_ms']:.1f} ms (n={c['n']})"),
            ("cached p50 / p99", f"{w['p50_ms']:.3f} / {w['p99_ms']:.3f} ms (n={w['n']})"),
            ("anchor: lazy_pinyin p50", f"{a['p50_ms']:.1f} ms"),
            ("cold / anchor", f"{c['p50_ms'] / a['p50_ms']:.1f}x"),
            ("cold / cached", f"{c['p50_ms'] / max(w['p50_ms'], 1e-6):.0f}x"),
        ],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
