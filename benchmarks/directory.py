"""Technology directory (issue 23): building the search index of a catalogue of N entries and
answering a question, with the ratio to a hand-written DuckDB scan of the same texts.

Synthetic entries, labelled as such: the demo's illustrative catalogue (10 entries,
`demo/directory.csv`) repeated with a number in each entry's name until there are --entries
of them (the published MIIT catalogues hold a few hundred entries an edition). Timed (best of
--repeat):

- `index`: `directory.search.Index(entries)`: jieba's words of every entry into an in-memory
  SQLite FTS5 table (the first build also loads jieba's dictionary, timed apart as `jieba`);
- `search`: three questions (a two-character Chinese word, a Chinese phrase, English words),
  each answered with BM25 ranking;
- `duckdb`: the same questions as a DuckDB `ILIKE '%word%'` scan over the entries' joined
  texts, any word (no ranking, no word boundaries: the floor a search must come near).

Peak resident memory of the process.

Run: PYTHONPATH=src .venv/bin/python benchmarks/directory.py [--entries N] [--repeat R]
"""

from __future__ import annotations

import argparse
import platform
import resource
import time
from dataclasses import replace

import duckdb
import pandas as pd
from _timing import best  # benchmarks run as scripts: their folder is on the path

from carbonpeak.demo.directory import catalogue_rows
from carbonpeak.directory.catalogue import TEXT_COLUMNS, Technology
from carbonpeak.directory.search import Index

QUESTIONS = ("余热", "变频调速 风机", "waste heat recovery")


# the demo catalogue's columns, as the entries' texts
COLUMNS = {"技术名称": "name_zh", "英文名称": "name_en", "工序": "process",
           "适用范围": "problem_zh", "英文适用范围": "problem_en", "技术原理": "principle_zh",
           "节能效果": "saving_text", "技术成熟度": "maturity"}  # fmt: skip


def demo_entries() -> list[Technology]:
    """The demo's illustrative catalogue's entries (its sector headings kept as the sector)."""
    header, rows = catalogue_rows()
    made, sector = [], ""
    for row in rows:
        if not row[0].isdigit():
            sector = row[0].split("、", 1)[-1]
            continue
        cells = dict(zip(header, row, strict=False))
        texts = {c: "" for c in TEXT_COLUMNS} | {v: cells.get(k, "") for k, v in COLUMNS.items()}
        made.append(
            Technology(
                catalogue="bench",
                entry_no=row[0],
                texts=texts | {"sector": sector},
                figures={},
                links=tuple(cells.get("平台关联", "").split()),
                source_id="bench",
                source="synthetic",
                source_url="",
                status="unverified",
                note="synthetic",
            )
        )
    return made


def build(entries: int) -> list[Technology]:
    base = demo_entries()
    made = []
    for i in range(entries):
        entry = base[i % len(base)]
        texts = dict(entry.texts)
        texts["name_zh"] = f"{texts['name_zh']}{i}"
        texts["name_en"] = f"{texts['name_en']} {i}"
        made.append(replace(entry, entry_no=str(i + 1), texts=texts))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    entries = build(args.entries)
    start = time.perf_counter()
    Index(entries[:1])  # jieba's dictionary, once a process
    first = time.perf_counter() - start
    t_index, index = best(lambda: Index(entries), args.repeat)
    assert isinstance(index, Index)
    t_search, hits = best(lambda: [index.search(q) for q in QUESTIONS], args.repeat)
    texts = pd.DataFrame(
        {
            "i": range(len(entries)),
            "text": [" ".join(e.texts.values()) for e in entries],
        }
    )
    db = duckdb.connect()
    db.register("entries", texts)

    def scan() -> list[int]:
        found = []
        for q in QUESTIONS:
            words = q.split()
            where = " OR ".join("text ILIKE ?" for _ in words)
            found.append(
                len(
                    db.execute(
                        f"SELECT i FROM entries WHERE {where}", [f"%{w}%" for w in words]
                    ).fetchall()
                )
            )
        return found

    t_scan, counts = best(scan, args.repeat)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {platform.machine()}, {platform.processor() or platform.platform()}")
    print(f"entries: {len(entries)} (synthetic: the demo's illustrative catalogue repeated)")
    print(f"jieba dictionary and a one-entry index: {first:.2f} s")
    print(f"index of {len(entries)} entries: {t_index:.2f} s")
    found = [len(h) for h in hits]  # type: ignore[union-attr]
    print(f"search, {len(QUESTIONS)} questions: {t_search * 1000:.1f} ms (found {found})")
    print(f"duckdb ILIKE scan, same questions: {t_scan * 1000:.1f} ms (found {counts})")
    print(f"search / scan: {t_search / t_scan:.2f}")
    print(f"peak resident memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
