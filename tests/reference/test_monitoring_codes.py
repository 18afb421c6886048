"""The code lists of the online-monitoring upload protocol and the real-time interval: what
research17.md §2.3 read, every row an unverified secondary transcription with its source."""

from __future__ import annotations

from carbonpeak.reference.loader import default_reference


def test_the_code_lists_as_read() -> None:
    reference = default_reference()
    codes: dict[str, dict[str, str]] = {}
    for row in reference.rows("monitoring_data_codes"):
        codes.setdefault(str(row["field"]), {})[str(row["code"])] = str(row["name_zh"])
        assert row["status"] == "unverified" and "[F2]" in str(row["note"])
        assert str(row["source_id"]).startswith("mon_up_")
    assert codes["statType"] == {"0": "实时", "1": "日", "2": "月", "3": "年"}
    assert codes["scope"] == {
        "1": "全厂",
        "2": "生产工序",
        "3": "生产工序单元",
        "4": "重点耗能设备",
    }
    assert list(codes["inputType"]) == ["1", "2", "3", "4", "5"]
    assert codes["inputType"]["5"] == "手工填报"
    assert list(codes["energyClassCode"]) == [f"{k:02d}" for k in range(1, 11)]
    assert codes["energyClassCode"]["04"] == "非能源类产品"
    assert all(
        "lower confidence" in str(r["note"])
        for r in reference.rows("monitoring_data_codes", field="inputType")
    )


def test_the_real_time_collection_interval() -> None:
    reference = default_reference()
    minutes = [
        reference.lookup("monitoring_parameters", parameter=name)
        for name in (
            "realtime_interval_minutes",
            "realtime_interval_relaxed_minutes",
            "realtime_interval_longest_minutes",
        )
    ]
    assert [v.to("min") for v in minutes] == [15, 30, 60]
    assert {v.provenance.source_id for v in minutes} == {"mon_notes_scale"}
    assert not any(v.verified for v in minutes)


def test_the_coverage_rates_are_the_authority_s() -> None:
    reference = default_reference()
    spec = reference.spec("metering_coverage_requirements")
    assert spec.authority_supplied and spec.temporal
    assert reference.rows("metering_coverage_requirements") == []
    assert [
        s.document_number for s in reference.sources if s.source_id.startswith("dg_gb17167")
    ] == [
        "GB 17167-2006",
        "GB 17167-2025",
    ]
