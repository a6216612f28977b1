"""Holiday files: a year's statutory holidays and make-up working days (调休上班), in the
form the State Council publishes them, for years ``chinesecalendar`` does not know.

One YAML file per year::

    year: 2027
    source: 国务院办公厅关于2027年部分节假日安排的通知   # optional, for the record
    holidays:                                            # ranges, both ends included
      - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
      - {name: 清明节, from: 2027-04-05}                # one day: ``to`` left out
    workdays: [2027-02-07, 2027-02-20]                   # 调休上班 (weekend days)

Every other day of that year is a working day from Monday to Friday and a day off at
the weekend. Days may also fall in the December before the year, where the notice puts
the start of 元旦 or its make-up day. A file is checked whole on load; an error names
the file, the line and the field (``ConfigError``).

``HolidayFiles`` reads the files and directories (their ``*.yaml``) of the setting
``campaign.calendar_files``; asked about a year it does not have, it reads them again
if a file was added or changed, so a year added while the workers run is picked up.
"""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import ReusedAnchorWarning, YAMLError

from callcenter.kernel.errors import CalendarError, ConfigError

_KEYS = {"year", "source", "holidays", "workdays"}
_HOLIDAY_KEYS = {"name", "from", "to"}
# longer than any range the State Council has given: a longer one is a typing error
MAX_HOLIDAY_DAYS = 20
FIRST_YEAR, LAST_YEAR = 2000, 2200
# ruamel's warning names the anchor and, last, the line of its second occurrence
_REUSED_ANCHOR = re.compile(r"duplicate anchor '([^']*)'.*\(line: (\d+)\)\s*$", re.S)


@dataclass(frozen=True)
class HolidayYear:
    """One year as its file gives it."""

    year: int
    path: Path
    holidays: dict[date, str]  # day off → the holiday's name
    workdays: frozenset[date]  # 调休上班

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is worked, for a day in ``year`` or one the file lists."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


