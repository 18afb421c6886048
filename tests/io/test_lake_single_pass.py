"""The ingest's single pass (`io.lake_fast`) against its slow path: files with no problem,
ingested into an empty lake and then continued, give the same lake and meter registry either
way, and do take the single pass; a file the single pass cannot take goes the slow path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbonpeak.errors import InputError
from carbonpeak.io import lake_ingest
from carbonpeak.io.lake import read_meters
from carbonpeak.reference.loader import default_reference

REFERENCE = default_reference()
METERS = pd.DataFrame(
    {
        "meter_id": ["e1", "g1", "g2"],
        "enterprise_id": ["911302007A3K9C2D24"] * 3,
        "carrier": ["electricity", "natural_gas", "natural_gas"],
        "unit": ["kWh", "Nm3", "Nm3"],
        "kind": ["interval", "cumulative", "cumulative"],
        "interval_minutes": ["15", "15", "60"],
    }
)
START = pd.Timestamp("2024-03-31T20:00:00+08:00")
SINGLE_PASS = lake_ingest.single_pass

readings = st.dictionaries(  # one reading a meter and time: a repeated time is the slow path's
    st.tuples(st.sampled_from(["e1", "g1", "g2"]), st.integers(min_value=0, max_value=40)),
    st.one_of(
        st.none(),
        st.sampled_from([0.0, 5.0, 95.0, 99.5, 100.0, 950.0, 999.0, 1000.0]),
        st.floats(min_value=0, max_value=2000, allow_nan=False).map(lambda x: round(x, 3)),
    ),
    min_size=1,
    max_size=60,
)


def _csv(rows: dict[tuple[str, int], float | None], path: Path) -> Path:
    pd.DataFrame(
        {
            "meter_id": [meter for meter, _q in rows],
            "ts": [(START + pd.Timedelta(minutes=15 * q)).isoformat() for _m, q in rows],
            "value": ["" if v is None else repr(v) for v in rows.values()],
        }
    ).to_csv(path, index=False)
    return path


def _lake(lake: Path) -> pd.DataFrame:
    files = sorted((lake / "readings").rglob("part-*.parquet"))
    if not files:  # every counter with a single reading: nothing but the registry
        return pd.DataFrame()
    frame = pd.concat(
        [pd.read_parquet(f).assign(part=str(f.relative_to(lake).parent)) for f in files]
    )
    return frame.sort_values(["meter_id", "ts"]).reset_index(drop=True)


def _ingest(monkeypatch: pytest.MonkeyPatch, path: Path, lake: Path, single: bool) -> list[bool]:
    """Ingest `path`, by the single pass when it can (`single`), else by the slow path alone;
    whether the single pass wrote the files."""
    taken: list[bool] = []

    def spy(*arguments: Any) -> Any:
        found = SINGLE_PASS(*arguments) if single else None
        taken.append(found is not None)
        return found

    monkeypatch.setattr(lake_ingest, "single_pass", spy)
    lake_ingest.ingest(path, METERS, lake, REFERENCE)
    return taken


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=readings, cut=st.integers(min_value=0, max_value=40))
def test_the_single_pass_writes_what_the_slow_path_writes(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    rows: dict[tuple[str, int], float | None],
    cut: int,
) -> None:
    """Blank readings, counters that fall (a reset, or a rollover near a power of ten), a
    month's boundary, a counter's single reading, and a second file continuing each meter
    from the lake's latest reading: the same rows in the same monthly parts, the same
    registry."""
    folder = tmp_path_factory.mktemp("single")
    files = [
        {k: v for k, v in rows.items() if k[1] < cut},
        {k: v for k, v in rows.items() if k[1] >= cut},
    ]
    paths = [_csv(part, folder / f"part{n}.csv") for n, part in enumerate(files) if part]
    # a counter's latest reading blank: the registry cannot say where it continues from, the
    # slow path reads it from the parts
    lasts = {m: v for (m, _q), v in sorted(files[0].items(), key=lambda i: i[0][1])}
    blank_last = any(lasts.get(m, 0.0) is None for m in ("g1", "g2"))
    for number, path in enumerate(paths):
        single = not (blank_last and number == 1)  # number 1: the second file
        assert _ingest(monkeypatch, path, folder / "single", True) == [single]
        assert _ingest(monkeypatch, path, folder / "slow", False) == [False]
    single, slow = _lake(folder / "single"), _lake(folder / "slow")
    pd.testing.assert_frame_equal(single, slow)
    pd.testing.assert_frame_equal(read_meters(folder / "single"), read_meters(folder / "slow"))


def test_files_the_single_pass_cannot_take_go_the_slow_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A problem (placed by row), a repeated time (kept once, counted as a copy), a reading
    within the lake's span (a late counter reading, not counted), the same file again."""
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "meter_id,ts,value\ng1,2024-04-01T00:00:00+08:00,5\ng1,2024-04-01T24:00:00+08:00,6\n"
    )
    with pytest.raises(InputError) as refused:
        _ingest(monkeypatch, bad, tmp_path / "lake", True)
    assert [(p.place.row, p.place.column) for p in refused.value.problems] == [(3, "ts")]
    assert not (tmp_path / "lake" / "readings").exists()
    first = _csv({("g1", 0): 100.0, ("g1", 4): 110.0, ("e1", 0): 2.0}, tmp_path / "first.csv")
    assert _ingest(monkeypatch, first, tmp_path / "lake", True) == [True]
    twice = tmp_path / "twice.csv"
    twice.write_text(
        "meter_id,ts,value\ne1,2024-04-01T00:00:00+08:00,3\ne1,2024-04-01T00:00:00+08:00,4\n"
    )
    assert _ingest(monkeypatch, twice, tmp_path / "lake", True) == [False]
    late = _csv({("g1", 2): 104.0}, tmp_path / "late.csv")
    assert _ingest(monkeypatch, late, tmp_path / "lake", True) == [False]
    assert _ingest(monkeypatch, first, tmp_path / "lake", True) == [False]
    rows = _lake(tmp_path / "lake")
    e1 = rows[rows["meter_id"] == "e1"]
    assert e1["copies"].tolist() == [1, 2] and e1["value"].tolist() == [2.0, 3.0]
    g1 = rows[rows["meter_id"] == "g1"]
    assert g1["counted"].tolist() == [False, True]  # the late reading, then 100 -> 110
    assert g1["value"].tolist()[1] == 10.0
