"""Generated holiday files fed to ``load_year_file``: mutations of the made-up year in
tests/fixtures/calendars and documents of any shape. A file is read or refused with
``ConfigError``; anything else is a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.campaign.holidays import HolidayYear, load_year_file
from callcenter.kernel.errors import ConfigError
from tests.fuzz.budget import fuzz_settings
from tests.fuzz.tally import tally
from tests.fuzz.test_script import YAML_BITS, _dumped, documents

pytestmark = pytest.mark.fuzz

BASE = Path(__file__).resolve().parents[1] / "fixtures" / "calendars" / "2099.yaml"
BASE_TEXT = BASE.read_text(encoding="utf-8")
DATES = ["2099-02-30", "2099-13-01", "2098-12-31", "2100-01-01", "0000-01-01", "2099-1-1"]


@st.composite
def mutants(draw: st.DrawFn) -> bytes:
    lines = BASE_TEXT.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.integers(0, 3))
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[i])
        else:
            at = draw(st.integers(0, len(lines[i])))
            bit = draw(st.sampled_from(YAML_BITS + DATES) | st.text(max_size=6))
            lines[i] = lines[i][:at] + bit + lines[i][at:]
        if not lines:
            break
    return "".join(lines).encode("utf-8", errors="surrogatepass")


inputs = mutants() | documents.map(_dumped).map(str.encode) | st.binary(max_size=100)


def test_the_base_file_loads() -> None:
    assert isinstance(load_year_file(BASE), HolidayYear)


@fuzz_settings
@given(data=inputs)
def test_holiday_file_loader(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "year.yaml"
    path.write_bytes(data)
    with tally("holiday file loader").one(ConfigError):
        try:
            load_year_file(path)
        except ConfigError as exc:
            assert str(exc).startswith(str(path)), str(exc)
            raise
