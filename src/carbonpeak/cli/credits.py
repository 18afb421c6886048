"""`carbonpeak credits`: passenger-car dual credits (CAFC and NEV) of a fleet, the industry's
view of a year, the cheapest compliance plan and the credit ledger."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from carbonpeak.cli._kit import (
    Alias,
    JsonOption,
    day,
    fail,
    out,
    placed,
    print_json,
    read_document,
    table,
)
from carbonpeak.errors import N_, Place, Problem

if TYPE_CHECKING:
    import pandas as pd

    from carbonpeak.reference.loader import Reference

app = typer.Typer(
    name="credits",
    help="Passenger-car dual credits: CAFC and NEV credits by the rules of each year. These "
    "commands work on files with the shipped reference tables; the dashboard and the API use "
    "the installation's library in force (its approved editions too).",
    no_args_is_help=True,
)
ALIASES: tuple[Alias, ...] = ()

YearOption = Annotated[int, typer.Option("--year", help="The accounting year.")]


def _fleet(path: Path, year: int, reference: Reference) -> pd.DataFrame:
    """The checked fleet table, which must have rows of `year`."""
    from carbonpeak.io.lake import read_any
    from carbonpeak.policy.dual_credit.fleet import check_fleet

    tidy, problems = check_fleet(read_any(path, "fleet"), reference)
    if problems:
        with placed(path, "fleet"):
            fail(problems)
    if year not in set(tidy["year"]):
        fail(f"--year {year}: {path} has no rows of {year}")
    return tidy


def _pairs(values: list[str] | None, option: str, what: str) -> dict[int, float]:
    """Repeated YEAR=VALUE options as a mapping."""
    found: dict[int, float] = {}
    for text in values or []:
        year_text, _, value_text = text.partition("=")
        try:
            found[int(year_text)] = float(value_text)
        except ValueError:
            fail(f"{option} {text!r} is not YEAR={what}")
    return found


@app.command("compute")
def compute(
    fleet: Annotated[
        Path,
        typer.Argument(
            help="Fleet: enterprise_id, year, model_id, powertrain, curb_mass_kg, seat_rows, "
            "fuel_consumption_l_per_100km, electric_range_km, fuel_cell_power_kw, volume, imported."
        ),
    ],
    year: YearOption,
    enterprises: Annotated[
        Path | None,
        typer.Option("--enterprises", help="enterprise_id, name, affiliate_group (optional)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """CAFC actual, target, compliance value and credits, and NEV credits earned, target and
    balance, of each enterprise in a year, under the rules in force for it."""
    from carbonpeak.io.lake import read_any
    from carbonpeak.policy.dual_credit.compute import compute as compute_credits
    from carbonpeak.reference.loader import default_reference

    reference = default_reference()
    tidy = _fleet(fleet, year, reference)
    names: dict[str, str] = {}
    if enterprises is not None:
        frame = read_any(enterprises, "enterprises")
        if "enterprise_id" in frame.columns and "name" in frame.columns:
            names = dict(
                zip(frame["enterprise_id"].astype(str), frame["name"].astype(str), strict=True)
            )
    results = compute_credits(tidy, reference, [year]).results()
    for result in results:
        result["name"] = names.get(result["enterprise_id"], "")
    if as_json:
        print_json({"enterprises": results})
        return
    columns = [
        "enterprise_id",
        "cafc_actual",
        "cafc_target",
        "cafc_compliance_value",
        "cafc_credits",
        "nev_credits_earned",
        "nev_credits_target",
        "nev_credits",
    ]
    out.print(table(f"Dual credits {year}", columns, [[r[c] for c in columns] for r in results]))


@app.command("industry")
def industry(
    fleet: Annotated[Path, typer.Argument(help="The fleet of every enterprise of the year.")],
    year: YearOption,
    as_json: JsonOption = False,
) -> None:
    """All enterprises of a year: credits by sign, the NEV supply/demand ratio and the credit
    pool's state, beside the official annual results."""
    from carbonpeak.policy.dual_credit.compute import compute as compute_credits
    from carbonpeak.policy.dual_credit.industry import industry as industry_view
    from carbonpeak.reference.loader import default_reference

    reference = default_reference()
    credits = compute_credits(_fleet(fleet, year, reference), reference, [year])
    view = industry_view(credits, year, reference)
    if as_json:
        print_json(view)
        return
    rows = [[m, v, view["official"].get(m, "")] for m, v in view["computed"].items()]
    out.print(table(f"Industry {year}", ["measure", "computed", "official"], rows))
    out.print(f"NEV supply/demand ratio {view['nev_supply_demand_ratio']}; pool: {view['pool']}")


