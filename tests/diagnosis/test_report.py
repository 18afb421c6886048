"""The diagnosis report: the Sankey chart conserves energy (each node's bands fill it), the MAC
bars follow the curve, and the PDF (read back with pdftotext) and HTML carry every section in
both languages."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.diagnosis.plant import diagnose, parse
from carbonpeak.reference.loader import default_reference
from carbonpeak.reports.diagnosis import diagnosis_html, mac_bars, sankey

from ..conftest import require_binary, require_pdf_rendering

EXAMPLE = Path(str(resources.files("carbonpeak.diagnosis") / "example.yaml"))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("abc"), st.sampled_from("wxyz"), st.floats(0.01, 1e4)),
        min_size=1,
        max_size=12,
    )
)
def test_the_sankey_conserves_energy(flows: list[tuple[str, str, float]]) -> None:
    rows = [{"carrier": c, "equipment": e, "energy_tce": v} for c, e, v in flows]
    left, right, bands = sankey(rows, height=90)
    total = sum(v for _, _, v in flows)
    assert sum(n["value"] for n in left) == pytest.approx(total)
    assert sum(n["value"] for n in right) == pytest.approx(total)
    for side, key, top in ((left, "carrier", "left_top"), (right, "equipment", "right_top")):
        for node in side:
            mine = [b for b in bands if getattr(b, key) == node["label"]]
            assert sum(b.height for b in mine) == pytest.approx(node["height"])
            assert min(getattr(b, top) for b in mine) == pytest.approx(node["top"])
        bottom = max(n["top"] + n["height"] for n in side)
        assert bottom <= 90 + 1e-9


def test_the_mac_bars_follow_the_curve() -> None:
    curve = [
        {
            "measure_id": "a",
            "measure": "a",
            "mac_yuan_per_t": -100.0,
            "abatement_t": 30.0,
            "from_t": 0.0,
            "to_t": 30.0,
        },
        {
            "measure_id": "b",
            "measure": "b",
            "mac_yuan_per_t": 50.0,
            "abatement_t": 10.0,
            "from_t": 30.0,
            "to_t": 40.0,
        },
    ]
    drawn = mac_bars(curve, height=60)
    first, second = drawn["bars"]
    assert first["width"] == pytest.approx(3 * second["width"])
    assert first["height"] == pytest.approx(2 * second["height"])
    assert second["y"] + second["height"] == pytest.approx(drawn["zero"])  # above the line
    assert first["y"] == pytest.approx(drawn["zero"])  # below it
    assert mac_bars([])["bars"] == []


def test_the_report_in_both_languages(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    reference = default_reference()
    result = diagnose(parse(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))), reference)
    html = diagnosis_html(result, reference, "en")
    for section in (
        "Energy flow",
        "Equipment findings",
        "Energy management",
        "Measures",
        "Marginal abatement cost curve",
        "Sources",
        'id="sankey"',
        'id="mac"',
    ):
        assert section in html
    assert html.count("<path") == len(result["energy_flow"])
    require_pdf_rendering()
    pdftotext = require_binary("pdftotext")
    for lang, words in (
        ("zh_CN", ("节能诊断报告", "能流图", "边际减排成本曲线", "数据来源")),
        ("en", ("Energy-conservation diagnosis", "Measures", "GB 18613-2020")),
    ):
        out = tmp_path / f"report-{lang}.pdf"
        code, _, stderr = cli("diagnose", str(EXAMPLE), "--report", str(out), "--lang", lang)
        assert code == 0, stderr
        text = subprocess.run(
            [pdftotext, str(out), "-"], capture_output=True, text=True, check=True
        ).stdout
        for word in words:
            assert word in text
        assert "AMO-Tools-Suite" in text  # a cited source of the calculators
    code, _, _ = cli("diagnose", str(EXAMPLE), "--report", str(tmp_path / "r.docx"))
    assert code == 2 and not (tmp_path / "r.docx").exists()
    code, _, _ = cli("diagnose", str(EXAMPLE), "--report", str(tmp_path / "r.html"), "--lang", "fr")
    assert code == 2 and not (tmp_path / "r.html").exists()
