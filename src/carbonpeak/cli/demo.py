"""`carbonpeak demo` and `carbonpeak serve`: the synthetic province, and the dashboard with the
REST API. These two are top-level commands: `app` has no name, so its commands join the root."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from carbonpeak.cli._kit import Alias, JsonOption, fail, out, print_json, table

if TYPE_CHECKING:
    from carbonpeak.services.demo import DemoRun

app = typer.Typer()
ALIASES: tuple[Alias, ...] = ()


@app.command("demo")
def demo(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Directory for the generated CSV files.")
    ] = Path("demo-province"),
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same files.")
    ] = 2030,
    enterprises: Annotated[int, typer.Option(help="Number of enterprises.", min=1)] = 1500,
    load: Annotated[
        bool,
        typer.Option(
            "--load",
            help="Also load it into the store (with demo logins) and its meters into the lake.",
        ),
    ] = False,
    plants: Annotated[
        int, typer.Option(help="Plants with a year of 15-minute meter readings.", min=0)
    ] = 12,
    today: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="The demo's day: 2026 monthly reports up to the month before it, budget "
            "alerts as of it (default CARBONPEAK_DEMO_TODAY, else the date in China).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Generate the deterministic synthetic province and print its summary."""
    from carbonpeak.services.demo import make_demo

    made = make_demo(
        out_dir,
        seed=seed,
        enterprises=enterprises,
        plants=plants,
        load=load,
        today=today.date() if today is not None else None,
    )
    if as_json:
        print_json(
            {
                "files": [str(p) for p in made.files],
                "summary": made.province.summary(),
                **made.results,
            }
        )
        return
    _render(made, seed)


def _render(made: DemoRun, seed: int) -> None:
    province, activity, results = made.province, made.activity, made.results
    out.print(
        f"Synthetic province {province.region.name_zh} ({province.region.name_en}), "
        f"seed {seed}: {len(province.enterprises)} enterprises, {len(province.sites)} sites, "
        f"{len(province.units)} production units in {len(province.prefectures)} prefectures; "
        f"{len(activity)} activity rows for {activity['period'].iloc[0]}"
    )
    out.print(
        table(
            "Accounts by sector",
            ["sector", "enterprises", "energy tce", "CO2 t", "CO2e t"],
            [
                [
                    r["sector"],
                    r["enterprises"],
                    f"{r['energy_tce']:,.0f}",
                    f"{r['co2_t']:,.0f}",
                    f"{r['co2e_t']:,.0f}",
                ]
                for r in results["sectors"]
            ],
        )
    )
    out.print(
        table(
            "Grades against the national levels",
            [
                "area",
                "products",
                "benchmark",
                "baseline",
                "below baseline",
                "saving tce",
                "saving tCO2",
            ],
            [
                [
                    r["area"],
                    r["products"],
                    r["benchmark"],
                    r["baseline"],
                    r["below_baseline"],
                    f"{r['saving_potential_tce']:,.0f}",
                    f"{r['saving_potential_co2_t']:,.0f}",
                ]
                for r in results["grades"]
            ],
        )
    )
    out.print(
        table(
            "Diagnoses of the demo plants (plants/*.yaml; carbonpeak diagnose FILE --report R.pdf)",
            ["enterprise", "measures", "tce/a", "tCO2/a", "yuan/a", "investment"],
            [
                [
                    d["enterprise_id"],
                    d["measures"],
                    f"{d['energy_tce']:,.0f}",
                    f"{d['co2_t']:,.0f}",
                    f"{d['cost_saving_yuan']:,.0f}",
                    f"{d['capital_cost_yuan']:,.0f}",
                ]
                for d in results["diagnoses"]
            ],
        )
    )
    out.print(
        table(
            f"Pathways ({made.scenario_path}: scenarios from the accounts, assumed rates)",
            ["scenario", "sector", "peak year", "peak MtCO2", "2030 MtCO2", "P(peak by 2030)"],
            [
                [
                    r["scenario"],
                    r["sector"],
                    r["peak_year"],
                    f"{r['peak_value']:,.1f}",
                    f"{r['value_2030']:,.1f}",
                    "" if r["p_peak_by_2030"] is None else f"{r['p_peak_by_2030']:.0%}",
                ]
                for r in results["pathways"]
                if r["sector"] in ("steel", "cement", "total")
            ],
        )
    )
    out.print("Written: " + ", ".join(str(p) for p in made.files))
    if "loaded" in results:
        loaded = results["loaded"]
        out.print(
            f"Loaded into the store: {loaded['enterprises_added']} enterprises added, "
            f"{loaded['submissions_created']} submissions created; logins "
            + ", ".join(f"{n} / {p}" for n, p in loaded["logins"].items())
        )
        control = loaded["dual_control"]
        out.print(
            f"Carbon dual control as of {control['as_of']}: {control['key_enterprises']} key "
            f"enterprises, {control['reports_created']} monthly reports created, "
            f"{control['budgets_saved']} budgets saved, {control['alerts_raised']} alerts "
            f"raised, project applications waiting for review: {control['applications']}"
        )


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1, max=64)] = 1,
    replay: Annotated[
        Path | None,
        typer.Option(
            "--replay",
            help="The demo's folder: once the server answers, its monitored plants' collectors "
            "send the day after the demo year through the API (one goes silent, one spikes).",
        ),
    ] = None,
) -> None:
    """Serve the dashboard and the REST API (OpenAPI at /docs) on the configured store."""
    import threading

    import uvicorn

    from carbonpeak.services.store import check_schema

    check_schema()
    if replay is not None:
        if not (replay / "activity.csv").is_file():
            fail(f"{replay}: not a demo folder (no activity.csv): run carbonpeak demo --load")

        def send() -> None:
            from carbonpeak.services.demo import replay as run

            done = run(f"http://{host}:{port}", replay)
            out.print(
                f"demo replay: {done['plants']} plants sent {done['batches']} batches of "
                f"{done['day']} ({done['stored']} stored, {done['duplicates']} sent before, "
                f"{done['refused']} refused); {done['silent']} goes silent, "
                f"{done['spiked']} spikes"
            )

        threading.Thread(target=send, name="demo-replay", daemon=True).start()
    out.print(
        f"carbonpeak dashboard on http://{host}:{port}/ , "
        f"API on http://{host}:{port}/api/v1 (docs at /docs)"
    )
    uvicorn.run(
        "carbonpeak.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )
