"""The performance workbook's tables to typed measures, settings and problems.

The table names and the columns each table answers to, and the readers of the
Measures, Benchmarks and Settings tables, on the row toolkit of
:mod:`kpi_core.reading.rows`. :mod:`kpi_core.reading.workbook` combines them with the
History and Comparators readers. Every problem names its ``Sheet!Cell``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace

from ..model import (
    DEFAULT_GREEN_TOLERANCE, DEFAULT_TOLERANCE, Benchmark, ColumnSource, DataStatus, Measure,
    Polarity, Problem, Settings, Status, ToleranceBasis, Unit,
)
from . import mapping, slips
from .bands import check_bands
from .benchmark_text import parse_benchmark_text
from .periods import parse_period
from .rows import Column, Sheet, is_blank_row, parse_cell, parse_cell_once, read_fields
from .values import (
    MAX_FIGURE, Reading, is_blank, parse_data_status, parse_flag, parse_frequency, parse_polarity,
    parse_rag_override, parse_reading, parse_text, parse_tolerance, parse_tolerance_basis,
    parse_unit,
)
from .xlsx import RawTable

MEASURES, BENCHMARKS, SETTINGS = "Measures", "Benchmarks", "Settings"
HISTORY = "History"
COMPARATORS = "Comparators"


MEASURE_COLUMNS = (
    Column("portfolio", ("portfolio",), "portfolio", required=True),
    Column("cabinet_member", ("cabinet member", "lead member", "portfolio holder"), "cabinet member"),
    Column("ref", ("ref", "reference", "ref."), "Ref", required=True),
    Column("name", ("measure", "measure name", "indicator"), "measure", required=True),
    Column("outcome", ("outcome",), "outcome"),
    Column("polarity", ("polarity",), "polarity"),
    Column("unit", ("unit", "units"), "unit"),
    Column("frequency", ("frequency",), "frequency"),
    Column("target", ("target",), "target"),
    Column("target_upper", ("target upper", "upper target"), "target upper"),
    Column("current", ("current", "current position", "current value", "actual"),
           "current position"),
    Column("previous", ("previous", "previous position", "previous value"), "previous value"),
    Column("tolerance", ("tolerance",), "tolerance"),
    Column("amber_threshold", ("amber threshold",), "amber threshold"),
    Column("data_status", ("data status",), "data status"),
    Column("notes", ("notes", "comments", "commentary"), "notes"),
    Column("benchmarking_text", ("benchmarking",), "benchmarking"),
    Column("highlight", ("highlight",), "highlight"),
    Column("green_tolerance", ("green tolerance",), "green tolerance"),
    Column("tolerance_basis", ("tolerance basis",), "tolerance basis"),
    Column("stretch_target", ("stretch target", "stretch"), "stretch target"),
    Column("rag_override", ("rag override", "override"), "RAG override"),
    Column("override_reason", ("override reason",), "override reason"),
    Column("owner", ("owner",), "owner"),
)
BENCHMARK_COLUMNS = (
    Column("ref", ("ref", "reference"), "Ref", required=True),
    Column("comparator", ("comparator",), "comparator", required=True),
    Column("year", ("year", "period"), "year"),
    Column("value", ("value",), "benchmark value", required=True),
)
SETTINGS_COLUMNS = (
    Column("setting", ("setting",), "setting", required=True),
    Column("value", ("value",), "value", required=True),
)

_NO_READING = Reading(None)

TABLE_HINT = ("select the data with its header row and use Insert > Table, then name the "
               "table {name} under Table Design")


def read_measures(table: RawTable, problems: list[Problem], settings: Settings = Settings(),
                   sources: list[ColumnSource] | None = None) -> list[Measure]:
    sheet = Sheet(table, problems)
    cols = sheet.columns(MEASURE_COLUMNS, column_overrides(settings, problems))
    if cols is None:
        return []
    _report_columns(sheet, cols, settings, sources)
    spec = {c.field: c for c in MEASURE_COLUMNS}
    measures: list[Measure] = []
    seen_refs: dict[str, int] = {}
    memos: dict[object, dict] = {}

    def plan(names, parse: Callable, default: object = None) -> tuple:
        """Each field's column, spec, parser and memo (:func:`read_fields`), looked
        up once for the table."""
        return tuple((f, cols.get(f), spec[f], parse, default, memos.setdefault(f, {}))
                     for f in names)

    texts = plan(("portfolio", "cabinet_member", "ref", "name", "outcome", "notes",
                  "benchmarking_text", "owner"), parse_text)
    kinds = (plan(("polarity",), parse_polarity, Polarity.HIGHER)
             + plan(("frequency",), parse_frequency)
             + plan(("data_status",), parse_data_status, DataStatus.AVAILABLE)
             + plan(("highlight",), parse_flag, False)
             + plan(("tolerance_basis",), parse_tolerance_basis))
    lasts = (plan(("rag_override",), parse_rag_override)
             + plan(("override_reason",), parse_text) + plan(("unit",), parse_unit))
    tolerance_plans: dict[object, tuple] = {}

    def tolerances(basis) -> tuple:
        """The two tolerance fields' plan under a tolerance basis: a memo per basis, as
        the same cell reads differently under another."""
        found = tolerance_plans.get(basis)
        if found is None:
            found = tolerance_plans[basis] = tuple(
                (f, cols.get(f), spec[f], parse, None, memos.setdefault((f, basis), {}))
                for f, parse in (("tolerance", lambda v: parse_tolerance(v, basis)),
                                 ("green_tolerance", lambda v: parse_tolerance(
                                     v, basis, "green tolerance"))))
        return found

    numbers = tuple((field, cols.get(field), spec[field],
                     memos.setdefault(field, {})) for field in
                    ("target", "target_upper", "current", "previous", "amber_threshold",
                     "stretch_target"))
    rows = table.rows
    for ri in range(1, len(rows)):
        row = rows[ri]
        if is_blank_row(row):
            continue
        fields: dict[str, object] = {}
        readings: dict[str, Reading] = {}
        width = len(row)
        read_fields(sheet, row, ri, texts, fields)
        for field in ("portfolio", "ref", "name"):
            if fields[field] is None and not _has_error_at(problems, sheet, ri, cols[field]):
                sheet.add(ri, cols[field], f"{spec[field].label} is blank")
        read_fields(sheet, row, ri, kinds, fields)
        read_fields(sheet, row, ri, tolerances(fields["tolerance_basis"]
                                               or settings.tolerance_basis), fields)
        read_fields(sheet, row, ri, lasts, fields)
        unit = fields.pop("unit")
        for field, ci, column, memo in numbers:
            value = row[ci] if ci is not None and ci < width else None
            if type(value) is float and -MAX_FIGURE < value < MAX_FIGURE:
                reading = Reading(value)  # as parse_reading reads a plain figure
            else:
                reading = parse_cell_once(sheet, row, ri, ci, column, parse_reading,
                                          _NO_READING, memo)
            readings[field] = reading
            fields[field] = reading.value
        fields["current_marker"] = readings["current"].marker
        fields["unit"] = unit or _infer_unit(table, ri, cols, readings)
        _check_rules(sheet, ri, cols, fields, readings)
        _check_bands(sheet, ri, cols, fields, settings)

        ref = fields["ref"]
        if ref is not None:
            key = ref.casefold()
            if key in seen_refs:
                sheet.add(ri, cols["ref"], f"Ref '{ref}' is used twice (also row "
                          f"{seen_refs[key]}); each measure needs its own Ref", ref)
            else:
                seen_refs[key] = table.top + ri
        fields["ref"], fields["portfolio"], fields["name"] = (
            ref or "", fields["portfolio"] or "", fields["name"] or "")
        measures.append(Measure(row=table.top + ri, **fields))
    if not measures and not any(p.sheet == table.sheet and p.severity == "error"
                                for p in problems):
        problems.append(Problem.at(table.sheet, table.top, table.left,
                                   f"table {table.name} has no measures: add one row per "
                                   "measure under its header row"))
    return measures


def column_overrides(settings: Settings, problems: list[Problem] | None = None
                      ) -> dict[str, str]:
    """Settings ``Column: <our name>`` rows as field -> header; an unknown name is a warning."""
    names = {}
    for c in MEASURE_COLUMNS:
        for word in (c.headers[0], c.field.replace("_", " "), c.label):
            names.setdefault(mapping.fold_header(word), c.field)
    out: dict[str, str] = {}
    for ours, header, cell in settings.column_map:
        field = names.get(mapping.fold_header(ours))
        if field is None:
            if problems is not None:
                problems.append(Problem(SETTINGS, cell, f"'Column: {ours}' names no column this "
                                        "tool reads (known: " + ", ".join(
                                            c.heading for c in MEASURE_COLUMNS) + ")",
                                        ours, "warning"))
            continue
        out.setdefault(field, header)
    return out


def _report_columns(sheet: Sheet, cols: dict[str, int], settings: Settings,
                    sources: list[ColumnSource] | None) -> None:
    """Record which header each field came from; warn where a field that decides the
    status is missing, or a Settings mapping names a header the table does not have."""
    table = sheet.table
    header = table.rows[0]
    spec = {c.field: c for c in MEASURE_COLUMNS}
    how = sheet.match.how
    if sources is not None:
        for field, ci in sorted(cols.items(), key=lambda item: item[1]):
            name = spec[field].heading
            sources.append(ColumnSource(field, name, " ".join(str(header[ci]).split()),
                                        table.sheet, sheet.address(0, ci), how[field],
                                        table.top, table.left + ci))
    seen = ", ".join(repr(" ".join(str(h).split())) for h in header if not is_blank(h)) or "none"
    overrides = column_overrides(settings)
    for ours, wanted, cell in settings.column_map:
        field = next((f for f, h in overrides.items() if h == wanted), None)
        if field is not None and field not in cols:
            sheet.problems.append(Problem(SETTINGS, cell, f"'Column: {ours}' names the header "
                                          f"'{wanted}', which table {table.name} does not have "
                                          f"(headers seen: {seen})", wanted, "warning"))
    for field in mapping.STATUS_FIELDS:
        if field in cols or field in overrides:
            continue
        name = spec[field].heading
        if field == "current":
            consequence = "every measure will show Data unavailable"
        elif field == "target":
            consequence = "every measure will show No target"
        else:
            consequence = "every measure is read as Higher is better"
        sheet.problems.append(Problem.at(
            table.sheet, table.top, table.left,
            f"table {table.name} has no {name} column recognised, so {consequence} "
            f"(headers seen: {seen}); name the column {name} or add a Settings row "
            f"'Column: {name}' with your header", None, "warning"))


def _has_error_at(problems: list[Problem], sheet: Sheet, ri: int, ci: int) -> bool:
    cell = sheet.address(ri, ci)
    return any(p.sheet == sheet.table.sheet and p.cell == cell for p in problems)


def _infer_unit(table: RawTable, ri: int, cols: dict[str, int],
                readings: dict[str, Reading]) -> Unit:
    """A blank Unit is ``%`` when the figures are written or formatted as percentages."""
    for field in ("target", "current", "previous", "target_upper"):
        ci = cols.get(field)
        if readings[field].is_percent or (ci is not None and (ri, ci) in table.percent_cells):
            return Unit.PERCENT
    return Unit.NUMBER


def _check_rules(sheet: Sheet, ri: int, cols: dict[str, int], fields: dict,
                 readings: dict[str, Reading]) -> None:
    """Cross-field checks: thresholds on the right side, ranges complete."""
    polarity, target = fields["polarity"], fields["target"]
    upper, threshold = fields["target_upper"], fields["amber_threshold"]
    fmt = "{:g}".format
    if polarity is Polarity.RANGE:
        if target is not None and upper is None:
            ci = cols.get("target_upper", cols.get("polarity"))
            sheet.add(ri, ci, "Within range needs a Target Upper (the top of the range); "
                      "add the column or the value")
        elif target is not None and upper is not None and upper < target:
            sheet.add(ri, cols["target_upper"], f"target upper {fmt(upper)} is below the "
                      f"target {fmt(target)}; the range runs from Target to Target Upper", upper)
        if threshold is not None:
            sheet.add(ri, cols["amber_threshold"], "amber threshold is ignored for Within range "
                      "measures; the amber band is the tolerance either side", threshold,
                      severity="warning")
    else:
        if upper is not None:
            sheet.add(ri, cols["target_upper"], "target upper is used only by Within range "
                      "measures and is ignored here", upper, severity="warning")
        if threshold is not None and target is not None:
            if polarity is Polarity.HIGHER and threshold > target:
                sheet.add(ri, cols["amber_threshold"], f"amber threshold {fmt(threshold)} is above "
                          f"the target {fmt(target)}; for higher-is-better it must be at or "
                          "below the target", threshold)
            elif polarity is Polarity.LOWER and threshold < target:
                sheet.add(ri, cols["amber_threshold"], f"amber threshold {fmt(threshold)} is below "
                          f"the target {fmt(target)}; for lower-is-better it must be at or "
                          "above the target", threshold)
    if fields["unit"] is not Unit.PERCENT:
        return
    scaled = False
    for field in ("current", "previous", "target", "target_upper", "stretch_target",
                  "amber_threshold"):
        message = slips.percent_scale(fields[field], readings[field].is_percent)
        if message is not None:
            scaled = True
            sheet.add(ri, cols.get(field), message, fields[field])
    message = None if scaled else slips.factor_apart(fields["current"], fields["target"])
    if message is not None:
        sheet.add(ri, cols.get("current"), message, fields["current"], severity="warning")


def _check_bands(sheet: Sheet, ri: int, cols: dict[str, int], fields: dict,
                 settings: Settings) -> None:
    """Rule 4's conditions on the bands, rule 5's stretch target and rule 6's override,
    each at its cell (:mod:`kpi_core.reading.bands` words them)."""
    tolerance = fields["tolerance"]
    green = fields["green_tolerance"]
    faults = check_bands(
        fields["polarity"], fields["target"],
        tolerance=settings.default_tolerance if tolerance is None else tolerance,
        green_tolerance=settings.default_green_tolerance if green is None else green,
        basis=fields["tolerance_basis"] or settings.tolerance_basis,
        amber_threshold=fields["amber_threshold"], stretch_target=fields["stretch_target"],
        tolerance_given=tolerance is not None)
    for fault in faults:
        field, message = fault.field, fault.message
        if field == "green_tolerance" and green is None:
            if tolerance is None:
                continue  # both are the workbook's defaults: reported once, on Settings
            field = "tolerance"  # the workbook's green band against this row's tolerance
            message = (f"tolerance {tolerance:g} is smaller than the workbook's Default Green "
                       f"Tolerance {settings.default_green_tolerance:g}: the green band must lie "
                       "inside the amber band (equal is allowed)")
        sheet.add(ri, cols.get(field), message, fault.value, fault.severity)
    override, reason = fields["rag_override"], fields["override_reason"]
    ci = cols.get("rag_override")
    if override is not None:
        decided = None
        if fields["data_status"] is not DataStatus.AVAILABLE:
            decided = f"its Data Status is {fields['data_status'].value}"
        elif fields["current"] is None:
            decided = "it has no current position"
        elif fields["target"] is None:
            decided = "it has no target"
        if decided:
            sheet.add(ri, ci, f"RAG override {override.value} cannot stand: {decided}, so the "
                      "rules give no RAG to override", override.value)
        if reason is None and not _has_error_at(sheet.problems, sheet, ri, cols.get(
                "override_reason", ci)):
            where = "Override Reason" if "override_reason" in cols else \
                "an Override Reason column"
            sheet.add(ri, ci, f"RAG override {override.value} has no reason: say why in "
                      f"{where}", override.value)
    elif reason is not None:
        sheet.add(ri, cols["override_reason"], "override reason is given but there is no RAG "
                  "Override; it is ignored", reason, severity="warning")


def read_benchmarks(table: RawTable, problems: list[Problem], refs: set[str]
                     ) -> dict[str, list[Benchmark]]:
    sheet = Sheet(table, problems)
    cols = sheet.columns(BENCHMARK_COLUMNS)
    out: dict[str, list[Benchmark]] = {}
    if cols is None:
        return out
    spec = {c.field: c for c in BENCHMARK_COLUMNS}
    refs_read: dict = {}
    comparators: dict = {}
    years: dict = {}
    c_value = cols["value"]
    for ri in range(1, len(table.rows)):
        row = table.rows[ri]
        if is_blank_row(row):
            continue
        ref = parse_cell_once(sheet, row, ri, cols["ref"], spec["ref"], parse_text, None,
                              refs_read)
        comparator = parse_cell_once(sheet, row, ri, cols["comparator"], spec["comparator"],
                                     parse_text, None, comparators)
        year = parse_cell_once(sheet, row, ri, cols.get("year"), spec["year"], parse_text,
                               None, years)
        value = row[c_value] if c_value < len(row) else None
        if type(value) is float and -MAX_FIGURE < value < MAX_FIGURE:
            value = Reading(value)  # as parse_reading reads a plain figure
        else:
            value = parse_cell(sheet, row, ri, c_value, spec["value"], parse_reading,
                               _NO_READING)
        if ref is None:
            sheet.add(ri, cols["ref"], "Ref is blank")
            continue
        if comparator is None:
            sheet.add(ri, cols["comparator"], "comparator is blank")
            continue
        if ref.casefold() not in refs:
            sheet.add(ri, cols["ref"], f"Ref '{ref}' is not in the Measures table; "
                      "this benchmark is not shown", ref, severity="warning")
            continue
        if value.value is None:
            continue  # no figure for this comparator (blank or n/a): nothing to compare
        out.setdefault(ref.casefold(), []).append(Benchmark(ref, comparator, year, value.value))
    return out


def read_settings(table: RawTable, problems: list[Problem]) -> Settings:
    sheet = Sheet(table, problems)
    cols = sheet.columns(SETTINGS_COLUMNS)
    values: dict[str, object] = {}
    if cols is None:
        return Settings()
    value_col = Column("value", ("value",), "value")
    basis_row = _setting_row(table, cols, "tolerance basis")
    basis = ToleranceBasis.RELATIVE
    if basis_row is not None:
        basis = parse_cell(sheet, table.rows[basis_row], basis_row, cols["value"],
                       Column("value", (), "tolerance basis"), parse_tolerance_basis) or basis
    for ri in range(1, len(table.rows)):
        row = table.rows[ri]
        name = parse_cell(sheet, row, ri, cols["setting"], SETTINGS_COLUMNS[0], parse_text)
        if name is None:
            continue
        key = " ".join(name.split()).casefold()
        if key in ("authority", "period"):
            values[key] = parse_cell(sheet, row, ri, cols["value"], value_col, parse_text)
            if key == "period" and values[key] is not None:
                values["current_period"] = parse_cell(sheet, row, ri, cols["value"],
                                                  Column("value", (), "period"), parse_period)
        elif key.startswith("column:") or key == "measures sheet":
            text = parse_cell(sheet, row, ri, cols["value"], value_col, parse_text)
            if text is not None and key == "measures sheet":
                values["measures_sheet"] = text
            elif text is not None:
                values.setdefault("column_map", []).append(
                    (name.split(":", 1)[1].strip(), text, sheet.address(ri, cols["value"])))
        elif key == "authority code":
            values["authority_code"] = parse_cell(sheet, row, ri, cols["value"], value_col,
                                              parse_text)
        elif key in ("default tolerance", "tolerance"):
            tol = parse_cell(sheet, row, ri, cols["value"],
                         Column("value", (), "default tolerance"),
                         lambda v: parse_tolerance(v, basis, "default tolerance"))
            if tol is not None:
                values["default_tolerance"] = tol
        elif key in ("default green tolerance", "green tolerance"):
            tol = parse_cell(sheet, row, ri, cols["value"],
                         Column("value", (), "default green tolerance"),
                         lambda v: parse_tolerance(v, basis, "default green tolerance"))
            if tol is not None:
                values["default_green_tolerance"] = (tol, ri)
        elif key == "direction tolerance":
            tol = parse_cell(sheet, row, ri, cols["value"],
                             Column("value", (), "direction tolerance"),
                             lambda v: parse_tolerance(v, basis, "direction tolerance"))
            if tol is not None:
                values["direction_tolerance"] = tol
        elif key == "tolerance basis":
            pass  # read first: the tolerances above depend on it
        elif key == "use blue":
            values["use_blue"] = parse_cell(sheet, row, ri, cols["value"],
                                        Column("value", (), "use blue"), parse_flag, False)
        else:
            sheet.add(ri, cols["setting"], f"setting '{name}' is not known and is ignored "
                      "(known: Authority, Authority Code, Period, Default Tolerance, Default "
                      "Green Tolerance, Tolerance Basis, Use Blue, Direction Tolerance, "
                      "Measures Sheet, Column: <name>)",
                      name, severity="warning")
    default_tolerance = values.get("default_tolerance", DEFAULT_TOLERANCE)
    green, green_row = values.get("default_green_tolerance", (DEFAULT_GREEN_TOLERANCE, None))
    if green > default_tolerance:
        sheet.add(green_row, cols["value"], f"default green tolerance {green:g} is larger than "
                  f"the default tolerance {default_tolerance:g}: the green band must lie inside "
                  "the amber band (equal is allowed)", green)
    return Settings(authority=values.get("authority"), period=values.get("period"),
                    default_tolerance=default_tolerance, default_green_tolerance=green,
                    tolerance_basis=basis, use_blue=bool(values.get("use_blue", False)),
                    column_map=tuple(values.get("column_map", ())),
                    measures_sheet=values.get("measures_sheet"),
                    current_period=values.get("current_period"),
                    authority_code=values.get("authority_code"),
                    direction_tolerance=values.get("direction_tolerance", 0.0))


def _setting_row(table: RawTable | None, cols: dict[str, int] | None, key: str) -> int | None:
    """The row index of a setting in the Settings table, ``None`` when it is not there."""
    if table is None or cols is None:
        return None
    ci = cols["setting"]
    for ri in range(1, len(table.rows)):
        row = table.rows[ri]
        if ci < len(row) and isinstance(row[ci], str) and \
                " ".join(row[ci].split()).casefold() == key:
            return ri
    return None


def warn_missing_settings(table: RawTable | None, settings: Settings, sheets: tuple[str, ...],
                           problems: list[Problem]) -> None:
    """Settings Period or Authority missing: a warning at Settings (the titles say whose
    scorecard of which period it is, and the next close needs the period)."""
    missing = [name for name, value in (("Authority", settings.authority),
                                        ("Period", settings.period)) if not value]
    if not missing:
        return
    if table is None and any(s.casefold() == SETTINGS.casefold() for s in sheets):
        return  # its sheet has no table: warned about already
    what = " and ".join(missing)
    why = ("the scorecard's titles name no authority or period, and close-period needs the "
           "Period" if len(missing) == 2 else
           "the scorecard's titles name no authority" if missing == ["Authority"] else
           "the scorecard's titles name no period, and close-period needs it")
    where = cell = None
    if table is not None:
        cols = Sheet(table, []).columns(SETTINGS_COLUMNS)
        if cols is not None:
            row = _setting_row(table, cols, missing[0].casefold())
            where, cell = (row, cols["value"]) if row is not None else (None, None)
        example = {"Authority": "Buckinghamshire County Council", "Period": "Q2 2016/17"}
        hint = "; ".join(f"a row {m} with e.g. {example[m]}" for m in missing)
        problems.append(Problem.at(table.sheet, table.top + where if where is not None else None,
                                   table.left + cell if cell is not None else None,
                                   f"Settings gives no {what}: {why}; add {hint}",
                                   severity="warning"))
        return
    problems.append(Problem(SETTINGS, "", f"the workbook has no Settings table, so no {what}: "
                            f"{why}; add a Settings sheet with a table Settings (Setting, "
                            "Value) and rows Authority and Period", severity="warning"))


def apply_use_blue(settings: Settings, measures: list[Measure]) -> Settings:
    """Settings ``Use Blue``, or Yes as soon as a Stretch Target is filled (SPEC section 3);
    an officer's Blue override shows Blue too, so it counts as using it."""
    if settings.use_blue:
        return settings
    return replace(settings, use_blue=any(
        m.stretch_target is not None or m.rag_override is Status.BLUE for m in measures))


