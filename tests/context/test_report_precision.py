"""One precision and Swedish dates everywhere (issue 28): the plan's baselines print a share as its own section
prints it (the survey in whole per cent, NTU as Brå publishes it), and the report's text holds no ISO date."""

from __future__ import annotations

import re

from conftest import Demo
from reading import parse_html


def test_the_plan_table_prints_shares_as_their_sections_do(built: Demo) -> None:
    plan = built.section("atgarder")
    for baseline in ("27 % (2024)", "10 % (2024)", "12 % (2024)", "35 % (2024)"):
        assert baseline in plan, baseline
    assert not re.search(r"\d,\d %", plan), plan  # no "27,4 %" beside the survey section's "27 %"
    assert "Otrygg ute ensam sent en kväll i bostadsområdet, Gagnef: 27 % (2024)" in built.section("pagaende")


def test_the_report_text_has_no_iso_date(built: Demo) -> None:
    text = " ".join(" ".join(parse_html(built.html).text).split())
    assert re.findall(r"\d{4}-\d{2}-\d{2}", text) == []
    assert "14 grannsamverkansområden, 1 340 hushåll (per 1 september 2026)" in built.section("pagaende")
