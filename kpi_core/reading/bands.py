"""Checks of the RAG bands one row gives (SPEC section 4, rule 4's conditions and rule 5).

Pure: the values of a row in, the faults out, each naming the field whose cell is at
fault. :mod:`kpi_core.reading.tables` adds the ``Sheet!Cell``; the Excel functions
(:mod:`kpi_core.assessing.cells`) show the first fault in the cell, so a workbook and
a formula refuse the same bands with the same words.

The checks:

* a Green Tolerance larger than the Tolerance (equal is allowed: with both 0 a
  measure is met or not met, as some councils publish it); not checked against a
  default Tolerance when an Amber Threshold stands in for it;
* an Amber Threshold inside the green band (it must lie at or beyond the green bound);
* a Stretch Target on the wrong side of the target (below it for higher-is-better,
  above it for lower-is-better); on a Within range measure it is ignored (a warning).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Polarity, ToleranceBasis


@dataclass(frozen=True, slots=True)
class BandFault:
    """One fault: the Measure field whose cell is at fault, the message, its severity."""

    field: str
    message: str
    value: float | None = None
    severity: str = "error"


def _g(number: float) -> str:
    return f"{number:g}"


def check_bands(polarity: Polarity, target: float | None, *, tolerance: float,
                green_tolerance: float, basis: ToleranceBasis,
                amber_threshold: float | None = None, stretch_target: float | None = None,
                tolerance_given: bool = True) -> list[BandFault]:
    """The faults of one row's bands; ``tolerance`` and ``green_tolerance`` are the ones
    in force (the row's, else the workbook's). ``tolerance_given`` says whether the row
    gives its own Tolerance.

    >>> check_bands(Polarity.HIGHER, 100, tolerance=0.05, green_tolerance=0.05,
    ...             basis=ToleranceBasis.RELATIVE)
    []
    >>> [f.message for f in check_bands(Polarity.HIGHER, 100, tolerance=0.05,
    ...                                 green_tolerance=0.1, basis=ToleranceBasis.RELATIVE)]
    ['green tolerance 0.1 is larger than the tolerance 0.05: the green band must lie inside the amber band (equal is allowed)']
    >>> [f.field for f in check_bands(Polarity.HIGHER, 100, tolerance=0.1, green_tolerance=0.05,
    ...  basis=ToleranceBasis.RELATIVE, amber_threshold=97)]
    ['amber_threshold']
    """
    faults: list[BandFault] = []
    threshold_stands = amber_threshold is not None and polarity is not Polarity.RANGE
    if green_tolerance > tolerance and (tolerance_given or not threshold_stands):
        faults.append(BandFault(
            "green_tolerance", f"green tolerance {_g(green_tolerance)} is larger than the "
            f"tolerance {_g(tolerance)}: the green band must lie inside the amber band "
            "(equal is allowed)", green_tolerance))
    if target is None:
        return faults
    green = basis.allowance(green_tolerance, target)
    if threshold_stands and green > 0:
        if polarity is Polarity.HIGHER and target - green < amber_threshold <= target:
            faults.append(BandFault(
                "amber_threshold", f"amber threshold {_g(amber_threshold)} lies inside the green "
                f"band (green down to {_g(target - green)}); it must be at or below the green "
                "bound", amber_threshold))
        elif polarity is Polarity.LOWER and target <= amber_threshold < target + green:
            faults.append(BandFault(
                "amber_threshold", f"amber threshold {_g(amber_threshold)} lies inside the green "
                f"band (green up to {_g(target + green)}); it must be at or above the green "
                "bound", amber_threshold))
    if stretch_target is not None:
        if polarity is Polarity.RANGE:
            faults.append(BandFault(
                "stretch_target", "stretch target is ignored for Within range measures: Blue "
                "is for measures where higher or lower is better", stretch_target, "warning"))
        elif polarity is Polarity.HIGHER and stretch_target < target:
            faults.append(BandFault(
                "stretch_target", f"stretch target {_g(stretch_target)} is below the target "
                f"{_g(target)}; for higher-is-better it must be at or above the target",
                stretch_target))
        elif polarity is Polarity.LOWER and stretch_target > target:
            faults.append(BandFault(
                "stretch_target", f"stretch target {_g(stretch_target)} is above the target "
                f"{_g(target)}; for lower-is-better it must be at or below the target",
                stretch_target))
    return faults
