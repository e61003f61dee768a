"""The analysis' rules: a source's cell, agreement, the ranking's points and shared places."""

from __future__ import annotations

from lagesbild_cli.rules import analysis as rule
from lagesbild_cli.rules.analysis import Findings, Signal


def test_a_source_points_up_on_any_higher_level_or_confirmed_rise_before_anything_lower() -> None:
    assert rule.source_signal([["i nivå med", "i nivå med", "ökat"]]) is Signal.UP  # one series, rising
    assert rule.source_signal([["lägre", "lägre", "ökat"]]) is Signal.MIXED  # lower than both, but rising
    # bostadsinbrott higher than riket and rising outweighs theft falling: it stands on its own
    assert rule.source_signal([["högre", "högre", "ökat"], ["lägre", "lägre", "minskat"]]) is Signal.UP
    # higher than the län but lower than riket and falling: both ways
    assert rule.source_signal([["högre", "lägre", "minskat"]]) is Signal.MIXED
    assert rule.source_signal([["lägre", "i nivå med", "ingen säkerställd förändring"]]) is Signal.DOWN
    assert rule.source_signal([["i nivå med", "ingen säkerställd förändring"]]) is Signal.LEVEL
    assert rule.source_signal([["för få för att bedöma"], ["för få för att bedöma"]]) is Signal.TOO_FEW
    assert rule.source_signal([["för få för att bedöma"], ["i nivå med"]]) is Signal.LEVEL
    assert rule.source_signal([]) is Signal.MISSING
    assert rule.source_signal([["kan inte bedömas"]]) is Signal.MISSING
    # violence in close relationships: against men up on few reports, against women down: neither way
    mixed = [["i nivå med", "i nivå med", "ökat"], ["lägre", "lägre", "minskat"]]
    assert rule.source_signal(mixed) is Signal.MIXED and Signal.MIXED.symbol == "▲▼"


def test_sources_agree_only_when_two_point_the_same_way_and_none_the_other() -> None:
    up, down, level = Signal.UP, Signal.DOWN, Signal.LEVEL
    assert rule.agreement([up, up, level, Signal.EVENTS]) == "Samstämmiga: pekar uppåt"
    assert rule.agreement([up, up, down]) == "Källorna går isär"
    assert rule.agreement([down, down, Signal.MISSING]) == "Samstämmiga: pekar nedåt"
    assert rule.agreement([up, level]) == "En källa pekar uppåt"
    assert rule.agreement([level, Signal.TOO_FEW, Signal.EVENTS]) == "Ingen källa pekar ut temat"


def test_points_follow_the_stated_scheme() -> None:
    clear = Findings(bra_above_riket=True, bra_above_lan=True, confirmed_rise=True, sources_up=2, sources_down=1)
    assert sum(p for p, _ in rule.points(clear)) == 2 + 1 + 2 + 1 - 1
    assert rule.stands_out(sum(p for p, _ in rule.points(clear)))
    # a single area above the kommun is not enough; nothing found gives nothing, not a negative score
    assert not rule.stands_out(sum(p for p, _ in rule.points(Findings(area_above=True))))
    assert rule.points(Findings(sources_down=3)) == ()


def test_equal_scores_share_a_place() -> None:
    assert rule.places([7, 5, 5, 3]) == [(1, 1), (2, 2), (2, 2), (4, 1)]
