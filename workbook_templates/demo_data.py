"""A FICTIONAL demonstration workbook: Fernmoor District Council, a council that does
not exist, with made-up measures in four portfolios and eight quarters of History.

Nothing here is real data. It shows what the reference sample cannot (the reference
scorecard has one period only): direction of travel short and long, RAG movement,
trend sparklines, monthly and annual measures beside quarterly ones, the officers
who own the measures (for the quarterly returns), a published status in History, a gap in a series, measures with no history at all, a Blue measure
beyond its stretch target and an officer's RAG override.
The figures are a seeded random walk, so the workbook is the same on every build.
"""

from __future__ import annotations

import random

AUTHORITY = "Fernmoor District Council (fictional demonstration data)"
PERIOD = "Q2 2016/17"
TITLE = f"{AUTHORITY}, performance workbook, {PERIOD}"
SETTINGS = {"Authority": AUTHORITY, "Period": PERIOD, "Default Tolerance": 0.1}

#: The eight quarters before the current one, oldest first.
QUARTERS = [f"Q{q} {y}/{(y + 1) % 100:02d}" for y, q in
            [(2014, 2), (2014, 3), (2014, 4), (2015, 1), (2015, 2), (2015, 3), (2015, 4),
             (2016, 1)]]
#: Months for the monthly measures: the twelve before September 2016.
MONTHS = ["Sep 2015", "Oct 2015", "Nov 2015", "Dec 2015", "Jan 2016", "Feb 2016", "Mar 2016", "Apr 2016",
          "May 2016", "Jun 2016", "Jul 2016", "Aug 2016"]
YEARS = ["2012/13", "2013/14", "2014/15"]

P_ADULTS, M_ADULTS = "Adult Social Care", "Cllr. Ada Quillfeather (fictional)"
P_CHILDREN, M_CHILDREN = "Children and Families", "Cllr. Basil Thornbury (fictional)"
P_PLACE, M_PLACE = "Environment and Place", "Cllr. Cora Nettleby (fictional)"
P_RESOURCES, M_RESOURCES = "Resources", "Cllr. Dev Amberley (fictional)"
MEMBERS = {P_ADULTS: M_ADULTS, P_CHILDREN: M_CHILDREN, P_PLACE: M_PLACE,
           P_RESOURCES: M_RESOURCES}

#: The officers who supply the figures (the Owner column; one return each). Four
#: fictional owners: one covers two portfolios' measures, and the new measure EP05 has
#: no owner yet (its return is Unassigned.xlsx).
O_CARE = "Priya Halloway (fictional)"
O_CHILDREN = "Tom Ashgrove (fictional)"
O_PLACE = "Mina Castellan (fictional)"
O_FINANCE = "Owen Redfield (fictional)"
OWNERS = {"AS": O_CARE, "CF": O_CHILDREN, "EP": O_PLACE, "RS": O_FINANCE}
#: Exceptions to the portfolio's owner: ``None`` is no owner.
OWNER_EXCEPTIONS = {"CF05": O_CARE, "EP05": None}

# ref, portfolio, name, polarity, unit, frequency, target, target upper, current, drift,
# noise, notes
_SPECS = [
    ("AS01", P_ADULTS, "% of care reviews completed on time", "Higher", "%", "Quarterly",
     0.85, None, 0.88, 0.012, 0.02, "Review backlog cleared with the new scheduling team."),
    ("AS02", P_ADULTS, "Delayed transfers of care (days per 100,000 adults)", "Lower", "number",
     "Quarterly", 250, None, 312, 6.0, 14.0, "Winter pressures arrived early this year."),
    ("AS03", P_ADULTS, "% of adults in contact with services living independently", "Higher",
     "%", "Quarterly", 0.75, None, 0.74, 0.004, 0.012, None),
    ("AS04", P_ADULTS, "Average weekly home care hours per client", "Range", "number",
     "Quarterly", 8, 12, 13.1, 0.25, 0.5, "Within range is the aim: too few hours is unsafe, "
     "too many suggests missed reablement."),
    ("AS05", P_ADULTS, "% of safeguarding enquiries where the risk was reduced", "Higher", "%",
     "Monthly", 0.9, None, 0.93, 0.004, 0.015, None),
    ("CF01", P_CHILDREN, "% of single assessments completed within 45 working days", "Higher",
     "%", "Quarterly", 0.85, None, 0.78, -0.006, 0.02, "Two vacancies in the east team."),
    ("CF02", P_CHILDREN, "% re-referrals within 12 months", "Lower", "%", "Quarterly", 0.22,
     None, 0.19, -0.008, 0.015, None),
    ("CF03", P_CHILDREN, "Average days from entering care to moving in with an adoptive family",
     "Lower", "days", "Quarterly", 426, None, 455, -10.0, 18.0, None),
    ("CF04", P_CHILDREN, "Number of children looked after per 10,000", "Range", "rate",
     "Quarterly", 40, 50, 46.2, 0.6, 1.2, None),
    ("CF05", P_CHILDREN, "% of care leavers in education, employment or training", "Higher", "%",
     "Annual", 0.55, None, None, 0.02, 0.03, "The 2015/16 outturn is published in November."),
    ("EP01", P_PLACE, "% of household waste sent for reuse, recycling or composting", "Higher",
     "%", "Quarterly", 0.5, None, 0.47, 0.004, 0.015, "Garden waste tonnage fell in a dry "
     "summer."),
    ("EP02", P_PLACE, "Residual household waste per household (kg)", "Lower", "number",
     "Quarterly", 120, None, 117, -1.0, 3.0, None),
    ("EP03", P_PLACE, "% of major planning applications decided in 13 weeks", "Higher", "%",
     "Quarterly", 0.8, None, 0.92, 0.012, 0.04, None),
    ("EP04", P_PLACE, "Fly-tipping incidents cleared within 2 working days", "Higher", "%",
     "Quarterly", 0.95, None, 0.96, 0.0, 0.01, None),
    ("EP05", P_PLACE, "Number of new electric vehicle charge points", "Higher", "number",
     "Quarterly", 12, None, 9, 0.0, 0.0, "A new measure this year: no history yet."),
    ("RS01", P_RESOURCES, "% of council tax collected", "Higher", "%", "Quarterly", 0.56, None,
     0.555, 0.0, 0.004, "Collected to date in the year; target profiled to Q2."),
    ("RS02", P_RESOURCES, "Average working days lost to sickness per employee", "Lower", "days",
     "Quarterly", 2.0, None, 2.3, 0.03, 0.12, None),
    ("RS03", P_RESOURCES, "% of invoices paid within 30 days", "Higher", "%", "Monthly", 0.95,
     None, 0.91, -0.003, 0.012, "A new finance system went live in July."),
    ("RS04", P_RESOURCES, "% of FOI requests answered within 20 working days", "Higher", "%",
     "Quarterly", 0.9, None, 0.87, 0.0, 0.02, None),
    ("RS05", P_RESOURCES, "Net revenue budget variance (£000)", "Lower", "£", "Quarterly", 0,
     None, 420, 0.0, 150.0, "No target: reported for information."),
]


