"""The report's own text is Swedish in any case; the errors a build gives its user are Swedish by default too,
with the commands to run as printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from lagesbild_cli.context.changes import read_previous
from lagesbild_cli.context.gaps import check_final, gaps
from lagesbild_cli.errors import DataMissingError, ValidationError


def test_a_missing_earlier_report_reads_in_swedish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "sv")
    with pytest.raises(ValidationError) as caught:
        read_previous(tmp_path / "indikatorer.csv")
    assert str(caught.value) == (
        f"{tmp_path / 'indikatorer.csv'} finns inte.\n"
        "  → Ange mappen med en tidigare rapport eller dess csv/indikatorer.csv med --compare-with."
    )


def test_a_refused_final_reads_in_swedish_with_the_commands_as_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "sv")
    found = gaps("Mora", 2024, {"bra": False, "polisen": True}, ())
    with pytest.raises(DataMissingError) as caught:
        check_final(found, (), "Mora")
    message = str(caught.value)
    assert message.startswith("En slutversion av rapporten för Mora behöver uppgifter till alla avsnitt")
    assert "polisen (saknas)" in message
    assert "→ polisen: kör 'lagesbild fetch --source polisen', eller spara polisen.se/api/events" in message
    assert "→ eller publicera utan dem: build --final --allow-missing polisen" in message
