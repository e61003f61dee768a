"""lagesbild.toml → a typed, validated :class:`Config`.

This is the only module that resolves paths: the data folders are relative to the config file,
``queries/`` and ``templates/`` come from the installed package or the repository root.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from lagesbild_cli.errors import ConfigError, UnknownKommunError
from lagesbild_cli.settings.analysis import NO_ANALYSIS_SETTINGS, AnalysisSettings, parse_analysis
from lagesbild_cli.settings.defaults import DEFAULT_CONFIG
from lagesbild_cli.settings.kommuner import (
    Kommun,
    example_kommun,
    find_kommun,
    find_lan,
    resolve_kommun,
    suggest_kommuner,
)
from lagesbild_cli.settings.plan import PlanSettings, parse_plan
from lagesbild_cli.settings.survey_mapping import SurveyMapping, parse_survey
from lagesbild_cli.settings.toml_table import TomlTable

BRA_PAGE_URL = "https://bra.se/statistik/indikatorer-for-kommuners-lagesbild"


@dataclass(frozen=True)
class ReportSettings:
    title: str
    compiled_by: str
    decision_body: str


@dataclass(frozen=True)
class ProfileSettings:
    """The kommun's graphic profile: its own Word template (a reference document) for lagesbild.docx."""

    word_template: Path | None = None  # resolved; None: the neutral template lagesbild ships


@dataclass(frozen=True)
class HttpSettings:
    contact: str
    timeout_seconds: float
    retries: int = 3
    backoff_seconds: float = 2.0


@dataclass(frozen=True)
class BraSettings:
    page_url: str
    discover: bool
    urls: dict[str, str] = field(default_factory=dict)  # kommun code → workbook URL
    enabled: bool = True
    browser: str = "auto"  # "auto", "never", or the path or command name of Chrome/Chromium
    search_interval_seconds: float = 2.0  # spacing between two searches on Brå's page


@dataclass(frozen=True)
class ServiceSettings:
    """A source reached at one base URL (Polisen, SCB, geodata)."""

    url: str
    enabled: bool = True


@dataclass(frozen=True)
class KoladaSettings:
    url: str
    kpis: tuple[str, ...]
    first_year: int
    enabled: bool = True
    fire_kpis: tuple[str, ...] = ()  # shown with the rescue services, each definition as its own series


@dataclass(frozen=True)
class McfSettings:
    """MCF's statistics database (PxWeb v1): the base URL, the table and how many years to fetch."""

    url: str
    table: str
    years: int
    enabled: bool = True


NO_PLAN = PlanSettings(narrative_dir=None, problems=())
POLISEN_URL = "https://polisen.se/api/events"
SCB_URL = "https://statistikdatabasen.scb.se/api/v2"
KOLADA_URL = "https://api.kolada.se/v3"
# Brå-based KPIs: reported crime total, violent crime, burglary, drug crime, vandalism; all per 100 000
KOLADA_KPIS = ("N07540", "N07403", "N07546", "N07544", "U07452")
# Building fires per 1 000 inhabitants: U07415 (-2023, "utvecklade bränder") and N07415 (2024-, "spridning
# från startobjektet"); Kolada says the two are not comparable
KOLADA_FIRE_KPIS = ("U07415", "N07415")
MCF_URL = "https://statistik.mcf.se/PxWeb/api/v1/sv/PxData"
MCF_TABLE = "B/B1/B11"
GEO_URL = "https://raw.githubusercontent.com/okfse/sweden-geojson/master/swedish_municipalities.geojson"


