"""What a Swedish user reads from the sources, the pipeline and check-sources: the messages are in Swedish by
default (the rest of the suite reads the English fallback, LANGUAGE=en), with the commands, keys and file names
kept as they are typed."""

from __future__ import annotations

import tomllib
from datetime import date

import httpx
import pytest

from conftest import SURVEY_CSV
from lagesbild_cli.context.gaps import check_final, gaps
from lagesbild_cli.contracts.base import newest_ok
from lagesbild_cli.contracts.outcome import CHANGED, OK, Outcome
from lagesbild_cli.errors import ConfigError, DataMissingError, FetchError, ParseError, ValidationError
from lagesbild_cli.pipeline.fetching import select_sources
from lagesbild_cli.settings.config import Config, HttpSettings
from lagesbild_cli.sources import SourceResult, bra, by_hand, survey_file, survey_suggest, survey_toml
from lagesbild_cli.sources._http import Http

SETTINGS = HttpSettings(contact="brott@example.se", timeout_seconds=2.0, retries=2, backoff_seconds=0.0)


@pytest.fixture(autouse=True)
def swedish(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "sv")


def test_a_file_that_is_no_workbook_is_refused_in_swedish() -> None:
    with pytest.raises(ParseError) as caught:
        bra.parse(b"<html>felsida</html>", "Gagnef.xlsx")
    assert caught.value.message.startswith("Gagnef.xlsx är ingen läsbar xlsx-arbetsbok (BadZipFile: ")
    assert caught.value.hint == "Ladda ner arbetsboken från Brå igen. Webbläsaren kan ha sparat en felsida."


def test_a_404_and_an_unreachable_host_read_in_swedish() -> None:
    def gone(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404)

    with Http(SETTINGS, transport=httpx.MockTransport(gone), sleep=lambda _s: None) as http:
        with pytest.raises(FetchError) as caught:
            http.get("https://bra.se/x.xlsx", what="Brås arbetsbok för Gagnef")
    assert caught.value.message == "https://bra.se/x.xlsx svarade HTTP 404 när Brås arbetsbok för Gagnef hämtades."
    assert caught.value.hint is not None and caught.value.hint.startswith("Resursen är borta eller har flyttats")

    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -2] Name or service not known")

    with Http(SETTINGS, transport=httpx.MockTransport(offline), sleep=lambda _s: None) as http:
        with pytest.raises(FetchError) as caught:
            http.get("https://bra.se/x.xlsx", what="Brås indikatorsida")
    assert caught.value.message == "inget nätverk: bra.se gick inte att nå"
    assert "Kontrollera datorns internetanslutning (och proxy)" in str(caught.value.hint)


def test_the_fetch_summary_counts_in_swedish() -> None:
    result = SourceResult("bra", fetched=1, unchanged=14)
    assert (result.status, result.summary()) == ("hämtat", "1 hämtad, 14 oförändrade")
    result.fail(FetchError("trasigt"))
    assert result.status == "fel" and result.summary() == "1 hämtad, 14 oförändrade, 1 misslyckades"
    assert SourceResult("geo").summary() == "inget att göra"


def test_the_by_hand_instruction_keeps_the_command_runnable() -> None:
    line = by_hand.hint("scb", "lagesbild import scb FIL", ["https://api.scb.se/x"])
    assert line == (
        "SCB: öppna https://api.scb.se/x i en webbläsare, spara varje svar som en fil och kör sedan: "
        "lagesbild import scb FIL"
    )


def test_an_unknown_source_is_named_in_swedish(config: Config) -> None:
    with pytest.raises(ConfigError) as caught:
        select_sources(config, ["brå"])
    assert caught.value.message == "Okänd källa 'brå'."
    assert caught.value.hint == "Välj bland: bra, polisen, scb, kolada, mcf, geo."


def test_a_survey_that_does_not_match_its_mapping_says_so_in_swedish(config: Config) -> None:
    assert config.survey is not None
    with pytest.raises(ValidationError) as caught:
        survey_file.read("Löpnr;Omgång\n1;2024\n".encode(), "enkat.csv", config.survey)
    assert caught.value.message.startswith("enkat.csv: ")
    assert "kolumner som nämns i [survey] finns inte i filen:\n  - " in caught.value.message
    assert caught.value.hint == "Rätta kolumnrubrikerna i lagesbild.toml så att de stämmer med filens första rad."


def test_survey_suggest_writes_its_comments_in_swedish() -> None:
    text = survey_toml.to_toml(survey_suggest.suggest(SURVEY_CSV.read_bytes(), SURVEY_CSV.name), today=date(2026, 1, 2))
    assert text.startswith(f"# Förslag till [survey] för {SURVEY_CSV.name} (")
    assert "# gjort av lagesbild survey suggest 2026-01-02. Det är en GISSNING" in text
    assert "# lagesbild import survey FIL." in text
    assert "Proposed" not in text and " rows" not in text
    assert tomllib.loads(text)["survey"]["id_column"]  # still TOML to paste


def test_check_sources_lines_read_in_swedish() -> None:
    assert Outcome("geo", OK, "290 kommuner").line() == "geo      ok: 290 kommuner"
    assert Outcome("scb", CHANGED, "x").line() == "scb      ändrad: x"
    problem = newest_ok(2019, date(2026, 1, 1), "befolkning")
    assert problem == "befolkning: det senaste året är 2019, mer än 2 år före 2026"


def test_a_final_with_a_gap_is_refused_in_swedish_with_commands_to_run() -> None:
    found = gaps("Gagnef", 2024, {"polisen": True}, ())
    with pytest.raises(DataMissingError) as caught:
        check_final(found, (), "Gagnef (2026)")
    assert caught.value.message == (
        "En slutversion av rapporten för Gagnef (2026) behöver uppgifter till alla avsnitt, men de här källorna "
        "saknas eller är inaktuella: polisen (saknas)."
    )
    assert caught.value.hint == (
        "polisen: kör 'lagesbild fetch --source polisen', eller spara polisen.se/api/events i en webbläsare och kör "
        "'lagesbild import polisen FIL'\n  → eller publicera utan dem: build --final --allow-missing polisen "
        "(omslaget och avsnitten säger då det)."
    )