class _Located:
    """Raises ConfigError at the file, line and field of a node of the YAML."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, line: int, field: str, message: str) -> ConfigError:
        return ConfigError(f"{self.path}:{line}: {field}: {message}")


def load_year_file(path: Path) -> HolidayYear:
    """Read and check one holiday file; ConfigError names file, line and field."""
    at = _Located(path)
    try:
        with warnings.catch_warnings():
            # an anchor given twice: the aliases after it would silently take the second
            warnings.simplefilter("error", ReusedAnchorWarning)
            raw = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except ReusedAnchorWarning as exc:
        m = _REUSED_ANCHOR.search(str(exc))
        where = f"{path}:{m[2]}: anchor &{m[1]}" if m else f"{path}: an anchor"
        raise ConfigError(f"{where} is given twice; give each anchor once") from None
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such holiday file (campaign.calendar_files)") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (at byte {exc.start})") from None
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}:{line}: YAML syntax error: {problem}") from None
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        # the YAML library's constructors raise these for values it cannot build:
        # a date that does not exist (2027-02-30), "!!int x", a list as a mapping key
        raise ConfigError(f"{path}: a YAML value cannot be read: {exc!r}") from None
    except RecursionError:
        raise ConfigError(f"{path}: YAML nested too deeply to be a holiday file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}") from None
    if not isinstance(raw, CommentedMap):
        raise at.error(1, "(top)", "a holiday file is a mapping with year, holidays, workdays")
    for key in raw:
        if key not in _KEYS:
            raise at.error(_key_line(raw, key), str(key), f"unknown field; fields: {_names(_KEYS)}")
    for key in ("year", "holidays", "workdays"):
        if key not in raw:
            raise at.error(raw.lc.line + 1, key, "missing")
    year = raw["year"]
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise at.error(_key_line(raw, "year"), "year", f"{year!r} is not a year")
    if "source" in raw and not isinstance(raw["source"], str):
        raise at.error(_key_line(raw, "source"), "source", "is not text")
    first, last = date(year - 1, 12, 1), date(year, 12, 31)
    holidays = _holidays(at, raw, first, last)
    workdays: set[date] = set()
    for line, field, day in _dates(at, raw, "workdays", first, last):
        if day.weekday() < 5:
            raise at.error(line, field, f"{day} is a {day:%A}; 调休上班 days fall at weekends")
        if day in holidays:
            raise at.error(line, field, f"{day} is also a day of {holidays[day]}")
        if day in workdays:
            raise at.error(line, field, f"{day} is listed twice")
        workdays.add(day)
    return HolidayYear(year, path, holidays, frozenset(workdays))


def _holidays(at: _Located, raw: CommentedMap, first: date, last: date) -> dict[date, str]:
    seq = raw["holidays"]
    if not isinstance(seq, CommentedSeq):
        raise at.error(_key_line(raw, "holidays"), "holidays", "is not a list")
    days: dict[date, str] = {}
    for i, item in enumerate(seq):
        where, line = f"holidays[{i}]", seq.lc.item(i)[0] + 1
        if not isinstance(item, CommentedMap):
            raise at.error(line, where, "is not a mapping with name, from and to")
        for key in item:
            if key not in _HOLIDAY_KEYS:
                raise at.error(
                    _key_line(item, key), f"{where}.{key}", f"unknown; use {_names(_HOLIDAY_KEYS)}"
                )
        for key in ("name", "from"):
            if key not in item:
                raise at.error(line, f"{where}.{key}", "missing")
        name = item["name"]
        if not isinstance(name, str) or not name.strip():
            raise at.error(_key_line(item, "name"), f"{where}.name", "is not a holiday's name")
        start = _date(at, _key_line(item, "from"), f"{where}.from", item["from"], first, last)
        end = start
        if "to" in item:
            end = _date(at, _key_line(item, "to"), f"{where}.to", item["to"], first, last)
        if end < start:
            raise at.error(_key_line(item, "to"), f"{where}.to", f"{end} is before from {start}")
        if (end - start).days + 1 > MAX_HOLIDAY_DAYS:
            raise at.error(
                _key_line(item, "to"), f"{where}.to", f"more than {MAX_HOLIDAY_DAYS} days off"
            )
        for day in _range(start, end):
            if day in days:
                raise at.error(line, where, f"{day} is also a day of {days[day]}")
            days[day] = name.strip()
    return days


def _dates(
    at: _Located, raw: CommentedMap, key: str, first: date, last: date
) -> Iterator[tuple[int, str, date]]:
    seq = raw[key]
    if not isinstance(seq, CommentedSeq):
        raise at.error(_key_line(raw, key), key, "is not a list of dates")
    for i, value in enumerate(seq):
        line, field = seq.lc.item(i)[0] + 1, f"{key}[{i}]"
        yield line, field, _date(at, line, field, value, first, last)


def _date(at: _Located, line: int, field: str, value: Any, first: date, last: date) -> date:
    if isinstance(value, datetime):
        raise at.error(line, field, f"{value} has a time; give the day, YYYY-MM-DD")
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise at.error(line, field, f"{value!r} is not a date YYYY-MM-DD") from None
    if not isinstance(value, date):
        raise at.error(line, field, f"{value!r} is not a date YYYY-MM-DD")
    if not first <= value <= last:
        raise at.error(line, field, f"{value} is outside {last.year} (and its December before)")
    return value


def _range(start: date, end: date) -> Iterator[date]:
    for n in range((end - start).days + 1):
        yield start + timedelta(days=n)


def _key_line(node: CommentedMap, key: Any) -> int:
    return int(node.lc.key(key)[0]) + 1


def _names(keys: Iterable[str]) -> str:
    return ", ".join(sorted(keys))


class HolidayFiles:
    """The years of the configured holiday files, by year."""

    def __init__(self, paths: Iterable[Path] = ()) -> None:
        self.paths = tuple(Path(p) for p in paths)
        self._lock = threading.Lock()
        self._seen = self._signature()
        self._years = self._load()

    @property
    def years(self) -> dict[int, HolidayYear]:
        return dict(self._years)

    def lookup(self, day: date) -> HolidayYear | None:
        """The file that decides ``day``: its year's, or the next year's that lists it."""
        found = self._find(day)
        if found is None and self.paths:
            with self._lock:
                seen = self._signature()
                if seen != self._seen:
                    try:
                        self._years = self._load()
                    except ConfigError as exc:
                        # a file being added or edited: the days stay unknown until it is right
                        raise CalendarError(
                            f"{day}: the holiday files cannot be read: {exc}"
                        ) from None
                    self._seen = seen
            found = self._find(day)
        return found

    def _find(self, day: date) -> HolidayYear | None:
        years = self._years
        after = years.get(day.year + 1)
        if after is not None and (day in after.holidays or day in after.workdays):
            return after
        return years.get(day.year)

    def _files(self) -> list[Path]:
        out = []
        for p in self.paths:
            if p.is_dir():
                out.extend(sorted(p.glob("*.yaml")) + sorted(p.glob("*.yml")))
            else:
                out.append(p)  # a missing file is reported by load_year_file
        return out

    def _signature(self) -> tuple[tuple[str, float], ...]:
        stamps = []
        for f in self._files():
            try:
                stamps.append((str(f), f.stat().st_mtime))
            except OSError:
                stamps.append((str(f), -1.0))
        return tuple(stamps)

    def _load(self) -> dict[int, HolidayYear]:
        years: dict[int, HolidayYear] = {}
        for f in self._files():
            y = load_year_file(f)
            if y.year in years:
                raise ConfigError(f"{f}: year {y.year} is also given by {years[y.year].path}")
            years[y.year] = y
        return years
