"""The server-drawn SVG charts: well-formed, labels escaped, bars in proportion."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from callcenter.reports import charts

SVG = "{http://www.w3.org/2000/svg}"


def test_bars_are_in_proportion_and_names_escaped() -> None:
    svg = charts.bars("排名", [("<script>甲</script>", 90.0), ("乙&丙", 45.0)], 100)
    root = ET.fromstring(svg)  # well-formed, so nothing in a name became markup
    widths = [float(r.get("width", "0")) for r in root.iter(f"{SVG}rect")]
    assert widths[0] == 2 * widths[1] > 0
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "<script>甲</script>" in texts and "乙&丙" in texts


def test_a_line_breaks_where_a_month_has_nothing_to_score() -> None:
    svg = charts.lines("趋势", ["9月", "10月", "11月"], [("甲", [80.0, None, 90.0])], 100)
    root = ET.fromstring(svg)
    assert list(root.iter(f"{SVG}polyline")) == []  # no two neighbouring points
    assert len(list(root.iter(f"{SVG}circle"))) == 2


def test_stacked_bars_split_by_share() -> None:
    svg = charts.stacked(
        "评价", ("满意", "基本满意", "不满意"), [("甲", [3, 1, 0]), ("乙", [0, 0, 0])]
    )
    rects = [r for r in ET.fromstring(svg).iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert [float(r.get("width", "0")) for r in rects] == [285.0, 95.0]