@dataclass(frozen=True)
class Config:
    path: Path
    kommun: Kommun
    report: ReportSettings
    http: HttpSettings
    bra: BraSettings
    polisen: ServiceSettings
    scb: ServiceSettings
    kolada: KoladaSettings
    geo: ServiceSettings
    data_dir: Path
    home: Kommun  # the config's own kommun ([kommun] kod), whatever --kommun or --lan builds
    mcf: McfSettings = McfSettings(MCF_URL, MCF_TABLE, 10)
    survey: SurveyMapping | None = None
    plan: PlanSettings = NO_PLAN
    profile: ProfileSettings = ProfileSettings()
    analysis: AnalysisSettings = NO_ANALYSIS_SETTINGS

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def processed_dir(self) -> Path:
        return self.data_dir / "processed"

    @property
    def db_path(self) -> Path:
        return self.processed_dir / "lagesbild.duckdb"

    @property
    def reports_dir(self) -> Path:
        return self.processed_dir / "reports"

    @property
    def queries_dir(self) -> Path:
        return _content_dir("queries")

    @property
    def templates_dir(self) -> Path:
        return _content_dir("templates")

    @property
    def owns_inputs(self) -> bool:
        """True when the report's kommun is the config's own: only then do the survey, the rescue
        service's export, the measures, the problems and the narrative texts belong to it."""
        return self.kommun.kod == self.home.kod

    def with_kommun(self, code_or_name: str) -> Config:
        """The same settings for another kommun (``--kommun``); ``home`` stays the config's own."""
        return replace(self, kommun=resolve_kommun(code_or_name, where="--kommun", example=self.kommun))


