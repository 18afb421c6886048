"""`carbonpeak monitoring compact`: the lake's small parts merged (a command of the monitoring
group, kept apart for its size)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carbonpeak.cli._kit import JsonOption, out, print_json


def compact(
    lake: Annotated[Path, typer.Option("--lake", help="The lake folder.")],
    min_parts: Annotated[
        int,
        typer.Option("--min-parts", min=2, help="Merge a month once it has this many parts."),
    ] = 8,
    as_json: JsonOption = False,
) -> None:
    """Merge the lake's small parts (a live feed commits every few seconds) into one part per
    month and one meter registry part; no figure changes, the same file sent again still
    writes nothing, and a crash leaves the lake as it was or compacted."""
    from carbonpeak.io.compaction import compact as run

    done = run(lake, min_parts)
    if as_json:
        print_json(done)
        return
    if not done["replaced"]:
        out.print("nothing to compact")
        return
    out.print(
        f"{done['replaced']} commits ({done['parts_before']} parts) merged into "
        f"{done['parts_after']} parts"
    )
