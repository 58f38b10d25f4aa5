"""A measure's Comparators rows held by column (:class:`ComparatorRows`): what
:func:`~kpi_core.reading.comparators.read_comparators` gives each measure and what
:mod:`kpi_core.assessing.comparators` ranks, without a tuple per row (809,040 rows on
5,000 measures). To any other code it is the sequence of
:class:`~kpi_core.model.ComparatorValue` rows it stands for, each made when asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import repeat

from ..model import ComparatorValue

_FIELDS = ComparatorValue._fields
_new = tuple.__new__  # ComparatorValue's own __new__ is a Python function


class ComparatorRows(Sequence):
    """The rows of one measure by column, each column a sequence as long as the others:
    the fields of :class:`~kpi_core.model.ComparatorValue` (``refs`` the Ref as each row
    writes it, ``own`` its flags, ``aggregates`` the benchmark names or ``None``).

    >>> rows = ComparatorRows.of([ComparatorValue("M", "A", "2015", 0.2, "England", 2015),
    ...                           ComparatorValue("M", "B", "2015", None, "England", 2015)])
    >>> len(rows), rows.values, rows[1].authority
    (2, [0.2, None], 'B')
    >>> rows == (ComparatorValue("M", "A", "2015", 0.2, "England", 2015),
    ...          ComparatorValue("M", "B", "2015", None, "England", 2015))
    True
    """

    __slots__ = ("refs", "authorities", "years", "values", "groups", "year_keys", "own",
                 "aggregates", "rows")

    def __init__(self, refs: Sequence[str], authorities: Sequence[str], years: Sequence[str],
                 values: Sequence[float | None], groups: Sequence[str],
                 year_keys: Sequence[int], own: Sequence[bool],
                 aggregates: Sequence[str | None], rows: Sequence[int | None]) -> None:
        self.refs, self.authorities, self.years, self.values = refs, authorities, years, values
        self.groups, self.year_keys, self.own, self.aggregates = groups, year_keys, own, aggregates
        self.rows = rows

    @classmethod
    def of(cls, values: Iterable[ComparatorValue]) -> ComparatorRows:
        """The columns of ComparatorValue rows."""
        rows = list(values)
        if not rows:
            return cls(*([] for _ in _FIELDS))
        return cls(*map(list, zip(*rows)))

    def _columns(self) -> tuple[Sequence, ...]:
        return (self.refs, self.authorities, self.years, self.values, self.groups,
                self.year_keys, self.own, self.aggregates, self.rows)

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(self)[index]
        return _new(ComparatorValue, (
            self.refs[index], self.authorities[index], self.years[index], self.values[index],
            self.groups[index], self.year_keys[index], self.own[index], self.aggregates[index],
            self.rows[index]))

    def __iter__(self) -> Iterator[ComparatorValue]:
        return map(_new, repeat(ComparatorValue), zip(*self._columns()))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (ComparatorRows, tuple, list)):
            return len(self) == len(other) and tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"ComparatorRows({list(self)!r})"

    def __reduce__(self):
        return ComparatorRows, tuple(map(list, self._columns()))


def positions(items: Sequence, item: object):
    """Where ``item`` is in ``items``, found by ``index`` (at C speed): a column's rows
    of one text without a comparison a row in Python.

    >>> list(positions(["a", "b", "a"], "a")), list(positions(["a"], "z"))
    ([0, 2], [])
    """
    i = -1
    try:
        while True:
            i = items.index(item, i + 1)
            yield i
    except ValueError:
        return
