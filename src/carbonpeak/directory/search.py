"""Full-text search of the directory in Chinese and English.

Chinese has no spaces between words, so the text is cut into words by jieba (its search mode,
which also gives the shorter words inside a long one: 余热回收发电 gives 余热, 回收, 发电), the
same way for the entries and for the question; English words are kept as they are, in lower
case. The words go into an in-memory SQLite FTS5 table (its `unicode61` tokenizer then only
splits at the spaces and punctuation between them), which ranks the entries that hold any word
of the question by BM25, the name counting five times the rest of the text. FTS5's own
trigram tokenizer is not used: it cannot match a two-character Chinese word such as 余热.

Both sides are NFKC-normalised first (full-width ＣＯ２ and co₂ are CO2). A question's English
stop words (or, and, the, ...) are dropped, and so are its single characters when it has longer
words. A run of Chinese that jieba only cuts into single characters (a word it does not know,
辊压) is looked for as its two-character pieces, which the index keeps for every entry. The
entries holding every word of the question come first, then those holding some, each by BM25.
The entries' names are added to jieba's words when an index is built.

Filters (sector, process, catalogue, link) keep the entries equal to them; without a question
the filtered entries come in catalogue order."""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import jieba

from carbonpeak.directory.catalogue import TEXT_COLUMNS, Technology

jieba.setLogLevel(logging.WARNING)
NAME_WEIGHT = 5.0  # BM25 weight of the names against the rest of an entry's text (1)
_WORD = re.compile(r"\w", re.UNICODE)
_HAN = re.compile(r"[\u3400-\u9fff]+")
# English words that say nothing of a technology: a question's "or", "and" would match all
STOP_WORDS = frozenset(("a", "an", "and", "are", "as", "at", "be", "by", "for", "from",
                        "in", "into", "is", "it", "of", "on", "or", "the", "to", "with",
                        "without"))  # fmt: skip
_JIEBA = threading.Lock()  # jieba's dictionary: loaded once, words added while nobody cuts
_READY: list[bool] = []


def _ready() -> None:
    """jieba's dictionary loaded, once (under `_JIEBA`)."""
    if not _READY:
        jieba.initialize()
        _READY.append(True)


def words(text: str) -> list[str]:
    """The words of a text as the index keeps them: jieba's search-mode cut, lower case, no
    spaces or punctuation."""
    with _JIEBA:
        _ready()
        cut = list(jieba.cut_for_search(unicodedata.normalize("NFKC", text)))
    return [w.lower() for w in (c.strip() for c in cut) if w and _WORD.search(w)]


def pairs(text: str) -> list[str]:
    """The two-character pieces of every run of Chinese in a text (NFKC)."""
    runs = _HAN.findall(unicodedata.normalize("NFKC", text))
    return [run[i : i + 2] for run in runs for i in range(len(run) - 1)]


def question_terms(question: str) -> tuple[list[str], list[str]]:
    """The words a question looks for (any of them) and those an entry must all hold to come
    first: its words without English stop words, without single characters when it has
    longer words; a run of single Chinese characters (a word jieba does not know) as its
    two-character pieces."""
    cut = [w for w in dict.fromkeys(words(question)) if w not in STOP_WORDS]
    longer = [w for w in cut if len(w) > 1]
    singles = [w for w in cut if len(w) == 1]
    unknown = [p for p in pairs(question) if all(c in singles for c in p)] if singles else []
    required = list(dict.fromkeys(longer + unknown)) or singles
    return list(dict.fromkeys(required + (singles if not longer else []))), required


def _add_words(names: Iterable[str]) -> None:
    """The entries' names as jieba's words (their runs of Chinese of two characters or more),
    so that a question naming an entry finds it whole."""
    with _JIEBA:
        _ready()
        for name in names:
            for run in _HAN.findall(unicodedata.normalize("NFKC", name)):
                if len(run) > 1 and not jieba.dt.FREQ.get(run):
                    jieba.add_word(run)


@dataclass(frozen=True)
class Hit:
    """An entry found, with its BM25 score (lower is better, as SQLite gives it; 0 without a
    question) and the question's words it holds."""

    technology: Technology
    score: float
    matched: tuple[str, ...]


class Index:
    """The entries' words in an in-memory FTS5 table, built once for a list of entries."""

    def __init__(self, entries: Sequence[Technology]) -> None:
        self.entries = list(entries)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE entries USING fts5(name, body, grams, tokenize='unicode61')"
        )
        _add_words(e.name_zh for e in self.entries)
        self._words: list[set[str]] = []
        rows = []
        for i, entry in enumerate(self.entries):
            name = words(f"{entry.name_zh} {entry.name_en}")
            text = " ".join(entry.texts[c] for c in TEXT_COLUMNS if c not in ("name_zh", "name_en"))
            body = words(text + " " + " ".join(entry.links))
            grams = pairs(f"{entry.name_zh} {text}")
            self._words.append(set(name) | set(body) | set(grams))
            rows.append((i + 1, " ".join(name), " ".join(body), " ".join(grams)))
        self._db.executemany(
            "INSERT INTO entries(rowid, name, body, grams) VALUES (?, ?, ?, ?)", rows
        )

    def search(
        self,
        question: str = "",
        *,
        sector: str | None = None,
        process: str | None = None,
        catalogue: str | None = None,
        link: str | None = None,
        limit: int | None = None,
    ) -> list[Hit]:
        """The entries that hold any word of `question` (all entries without one), those
        holding every word first, each part best first, kept by the filters given."""
        asked, required = question_terms(question)
        if asked:
            match = " OR ".join('"' + w.replace('"', '""') + '"' for w in asked)
            with self._lock:
                found = self._db.execute(
                    "SELECT rowid, bm25(entries, ?, 1.0, 1.0) FROM entries "
                    "WHERE entries MATCH ? ORDER BY bm25(entries, ?, 1.0, 1.0), rowid",
                    (NAME_WEIGHT, match, NAME_WEIGHT),
                ).fetchall()
            ranked = [(int(rowid) - 1, float(score)) for rowid, score in found]
            ranked.sort(key=lambda r: not set(required) <= self._words[r[0]])  # stable
        elif question.strip():
            ranked = []  # only punctuation or spaces: no word to look for
        else:
            ranked = [(i, 0.0) for i in range(len(self.entries))]
        hits = []
        for i, score in ranked:
            entry = self.entries[i]
            if _kept(entry, sector, process, catalogue, link):
                matched = tuple(w for w in asked if w in self._words[i])
                hits.append(Hit(entry, score, matched))
        return hits[:limit] if limit is not None else hits


def _kept(
    entry: Technology,
    sector: str | None,
    process: str | None,
    catalogue: str | None,
    link: str | None,
) -> bool:
    return (
        (not sector or entry.sector == sector)
        and (not process or entry.process == process)
        and (not catalogue or entry.catalogue == catalogue)
        and (not link or link in entry.links)
    )


def choices(entries: Iterable[Technology]) -> dict[str, list[str]]:
    """The values the filters can take, each sorted: sectors, processes, catalogues, links."""
    listed = list(entries)
    return {
        "sector": sorted({t.sector for t in listed if t.sector}),
        "process": sorted({t.process for t in listed if t.process}),
        "catalogue": sorted({t.catalogue for t in listed}),
        "link": sorted({w for t in listed for w in t.links}),
    }
