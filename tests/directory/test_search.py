"""The directory's search on a hand-made corpus: Chinese words of two characters, English in
any case, the names counting more than the rest, BM25 preferring the entry that says a word
more often, filters, and the order of a catalogue without a question."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.directory.catalogue import candidates
from carbonpeak.directory.search import Index, choices, words

from .conftest import entry

CORPUS = [
    entry("miit_a", "10", name_zh="高效电机", name_en="Efficient motor", sector="通用",
          process="电机系统", links="motor", problem_zh="电机效率低，回收余热不足"),
    entry("miit_a", "2", name_zh="余热发电", name_en="Waste heat power", sector="建材",
          process="熟料烧成", links="waste_heat cement_clinker", problem_zh="窑头窑尾废气温度高"),
    entry("miit_b", "1", name_zh="变频调速", name_en="Variable-speed drive", sector="通用",
          process="泵与风机系统", links="pump fan variable_speed_drive",
          problem_zh="泵与风机节流调节，节流损失大；变频调节流量"),
    entry("miit_b", "3", name_zh="窑炉保温", name_en="Kiln insulation", sector="建材",
          process="熟料烧成", links="cement_clinker", problem_zh="窑炉表面散热损失大"),
]  # fmt: skip


def keys(found: list) -> list[str]:
    return [h.technology.key for h in found]


def test_a_two_character_chinese_word_is_found() -> None:
    """余热 is two characters: the trigram tokenizer of FTS5 could not match it."""
    index = Index(CORPUS)
    found = index.search("余热")
    assert set(keys(found)) == {"miit_a:2", "miit_a:10"}
    assert all(h.matched == ("余热",) for h in found)
    assert keys(index.search("变频")) == ["miit_b:1"]
    assert keys(index.search("保温")) == ["miit_b:3"]


def test_a_word_in_the_name_counts_more_than_in_the_text() -> None:
    """余热 is in the name of miit_a:2 and only in the problem of miit_a:10 (both once): the
    name weighs five times the text, so miit_a:2 comes first."""
    assert keys(Index(CORPUS).search("余热")) == ["miit_a:2", "miit_a:10"]


def test_bm25_prefers_the_entry_that_says_the_word_more_often() -> None:
    """Two entries of the same length but for one word: 节流 twice against once."""
    twice = entry("x", "1", name_zh="甲", problem_zh="节流 节流 调节")
    once = entry("x", "2", name_zh="乙", problem_zh="节流 调节 阀门")
    found = Index([once, twice]).search("节流")
    assert keys(found) == ["x:1", "x:2"]
    assert found[0].score < found[1].score < 0  # SQLite's BM25: lower is better


def test_english_words_in_any_case_and_several_words() -> None:
    index = Index(CORPUS)
    assert keys(index.search("MOTOR")) == ["miit_a:10"]
    found = index.search("variable speed drive")
    assert keys(found) == ["miit_b:1"] and set(found[0].matched) == {"variable", "speed", "drive"}


def test_any_word_of_the_question_finds_an_entry_more_words_rank_higher() -> None:
    """窑炉 散热: miit_b:3 holds both, no other holds either."""
    assert keys(Index(CORPUS).search("窑炉 散热")) == ["miit_b:3"]
    found = Index(CORPUS).search("变频 余热")
    assert set(keys(found)) == {"miit_b:1", "miit_a:2", "miit_a:10"}


def test_filters_and_the_catalogue_order_without_a_question() -> None:
    index = Index(CORPUS)
    # entry numbers in their numeric order: 2 before 10
    assert keys(index.search()) == ["miit_a:10", "miit_a:2", "miit_b:1", "miit_b:3"]
    assert keys(index.search(sector="建材")) == ["miit_a:2", "miit_b:3"]
    assert keys(index.search(process="熟料烧成", catalogue="miit_b")) == ["miit_b:3"]
    assert keys(index.search(link="cement_clinker")) == ["miit_a:2", "miit_b:3"]
    assert keys(index.search("余热", sector="通用")) == ["miit_a:10"]
    assert index.search("余热", sector="钢铁") == []
    assert choices(CORPUS)["sector"] == ["建材", "通用"]


def test_a_question_of_punctuation_finds_nothing() -> None:
    assert Index(CORPUS).search("，。！") == []
    assert Index(CORPUS).search('"') == []


def test_candidates_of_a_platform_word() -> None:
    assert [t.key for t in candidates(CORPUS, "pump")] == ["miit_b:1"]
    assert candidates(CORPUS, "boiler") == []


# with FTS5's own syntax ("*()^:-, OR, NEAR), full-width and subscript forms
TEXT = st.text(
    alphabet='余热回收变频电机窑炉 motorheat,，"*()^:-ＯＲ₂', max_size=12
) | st.sampled_from(
    ["OR", "NEAR", "motor OR heat", "NEAR(余热 电机)", "余热*", "name:电机", "^电机", "-电机"]
)


@settings(max_examples=60, deadline=None)
@given(question=TEXT, sector=st.sampled_from([None, "通用", "建材"]))
def test_every_hit_holds_a_word_of_the_question_and_passes_the_filter(
    question: str, sector: str | None
) -> None:
    index = Index(CORPUS)
    asked = set(words(question))
    found = index.search(question, sector=sector)
    everything = index.search(question)
    assert set(keys(found)) <= set(keys(everything))
    for hit in found:
        assert not asked or hit.matched
        assert sector is None or hit.technology.sector == sector
    if not question.strip():
        assert len(everything) == len(CORPUS)


def test_the_index_is_built_once_per_list_of_entries() -> None:
    """Keyed on what the directory's table says, not the whole library's digest: a library
    that differs elsewhere shares the index; callers at the same time get one index; the
    candidates of a word need no full-text index."""
    import threading

    from carbonpeak.reference.loader import default_reference
    from carbonpeak.services import directory as service

    library = default_reference()
    other = library.with_records(
        "gwp", [], [{"source_id": "elsewhere", "title": "t", "url": "https://example.org"}]
    )
    assert other.digest != library.digest
    service._INDEXES.clear()
    assert service.candidates_in(library, ["cement_clinker", "nothing"]) == {}
    assert service._INDEXES == {}  # the candidates read the entries only
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(service.index_of(library)))
               for _ in range(6)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 6 and all(g is got[0] for g in got)
    assert service.index_of(other) is got[0]
    assert len(service._INDEXES) == 1


PIECES = [
    entry("t", "1", name_zh="立磨/辊压机料床终粉磨系统", sector="建材",
          problem_zh="生料与水泥粉磨电耗高"),
    entry("t", "2", name_zh="高炉炉顶均压煤气回收", sector="钢铁", problem_zh="均压放散煤气"),
    entry("t", "3", name_zh="窑炉保温", name_en="Kiln insulation and repair", sector="建材",
          problem_zh="减少CO2排放"),
    entry("t", "4", name_zh="余热发电", name_en="Waste heat power", sector="建材",
          problem_zh="电机与余热"),
]  # fmt: skip


def test_a_word_jieba_does_not_know_is_found_by_its_pieces() -> None:
    """辊压 is cut into 辊 and 压: looked for as 辊压, the roller press comes first, not the
    entry that only holds 压 (均压)."""
    assert keys(Index(PIECES).search("辊压"))[0] == "t:1"


def test_english_stop_words_match_nothing() -> None:
    index = Index(PIECES)
    assert keys(index.search("and")) == [] and keys(index.search("or the of")) == []
    assert set(keys(index.search("kiln and power"))) == {"t:3", "t:4"}
    assert "t:1" not in keys(index.search("余热 or 电机"))


@pytest.mark.parametrize("question", ["CO2", "ＣＯ２", "co₂", "ｃｏ2"])
def test_full_width_and_subscript_forms_are_the_same_word(question: str) -> None:
    assert keys(Index(PIECES).search(question)) == ["t:3"]


def test_entries_holding_every_word_come_first() -> None:
    """余热 电机: the entry holding both comes before one holding 余热 in its name five times
    over (BM25 alone would put the name first)."""
    corpus = [
        entry("u", "1", name_zh="余热余热余热", sector="建材"),
        entry("u", "2", name_zh="发电", sector="建材", problem_zh="电机的余热"),
    ]
    assert keys(Index(corpus).search("余热 电机")) == ["u:2", "u:1"]