def _walk(rng: random.Random, current: float, drift: float, noise: float, n: int,
          unit: str) -> list[float]:
    """``n`` values leading up to ``current``, oldest first: back in time by ``drift`` a
    step, with noise."""
    values, value = [], current
    for _ in range(n):
        value = value - drift + rng.gauss(0, noise)
        values.append(value)
    values.reverse()
    if unit == "%":
        return [round(min(max(v, 0.0), 1.0), 3) for v in values]
    return [round(v, 1) for v in values]


def build() -> tuple[list[dict], list[dict], list[dict]]:
    """Measures, Benchmarks and History rows of the demonstration workbook."""
    rng = random.Random(2016)
    measures, history = [], []
    for (ref, portfolio, name, polarity, unit, frequency, target, upper, current, drift,
         noise, notes) in _SPECS:
        row = {"Portfolio": portfolio, "Cabinet Member": MEMBERS[portfolio], "Ref": ref,
               "Measure": name, "Polarity": polarity, "Unit": unit, "Frequency": frequency,
               "Target": target if ref != "RS05" else None, "Target Upper": upper,
               "Current": current, "Notes": notes,
               "Outcome": "Fictional demonstration measure",
               "Owner": OWNER_EXCEPTIONS.get(ref, OWNERS[ref[:2]])}
        measures.append(row)
        if ref == "EP05":
            continue  # new this year: no history (a dash in the Trend column)
        periods = {"Quarterly": QUARTERS, "Monthly": MONTHS, "Annual": YEARS}[frequency]
        start = current if current is not None else 0.58
        values = _walk(rng, start, drift, noise, len(periods), unit)
        for period, value in zip(periods, values):
            history.append({"Ref": ref, "Period": period, "Value": value,
                            "Target": target if ref != "RS05" else None})
    # a gap in a series, a published status that differs from the rules, a target then
    for h in history:
        if h["Ref"] == "EP04" and h["Period"] == "Q3 2015/16":
            h["Value"] = "n/a"
        if h["Ref"] == "AS03" and h["Period"] == QUARTERS[-1]:
            h["Status"] = "Amber"
        if h["Ref"] == "CF01" and h["Period"] in QUARTERS[:4]:
            h["Target"] = 0.8
    # last quarter's figures (last month's for RS03), so RAGs move both ways
    last = {"AS01": 0.74, "CF01": 0.86, "EP03": 0.7, "CF02": 0.26, "RS03": 0.96, "EP02": 140}
    for h in history:
        if h["Ref"] in last and h["Period"] in (QUARTERS[-1], MONTHS[-1]):
            h["Value"] = last[h["Ref"]]
    for m in measures:
        if m["Ref"] in ("AS01", "CF02", "EP01"):
            m["Highlight"] = "Yes"
        if m["Ref"] == "EP03":  # beyond its stretch target: Blue
            m["Stretch Target"] = 0.9
        if m["Ref"] == "RS02":  # the officer's judgement over the rules' Red
            m["RAG Override"] = "Amber"
            m["Override Reason"] = ("a winter virus outbreak; the return-to-work plan is "
                                    "on track")
    benchmarks = [
        {"Ref": "CF02", "Comparator": "Statistical Neighbour Average", "Year": "2015/16",
         "Value": 0.21},
        {"Ref": "CF02", "Comparator": "England", "Year": "2015/16", "Value": 0.22},
        {"Ref": "EP01", "Comparator": "England", "Year": "2015/16", "Value": 0.44},
        {"Ref": "AS02", "Comparator": "Regional Average", "Year": "2015/16", "Value": 280},
    ]
    return measures, benchmarks, history


MEASURES, BENCHMARKS, HISTORY = build()