@app.command("plan")
def plan(
    path: Annotated[
        Path,
        typer.Argument(metavar="PLAN", help="The plan (YAML or JSON): lines, bounds, prices."),
    ],
    price: Annotated[
        list[str] | None, typer.Option("--price", help="What-if: YEAR=PRICE to buy NEV credits.")
    ] = None,
    nev_ratio: Annotated[
        list[str] | None, typer.Option("--nev-ratio", help="What-if: YEAR=RATIO of NEV credits.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The cheapest path to compliance over the plan's years (a linear programme on HiGHS):
    volumes by line, NEV credits bought, sold and banked, CAFC credits banked, and the cost."""
    from carbonpeak.policy.dual_credit.planner import plan_from_dict, solve
    from carbonpeak.reference.loader import default_reference

    prices = _pairs(price, "--price", "PRICE")
    ratios = _pairs(nev_ratio, "--nev-ratio", "RATIO")
    data = read_document(path)
    if not isinstance(data, dict):
        fail(
            Problem.of(
                Place(file=str(path)),
                N_("a plan is a mapping (enterprise_id, years, lines, prices)"),
            )
        )
    with placed(path):
        parsed = plan_from_dict(data)
    parsed.buy_price.update(prices)
    if ratios:
        parsed.overrides.setdefault("nev_ratio", {}).update(ratios)
    result = solve(parsed, default_reference())
    if as_json:
        print_json(result)
        return
    columns = [
        "year",
        "buy_nev_credits",
        "sell_nev_credits",
        "bank_nev_credits",
        "bank_cafc_credits",
        "vehicle_cost",
        "credit_cost",
    ]
    out.print(
        table(
            f"Plan of {result['enterprise_id']}",
            columns,
            [[y[c] for c in columns] for y in result["years"]],
        )
    )
    for year in result["years"]:
        out.print(
            f"{year['year']}: " + ", ".join(f"{k} {v:,.0f}" for k, v in year["volumes"].items())
        )
    out.print(f"Total cost {result['total_cost']:,.0f}")


@app.command("ledger")
def ledger(
    entries: Annotated[
        Path,
        typer.Argument(
            help="Entries in date order: day, kind (earn, deficit, transfer, trade, offset, "
            "deposit, withdraw), credit (cafc, nev), vintage, amount, entity, counterparty, "
            "settles, settles_credit, price."
        ),
    ],
    enterprises: Annotated[
        Path | None,
        typer.Option("--enterprises", help="enterprise_id, affiliate_group (for transfers)."),
    ] = None,
    ratio: Annotated[
        list[str] | None,
        typer.Option("--ratio", help="YEAR=RATIO: a year's NEV supply/demand ratio (the pool)."),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Balances as of this day (YYYY-MM-DD).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Replay a ledger of credit entries: refuse what breaks a rule (with the row and the
    reason), then print the balances by entity, type, vintage and origin, and the deficits
    left unsettled after their deadline."""
    from datetime import date

    from carbonpeak.io.lake import read_any
    from carbonpeak.policy.dual_credit.ledger import Ledger, Rules, load_entries
    from carbonpeak.reference.loader import default_reference

    ratios = _pairs(ratio, "--ratio", "RATIO")
    when = day(as_of, "--as-of")
    groups: dict[str, str] = {}
    if enterprises is not None:
        frame = read_any(enterprises, "enterprises")
        if "affiliate_group" in frame.columns:
            groups = {
                str(e).strip(): str(g).strip()
                for e, g in zip(frame["enterprise_id"], frame["affiliate_group"], strict=True)
                if str(g).strip()
            }
    book = Ledger(Rules(default_reference()), groups, ratios)
    problems = load_entries(read_any(entries, "entries"), book)
    if problems:
        with placed(entries, "entries"):
            fail(problems)
    today = when or (book.entries[-1].day if book.entries else date.today())
    balances, unsettled = book.balances(today), book.unsettled(today)
    if as_json:
        print_json(
            {
                "as_of": today.isoformat(),
                "entries": len(book.entries),
                "balances": balances,
                "unsettled": unsettled,
            }
        )
        return
    columns = ["entity", "credit", "vintage", "origin", "credits"]
    out.print(
        table(f"Balances as of {today}", columns, [[r[c] for c in columns] for r in balances])
    )
    for late in unsettled:
        out.print(
            f"- {late['entity']}: {late['owed']} {late['credit']} credits of {late['year']} "
            f"unsettled after {late['deadline']}: {late['consequence']}",
            markup=False,
        )
