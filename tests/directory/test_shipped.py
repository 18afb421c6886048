"""The entries the platform ships (data/editions/0002_directory_2026_12): the first three of
the Ministry of Transport's 交通运输行业节能低碳技术推广目录（2021年度）, each value the one the
catalogue's table prints (PDF p.1), each citing the catalogue."""

from __future__ import annotations

from carbonpeak.directory.catalogue import technologies
from carbonpeak.directory.search import Index
from carbonpeak.reference.loader import default_reference


def test_the_shipped_entries_as_the_catalogue_prints_them() -> None:
    shipped = {t.key: t for t in technologies(default_reference()) if t.catalogue == "mot_2021"}
    assert sorted(shipped) == ["mot_2021:1", "mot_2021:2", "mot_2021:3"]
    buoys, port = shipped["mot_2021:2"], shipped["mot_2021:3"]
    assert buoys.name_zh == "线性低密度聚乙烯滚塑浮标应用技术"
    assert (buoys.figures["energy_saving"], buoys.figures["co2_reduction"]) == (49.43, 93.93)
    assert (port.figures["energy_saving"], port.figures["co2_reduction"]) == (160.8, 361.37)
    bank = shipped["mot_2021:1"]
    assert bank.figures["energy_saving"] is None  # per kilometre in the catalogue: text only
    assert "255.4 tce/公里" in bank.texts["saving_text"]
    for entry in shipped.values():
        assert entry.sector == "航道及港口" and entry.status == "verified"
        assert entry.source_id == "mot_21_tech_catalogue" and "PDF p.1" in entry.note
        assert entry.source.startswith("交通运输行业节能低碳技术推广目录（2021 年度）")


def test_the_shipped_entries_are_found() -> None:
    index = Index(technologies(default_reference()))
    assert [h.technology.key for h in index.search("浮标")] == ["mot_2021:2"]
    assert index.search("港口 能耗")[0].technology.key == "mot_2021:3"
    assert [h.technology.key for h in index.search("buoys")] == ["mot_2021:2"]
