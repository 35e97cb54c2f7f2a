"""A year's published figures: reading a target file, checking it, and comparing derived tables with it.

A target file (``reporting/targets/*.json``) holds the tables as published, totals included, keyed like
:meth:`reporting.statistics.AnnualReport.raw_values` (``table -> row -> column -> number``; ``null`` for a
"-"). The generator builds histories from the *cells*; the totals are checked, never generated, so a
published total that is not the sum of its cells shows up as a cell the generator cannot honour.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reporting.statistics import AnnualReport

TARGETS_DIR = Path(__file__).resolve().parent.parent / "targets"
CATS = (1, 2, 3)


@dataclass
class Unhonoured:
    """A published cell the derived tables cannot show, and why."""

    cell: str  # "table.row.column"
    published: int | None
    derived: int | None
    reason: str

    def __str__(self) -> str:
        return f"{self.cell}: published {self.published}, derived {self.derived}: {self.reason}"


@dataclass
class YearFigures:
    """What the generator builds one reporting year from (cells only; totals follow)."""

    snapshot: dict[tuple[int, int], int]  # (category, level) -> individuals on 31 March
    yearly: dict[tuple[int, int], int]  # (category, level 2/3) -> individuals
    returns_licence: dict[tuple[int, int], int]  # (category, level) -> returns
    returns_shpo: dict[tuple[int, int], int]
    cautioned: int = 0
    convicted: int = 0
    lifetime_revoked: int = 0
    shpo: int = 0
    shpo_foreign_travel: int = 0
    notification_order: int = 0
    sro_breach: int = 0
    problems: list[Unhonoured] = field(default_factory=list)

    def copy(self) -> YearFigures:
        return YearFigures(
            dict(self.snapshot),
            dict(self.yearly),
            dict(self.returns_licence),
            dict(self.returns_shpo),
            self.cautioned,
            self.convicted,
            self.lifetime_revoked,
            self.shpo,
            self.shpo_foreign_travel,
            self.notification_order,
            self.sro_breach,
            list(self.problems),
        )


def load_target(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if not path.exists() and not path.is_absolute():
        path = TARGETS_DIR / path
    with path.open(encoding="utf-8") as handle:
        target = json.load(handle)
    for key in ("area", "year", "tables"):
        if key not in target:
            raise ValueError(f"{path}: the target has no '{key}'")
    return target


def _n(value: Any) -> int:
    return int(value or 0)


def figures_from_target(target: dict[str, Any]) -> YearFigures:
    """The cells of a published year, then what cannot be built as published (with reasons)."""
    t = target["tables"]
    snapshot = {(c, lv): _n(t["snapshot"][f"level_{lv}"].get(f"category_{c}")) for c in CATS for lv in (1, 2, 3)}
    yearly = {(c, lv): _n(t["level_2_3_yearly"][f"level_{lv}"].get(f"category_{c}")) for c in CATS for lv in (2, 3)}
    returns_licence = {
        (c, lv): _n(t["returns_licence"][f"level_{lv}"].get(f"category_{c}")) for c in CATS for lv in (2, 3)
    }
    returns_shpo: dict[tuple[int, int], int] = {}
    for lv in (2, 3):
        row = t["returns_shpo"][f"level_{lv}"]
        if any(f"category_{c}" in row for c in CATS):
            for c in CATS:
                returns_shpo[(c, lv)] = _n(row.get(f"category_{c}"))
        else:  # the 2024/25 layout gives the level only: an SHPO is a Category 1 order
            returns_shpo[(1, lv)] = _n(row.get("number"))
    breaches = t["notification_breaches"]
    if "cautioned_or_convicted" in breaches:  # 2021/22 published one combined row
        cautioned, convicted = _n(breaches["cautioned_or_convicted"]["number"]), 0
    else:
        cautioned, convicted = _n(breaches["cautioned"]["number"]), _n(breaches["convicted"]["number"])
    orders = t["restrictive_orders"]
    figures = YearFigures(
        snapshot,
        yearly,
        returns_licence,
        returns_shpo,
        cautioned=cautioned,
        convicted=convicted,
        lifetime_revoked=_n(t["lifetime_revoked"]["revoked"]["number"]),
        shpo=_n(orders["shpo"]["number"]),
        shpo_foreign_travel=_n(orders["shpo_foreign_travel"]["number"]),
        notification_order=_n(orders["notification_order"]["number"]),
        sro_breach=_n(t["sro_breach"]["individuals"]["number"]),
    )
    for table_key, rows in t.items():
        for row_key, columns in rows.items():
            cells = {k: v for k, v in columns.items() if k.startswith("category_") and v is not None}
            for column in ("total", "number"):
                if row_key != "total" and cells and column in columns and sum(cells.values()) != columns[column]:
                    figures.problems.append(
                        Unhonoured(
                            f"{table_key}.{row_key}.{column}",
                            columns[column],
                            sum(cells.values()),
                            f"the published total {columns[column]} is not the sum of its published cells "
                            f"({' + '.join(str(v) for v in cells.values())} = {sum(cells.values())}); the tables are "
                            "derived from the cells, so the total is their sum",
                        )
                    )
    make_feasible(figures)
    return figures


def make_feasible(f: YearFigures) -> None:
    """Change the cells no history can produce under the definitions, recording each change and why."""
    for c in CATS:
        for lv in (2, 3):
            if f.snapshot[(c, lv)] > f.yearly[(c, lv)]:
                f.problems.append(
                    Unhonoured(
                        f"level_2_3_yearly.level_{lv}.category_{c}",
                        f.yearly[(c, lv)],
                        f.snapshot[(c, lv)],
                        f"{f.snapshot[(c, lv)]} Category {c} individuals were at Level {lv} on 31 March, so at "
                        f"least that many were at Level {lv} in the year",
                    )
                )
                f.yearly[(c, lv)] = f.snapshot[(c, lv)]
    for kind, returns in (("returns_licence", f.returns_licence), ("returns_shpo", f.returns_shpo)):
        for (c, lv), n in list(returns.items()):
            # A return at (category, level) needs someone held at that level and category before it; that
            # person is counted in the yearly table at that level (Level 2 people may have gone on to Level 3).
            holders = f.yearly[(c, lv)] + (f.yearly[(c, 3)] if lv == 2 else 0)
            if n and not holders:
                column = f"category_{c}" if kind == "returns_licence" else "number"
                f.problems.append(
                    Unhonoured(
                        f"{kind}.level_{lv}.{column}",
                        n,
                        0,
                        f"{n} Category {c} returns at Level {lv}, but the yearly total has no Category {c} "
                        f"individual at Level {lv}{' or 3' if lv == 2 else ''}: a return is counted at the level "
                        "held the day before it, so someone must have been at that level in the year. The "
                        "generator keeps the yearly total and generates no such return (it does not invent "
                        "category changes at Level 3 to reconcile the two).",
                    )
                )
                returns[(c, lv)] = 0
    if f.shpo_foreign_travel > f.shpo:
        f.problems.append(
            Unhonoured(
                "restrictive_orders.shpo_foreign_travel.number",
                f.shpo_foreign_travel,
                f.shpo,
                "more SHPOs with a foreign travel restriction than SHPOs",
            )
        )
        f.shpo_foreign_travel = f.shpo


def compare(target: dict[str, Any], report: AnnualReport, problems: list[Unhonoured] | None = None) -> list[Unhonoured]:
    """Every published cell that differs from the derived report, with the reason when known."""
    known = {p.cell: p.reason for p in problems or []}
    derived = report.raw_values()
    out: list[Unhonoured] = []
    for table_key, rows in target["tables"].items():
        for row_key, columns in rows.items():
            for column, published in columns.items():
                if table_key == "notification_breaches" and row_key == "cautioned_or_convicted":
                    value: int | None = (derived["notification_breaches.cautioned.number"] or 0) + (
                        derived["notification_breaches.convicted.number"] or 0
                    )
                else:
                    cell = f"{table_key}.{row_key}.{column}"
                    if cell not in derived:
                        continue  # a published breakdown the 2024/25 tables do not show (checked as totals below)
                    value = derived[cell]
                cell = f"{table_key}.{row_key}.{column}"
                if (published or 0) != (value or 0):
                    reason = known.get(cell) or _follows_from(known, table_key, row_key, column)
                    out.append(
                        Unhonoured(cell, published, value, reason or _total_reason(target, table_key, row_key, column))
                    )
    return out


def _follows_from(known: dict[str, str], table_key: str, row_key: str, column: str) -> str:
    """For a total: the unhonoured cells it sums, if any."""
    if column not in ("total", "number") and row_key != "total":
        return ""
    sources = []
    for cell in known:
        table, row, col = [*cell.split("."), "", ""][:3]
        if table != table_key or row == "total" or col in ("total",):
            continue
        if (
            (row_key == "total" and column in ("total", "number"))
            or (row_key == "total" and col == column)
            or row == row_key
        ):
            sources.append(cell)
    if not sources:
        return ""
    return "a total that includes " + ", ".join(sources) + ", which cannot be honoured (see above)"


def _total_reason(target: dict[str, Any], table_key: str, row_key: str, column: str) -> str:
    rows = target["tables"][table_key]
    if column in ("total", "number") and row_key != "total":
        cells = {k: v for k, v in rows[row_key].items() if k.startswith("category_") and v is not None}
        if cells and sum(cells.values()) != rows[row_key][column]:
            return (
                f"the published total {rows[row_key][column]} is not the sum of its published cells "
                f"({' + '.join(str(v) for v in cells.values())} = {sum(cells.values())}); the tables are derived "
                "from the cells, so the total is their sum"
            )
    if row_key == "total":
        return "a total of cells that could not be honoured, or a published total that is not the sum of its cells"
    return "not reproduced by the generated history"
