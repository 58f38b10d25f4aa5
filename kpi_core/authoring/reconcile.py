"""A published scorecard's RAGs against the rules (SPEC section 7): every measure whose
published RAG the rules do not give, and the workbook default tolerances that reproduce
the most published RAGs, so the officer knows what to check before trusting the tool.
"""

from __future__ import annotations

from collections.abc import Sequence
import dataclasses
from dataclasses import dataclass

from ..assessing.measure import assess_measure
from ..model import Measure, Settings, Status

#: The grids the reconciliation searches: 0% to 30% in steps of 1%.
TOLERANCE_GRID = tuple(i / 100 for i in range(31))


def status_with(measure: Measure, settings: Settings) -> Status:
    """The status the rules give ``measure`` under ``settings``."""
    return assess_measure(measure, settings).status


@dataclass(frozen=True, slots=True)
class Difference:
    """A measure whose published RAG the rules do not give."""

    ref: str
    name: str
    published: Status
    rules: Status
    reason: str          # the rules' reason line
    hint: str = ""       # what to do about it

    @property
    def text(self) -> str:
        line = f"{self.ref} {self.name}: published {self.published.value}, the rules give " \
               f"{self.rules.value} ({self.reason})"
        return f"{line}; {self.hint}" if self.hint else line


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """Published RAGs against the rules, and the default tolerances that fit them best."""

    compared: int                       # measures with both figures and a published RAG
    reproduced: int                     # of those, how many the chosen settings reproduce
    differences: tuple[Difference, ...]  # every measure (with figures or not) that differs
    tolerance: float                    # the Default Tolerance chosen
    tolerance_range: tuple[float, float]  # every tolerance in it does as well (green fixed)
    green_tolerance: float | None       # the Default Green Tolerance chosen (None: not known)
    default_reproduced: int             # what the defaults (10%, 0) reproduce

    def lines(self) -> list[str]:
        pct = lambda x: f"{x * 100:.0f}%"  # noqa: E731
        out = [f"Published RAG against the rules: {self.reproduced} of {self.compared} "
               "measures with a target and a current position agree."]
        if self.differences:
            out.append("Measures whose published RAG differs from the rules':")
            out += [f"  {d.text}" for d in self.differences]
        low, high = self.tolerance_range
        span = pct(low) if low == high else f"any from {pct(low)} to {pct(high)}"
        green = (f" and Default Green Tolerance {pct(self.green_tolerance)}"
                 if self.green_tolerance is not None else "")
        out.append(f"Tolerances that reproduce the most published RAGs ({self.reproduced} of "
                   f"{self.compared}): Default Tolerance {pct(self.tolerance)}{green} "
                   f"(Default Tolerance {span} does as well); the defaults reproduce "
                   f"{self.default_reproduced}.")
        return out


def _green_supported() -> bool:
    return "default_green_tolerance" in {f.name for f in dataclasses.fields(Settings)}


def _settings(tolerance: float, green: float | None) -> Settings:
    if green is None:
        return Settings(default_tolerance=tolerance)
    return Settings(default_tolerance=tolerance, default_green_tolerance=green)  # type: ignore[call-arg]


def reconcile(measures: Sequence[Measure], published: dict[str, Status],
              grid: Sequence[float] = TOLERANCE_GRID) -> Reconciliation:
    """Every measure whose published RAG the rules do not give, and the default
    tolerances (Tolerance, and Green Tolerance where the rules know it, each on
    ``grid`` with green at most the tolerance) that reproduce the most published RAGs;
    ties go to the setting nearest the defaults (10%, 0)."""
    base = Settings()
    comparable = [m for m in measures if m.ref in published and m.target is not None
                  and m.current is not None and published[m.ref].is_rag]
    greens: Sequence[float | None] = grid if _green_supported() else (None,)

    def score(tolerance: float, green: float | None) -> int:
        settings = _settings(tolerance, green)
        return sum(status_with(m, settings) is published[m.ref] for m in comparable)

    default_green = 0.0 if _green_supported() else None
    default_score = score(base.default_tolerance, default_green)
    best = (default_score, base.default_tolerance, default_green)
    for tolerance in grid:
        for green in greens:
            if green is not None and green > tolerance:
                continue
            s = score(tolerance, green)
            distance = abs(tolerance - base.default_tolerance) + (green or 0.0)
            best_distance = abs(best[1] - base.default_tolerance) + (best[2] or 0.0)
            if s > best[0] or (s == best[0] and distance < best_distance - 1e-12):
                best = (s, tolerance, green)
    reproduced, tolerance, green = best
    same = [t for t in grid if (green is None or green <= t) and score(t, green) == reproduced]
    run = _run_around(same, tolerance, grid)
    chosen = _settings(tolerance, green)
    differences = []
    for m in measures:
        if m.ref not in published:
            continue
        a = assess_measure(m, chosen)
        if a.status is published[m.ref]:
            continue
        hint = ""
        if m.target is None:
            hint = "the published target is missing (the scorecard shows no figure for it): " \
                   "fill in Target"
        elif m.current is None:
            hint = "the published current position is missing: fill in Current"
        elif published[m.ref].is_rag:
            hint = "kept as the officer's RAG Override, with its reason"
        differences.append(Difference(m.ref, m.name, published[m.ref], a.status, a.reason, hint))
    return Reconciliation(len(comparable), reproduced, tuple(differences), tolerance, run,
                          green, default_score)


def _run_around(values: Sequence[float], chosen: float, grid: Sequence[float]
                ) -> tuple[float, float]:
    """The unbroken run of grid values around ``chosen`` that are in ``values``."""
    inside = set(values)
    i = grid.index(chosen) if chosen in grid else 0
    lo = hi = i
    while lo > 0 and grid[lo - 1] in inside:
        lo -= 1
    while hi < len(grid) - 1 and grid[hi + 1] in inside:
        hi += 1
    return (grid[lo], grid[hi]) if chosen in grid else (chosen, chosen)