def _content_dir(name: str) -> Path:
    """queries/ and templates/: package data when installed, the repository root when editable."""
    here = Path(__file__).resolve().parents[1]  # the package, above settings/
    for candidate in (here / name, here.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise ConfigError(
        f"The folder {name}/ was not found next to the package ({here}).",
        hint="Reinstall lagesbild (uv sync) so that queries/ and templates/ are included.",
    )


def load_config(path: Path | None = None) -> Config:
    """Read and validate a config file; every problem names the key, the file and the expected form."""
    path = (path or DEFAULT_CONFIG).resolve()
    if not path.is_file():
        raise ConfigError(
            f"No config file at {path}.",
            hint="Run lagesbild in the folder that holds lagesbild.toml, or pass --config PATH.",
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{path} is not valid TOML: {exc}.", hint="Fix the syntax; the README has a complete example."
        ) from None
    return _parse(data, path)


def _parse(data: dict[str, Any], path: Path) -> Config:
    root = TomlTable(data, "", path)
    kommun = _parse_kommun(root.table("kommun"))

    rep = root.table("report")
    report = ReportSettings(
        title=rep.get(
            "title",
            str,
            'a string, e.g. "Lägesbild över brottslighet och trygghet"',
            "Lägesbild över brottslighet och trygghet",
        ),
        compiled_by=rep.get("compiled_by", str, "a string naming the samordningsfunktion"),
        decision_body=rep.get("decision_body", str, 'a string, e.g. "Kommunstyrelsen"'),
    )
    rep.reject_unknown()
    profile = _parse_profile(root.table("profil", required=False), path.parent)

    paths = root.table("paths", required=False)
    data_dir = Path(paths.get("data_dir", str, "a folder path relative to the config file", "data"))
    paths.reject_unknown()

    http = root.table("http", required=False)
    http_settings = HttpSettings(
        contact=http.get("contact", str, "an e-mail address or URL where Brå and Polisen can reach you", ""),
        timeout_seconds=http.get("timeout_seconds", float, "a number of seconds, e.g. 30", 30.0),
        retries=http.get("retries", int, "a whole number of retries after a failed call, e.g. 3", 3),
        backoff_seconds=http.get("backoff_seconds", float, "seconds before the first retry, e.g. 2", 2.0),
    )
    if not 0 <= http_settings.retries <= 10:
        raise http.error("retries", f"is {http_settings.retries}", "a whole number from 0 to 10")
    if http_settings.timeout_seconds <= 0:
        raise http.error("timeout_seconds", f"is {http_settings.timeout_seconds}", "a positive number of seconds")
    http.reject_unknown()

    sources = root.table("sources", required=False)
    bra = _parse_bra(sources.table("bra", required=False), kommun)
    polisen = _parse_service(sources.table("polisen", required=False), "url", POLISEN_URL)
    scb = _parse_service(sources.table("scb", required=False), "url", SCB_URL)
    kolada = _parse_kolada(sources.table("kolada", required=False))
    mcf = _parse_mcf(sources.table("mcf", required=False))
    geo = _parse_service(sources.table("geo", required=False), "kommuner_url", GEO_URL)
    sources.reject_unknown()
    survey_table = root.table("survey", required=False)
    survey = parse_survey(survey_table)
    if survey is not None:
        _check_survey_deso(survey_table, survey, kommun)
    plan = parse_plan(root.table("narrative", required=False), root.table("plan", required=False), path.parent)
    analysis = parse_analysis(root.table("analys", required=False), path.parent)
    root.reject_unknown()

    return Config(
        path=path,
        kommun=kommun,
        report=report,
        http=http_settings,
        bra=bra,
        polisen=polisen,
        scb=scb,
        kolada=kolada,
        geo=geo,
        mcf=mcf,
        data_dir=(path.parent / data_dir).resolve(),
        home=kommun,
        survey=survey,
        plan=plan,
        profile=profile,
        analysis=analysis,
    )


def _parse_profile(table: TomlTable, base: Path) -> ProfileSettings:
    name = table.get("word_template", str, 'a Word document (.docx) relative to the config file, e.g. "mall.docx"', "")
    table.reject_unknown()
    if not name:
        return ProfileSettings()
    path = (base / name).resolve()
    if path.suffix.lower() != ".docx":
        raise table.error(
            "word_template",
            f"names {path}",
            "a Word document saved as .docx (save a .dotx or .doc template as a Word document first)",
        )
    return ProfileSettings(word_template=path)  # that it exists is checked when a document is made


def _parse_kommun(table: TomlTable) -> Kommun:
    named = table.data.get("namn")
    by_name = find_kommun(named) if isinstance(named, str) else None  # the example, when namn is right
    expected = f'a four-digit kommun code as a string, e.g. kod = "{example_kommun(by_name).kod}"'
    code = table.get("kod", str, expected)
    try:
        kommun = resolve_kommun(code, where=f"{table.path}, key 'kommun.kod'", example=by_name)
    except UnknownKommunError:
        close = suggest_kommuner(code)
        if close:
            expected = (
                f'the kommun\'s four-digit code as a string; did you mean kod = "{close[0].kod}" ({close[0].namn})?'
            )
        raise table.error("kod", f"is {code!r}, which is not one of Sweden's 290 kommuner", expected) from None
    name = table.get("namn", str, f'the kommun\'s name, e.g. namn = "{kommun.namn}"', kommun.namn)
    found = resolve_kommun(name, where=f"{table.path}, key 'kommun.namn'") if name else kommun
    if found != kommun:
        raise table.error("namn", f"is {name!r} but kod {kommun.kod} is {kommun.namn}", f'namn = "{kommun.namn}"')
    lan = table.get("lan", str, f'the län code, e.g. lan = "{kommun.lan_kod}"', kommun.lan_kod)
    if find_lan(lan) != kommun.lan:
        raise table.error("lan", f"is {lan!r} but {kommun.namn} lies in {kommun.lan.namn}", f'lan = "{kommun.lan_kod}"')
    table.reject_unknown()
    return kommun


def _check_survey_deso(table: TomlTable, survey: SurveyMapping, kommun: Kommun) -> None:
    """Every DeSO code of a survey area lies in the config's kommun (a DeSO code starts with its code)."""
    for area in survey.areas:
        outside = [code for code in area.deso if not code.startswith(kommun.kod)]
        if outside:
            key = f'areas."{area.name}"'
            raise table.error(
                f"{key}.deso",
                f"has the DeSO code {outside[0]!r}, which lies outside {kommun.namn} ({kommun.kod})",
                f'DeSO codes of {kommun.namn}, which start with {kommun.kod} (e.g. "{kommun.kod}C1010"); '
                "a survey mapping copied from another kommun must be rewritten for this kommun's survey",
            )


def _parse_bra(table: TomlTable, own: Kommun) -> BraSettings:
    page_url = table.get("page_url", str, "an https URL of Brå's indicator page", BRA_PAGE_URL)
    _check_url(table, "page_url", page_url)
    discover = table.get("discover", bool, "true or false", True)
    enabled = table.get("enabled", bool, "true or false", True)
    urls_table = table.table("urls", required=False)
    urls: dict[str, str] = {}
    for key in list(urls_table.data):
        url = urls_table.get(key, str, "a workbook URL as a string")
        try:
            kommun = resolve_kommun(key)
        except UnknownKommunError:
            close = suggest_kommuner(key, n=1)
            example = close[0] if close else own
            raise urls_table.error(
                key,
                "is not a kommun code or name",
                f'a kommun code or name as key, e.g. "{example.kod}" = "https://…/{example.namn}.xlsx"',
            ) from None
        _check_url(urls_table, key, url)
        urls[kommun.kod] = url
    browser = table.get(
        "browser", str, '"auto", "never", or the path of Chrome or Chromium, e.g. "/usr/bin/chromium"', "auto"
    ).strip()
    if not browser:
        raise table.error("browser", "is empty", '"auto", "never", or the path of Chrome or Chromium')
    interval = table.get("search_interval_seconds", float, "seconds between two searches, e.g. 2", 2.0)
    if not 0 <= interval <= 60:
        raise table.error("search_interval_seconds", f"is {interval}", "a number of seconds from 0 to 60")
    table.reject_unknown()
    return BraSettings(
        page_url=page_url,
        discover=discover,
        urls=urls,
        enabled=enabled,
        browser=browser,
        search_interval_seconds=interval,
    )


def _parse_service(table: TomlTable, url_key: str, default_url: str, *, complete: bool = True) -> ServiceSettings:
    """The URL and ``enabled`` keys; ``complete`` when the table has no other keys."""
    url = table.get(url_key, str, "an https URL", default_url)
    _check_url(table, url_key, url)
    enabled = table.get("enabled", bool, "true or false", True)
    if complete:
        table.reject_unknown()
    return ServiceSettings(url=url, enabled=enabled)


def _parse_kolada(table: TomlTable) -> KoladaSettings:
    service = _parse_service(table, "url", KOLADA_URL, complete=False)
    kpis = table.get("kpis", list, 'a list of Kolada KPI ids, e.g. ["N07540", "N07403"]', list(KOLADA_KPIS))
    if not kpis or not all(isinstance(k, str) and k[:1].isalpha() for k in kpis):
        raise table.error("kpis", f"is {kpis!r}", 'a non-empty list of KPI ids as strings, e.g. ["N07540"]')
    fire = table.get("fire_kpis", list, 'a list of Kolada KPI ids, e.g. ["U07415", "N07415"]', list(KOLADA_FIRE_KPIS))
    if not all(isinstance(k, str) and k[:1].isalpha() for k in fire):
        raise table.error("fire_kpis", f"is {fire!r}", 'a list of KPI ids as strings, e.g. ["U07415", "N07415"]')
    first_year = table.get("first_year", int, "a year, e.g. 2015", 2015)
    if not 1990 <= first_year <= 2100:
        raise table.error("first_year", f"is {first_year}", "a year such as 2015")
    table.reject_unknown()
    return KoladaSettings(
        url=service.url, kpis=tuple(kpis), first_year=first_year, enabled=service.enabled, fire_kpis=tuple(fire)
    )


def _parse_mcf(table: TomlTable) -> McfSettings:
    service = _parse_service(table, "url", MCF_URL, complete=False)
    name = table.get("table", str, 'the table\'s path under the URL, e.g. "B/B1/B11"', MCF_TABLE)
    years = table.get("years", int, "how many of the newest years to fetch, e.g. 10", 10)
    if not 1 <= years <= 30:
        raise table.error("years", f"is {years}", "a whole number of years from 1 to 30")
    table.reject_unknown()
    return McfSettings(url=service.url, table=name, years=years, enabled=service.enabled)


def _check_url(table: TomlTable, key: str, url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise table.error(key, f"is {url!r}, which is not an http(s) URL", "an absolute URL starting with https://")