def has_period_headers(table: RawTable) -> bool:
    """True when a Measures header could be a period label (the wide layout)."""
    header = table.rows[0] if table.rows else []
    return any(isinstance(v, str) and any(ch.isdigit() for ch in v) for v in header)


def read_free_text_benchmarks(table: RawTable, measures: list[Measure], settings: Settings,
                               problems: list[Problem], sources: list[ColumnSource]
                               ) -> list[Measure]:
    """Benchmarks read from the Benchmarking text of each measure the Benchmarks table
    gives none. Text that cannot be read whole stays as it is (the scorecard shows it)
    with a warning at its cell; values for our own authority are not benchmarks."""
    found = free_text_benchmarks(table, measures, settings, problems, sources,
                                 skip={i for i, m in enumerate(measures) if m.benchmarks})
    return [replace(m, **found[i]) if i in found else m for i, m in enumerate(measures)]


def free_text_benchmarks(table: RawTable, measures: list[Measure], settings: Settings,
                         problems: list[Problem], sources: list[ColumnSource],
                         skip: Collection[int] = ()) -> dict[int, dict[str, object]]:
    """:func:`read_free_text_benchmarks` as the fields it sets (``benchmarks``,
    ``own_figures``) by the measure's index; ``skip``: the indexes of the measures the
    Benchmarks table gives benchmarks."""
    source = next((s for s in sources if s.field == "benchmarking_text"), None)
    ci = source.col - table.left if source is not None else None
    out: dict[int, dict[str, object]] = {}
    for i, m in enumerate(measures):
        if not m.benchmarking_text or i in skip:
            continue
        found = parse_benchmark_text(m.benchmarking_text, m.ref, authority=settings.authority,
                                     percent=m.unit is Unit.PERCENT)
        if found.unread is not None:
            problems.append(Problem.at(
                table.sheet, m.row, table.left + ci if ci is not None else None,
                f"benchmarking is shown as it is: '{found.unread}' cannot "
                "be read as a benchmark (write benchmarks like 'National Average (2015): 24%', "
                "or put them in the Benchmarks table)",
                m.benchmarking_text, severity="warning"))
            continue
        if found.benchmarks or found.own:
            out[i] = {"benchmarks": found.benchmarks, "own_figures": tuple(found.own)}
    return out


def measure_columns(table: RawTable) -> dict[str, int]:
    """Field name -> column index (0-based, within ``table``) of the Measures columns
    found in its header row, matched as :func:`read_workbook` matches them."""
    return Sheet(table, []).columns(MEASURE_COLUMNS) or {}
