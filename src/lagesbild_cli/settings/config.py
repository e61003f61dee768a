"""lagesbild.toml → a typed, validated :class:`Config`.

This is the only module that resolves paths: the data folders are relative to the config file,
``queries/`` and ``templates/`` come from the installed package or the repository root.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from lagesbild_cli.errors import ConfigError, UnknownKommunError
from lagesbild_cli.i18n import _
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
from lagesbild_cli.settings.profile import HEX_COLOUR, FontFile, Logo, read_font, read_logo
from lagesbild_cli.settings.survey_mapping import SurveyMapping, parse_survey
from lagesbild_cli.settings.toml_table import TomlTable, read_toml

BRA_PAGE_URL = "https://bra.se/statistik/indikatorer-for-kommuners-lagesbild"


@dataclass(frozen=True)
class ReportSettings:
    title: str
    compiled_by: str
    decision_body: str


@dataclass(frozen=True)
class ProfileSettings:
    """The kommun's graphic profile: its own Word template (a reference document) for lagesbild.docx, its
    logo, primary colour and typeface (checked when the config is read, see :mod:`settings.profile`)."""

    word_template: Path | None = None  # resolved; None: the neutral template lagesbild ships
    logo: Logo | None = None
    colour: str | None = None  # "#rrggbb" as given; the report computes a contrast-safe shade
    fonts: tuple[FontFile, ...] = ()  # regular, then bold when given


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
# the risk and protective factors and the model deviations of "Annan information av betydelse" (context/factors.py)
KOLADA_FACTOR_KPIS = ("N03937", "N02797", "N31816", "N02905", "N15436", "U00489", "U00490")
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
        _("The folder {name}/ was not found next to the package ({package}).").format(name=name, package=here),
        hint=_("Reinstall lagesbild (uv sync) so that queries/ and templates/ are included."),
    )


def load_config(path: Path | None = None) -> Config:
    """Read and validate a config file; every problem names the key, the file and the expected form."""
    path = (path or DEFAULT_CONFIG).resolve()
    if not path.is_file():
        raise ConfigError(
            _("No config file at {path}.").format(path=path),
            hint=_("Run lagesbild in the folder that holds lagesbild.toml, or pass --config PATH."),
        )
    return _parse(read_toml(path, _("Fix the syntax; the README has a complete example.")), path)


def _parse(data: dict[str, Any], path: Path) -> Config:
    root = TomlTable(data, "", path)
    kommun = _parse_kommun(root.table("kommun"))

    rep = root.table("report")
    report = ReportSettings(
        title=rep.get(
            "title",
            str,
            _('a string, e.g. "Lägesbild över brottslighet och trygghet"'),
            "Lägesbild över brottslighet och trygghet",
        ),
        compiled_by=rep.get("compiled_by", str, _("a string naming the samordningsfunktion")),
        decision_body=rep.get("decision_body", str, _('a string, e.g. "Kommunstyrelsen"')),
    )
    rep.reject_unknown()
    profile = _parse_profile(root.table("profil", required=False), path.parent)

    paths = root.table("paths", required=False)
    data_dir = Path(paths.get("data_dir", str, _("a folder path relative to the config file"), "data"))
    paths.reject_unknown()

    http = root.table("http", required=False)
    http_settings = HttpSettings(
        contact=http.get("contact", str, _("an e-mail address or URL where Brå and Polisen can reach you"), ""),
        timeout_seconds=http.get("timeout_seconds", float, _("a number of seconds, e.g. 30"), 30.0),
        retries=http.get("retries", int, _("a whole number of retries after a failed call, e.g. 3"), 3),
        backoff_seconds=http.get("backoff_seconds", float, _("seconds before the first retry, e.g. 2"), 2.0),
    )
    if not 0 <= http_settings.retries <= 10:
        raise http.error(
            "retries", _("is {value}").format(value=http_settings.retries), _("a whole number from 0 to 10")
        )
    if http_settings.timeout_seconds <= 0:
        raise http.error(
            "timeout_seconds",
            _("is {value}").format(value=http_settings.timeout_seconds),
            _("a positive number of seconds"),
        )
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
    name = table.get(
        "word_template", str, _('a Word document (.docx) relative to the config file, e.g. "mall.docx"'), ""
    )
    logo = table.get("logo", str, _('an SVG or PNG file relative to the config file, e.g. "logo.svg"'), "")
    colour = table.get("farg", str, _('the primary colour as #rrggbb, e.g. "#005B99"'), "")
    regular = table.get("typsnitt", str, _('a .ttf or .otf file relative to the config file, e.g. "Sans.ttf"'), "")
    bold = table.get("typsnitt_fet", str, _('the bold .ttf or .otf file, e.g. "Sans-Bold.ttf"'), "")
    table.reject_unknown()
    if colour and not HEX_COLOUR.fullmatch(colour):
        raise table.error(
            "farg",
            _("is {value}").format(value=repr(colour)),
            _('the primary colour as six hex digits, e.g. farg = "#005B99"'),
        )
    path: Path | None = None
    if name:
        path = (base / name).resolve()
        if path.suffix.lower() != ".docx":
            raise table.error(
                "word_template",
                _("names {path}").format(path=path),
                _("a Word document saved as .docx (save a .dotx or .doc template as a Word document first)"),
            )
    if bold and not regular:
        raise table.error("typsnitt_fet", _("is given without typsnitt"), _("typsnitt (the regular weight) as well"))
    fonts = tuple(read_font((base / f).resolve(), weight) for f, weight in ((regular, 400), (bold, 700)) if f)
    return ProfileSettings(
        word_template=path,  # that it exists is checked when a document is made
        logo=read_logo((base / logo).resolve()) if logo else None,
        colour=colour.lower() if colour else None,
        fonts=fonts,
    )


def _parse_kommun(table: TomlTable) -> Kommun:
    named = table.data.get("namn")
    by_name = find_kommun(named) if isinstance(named, str) else None  # the example, when namn is right
    expected = _('a four-digit kommun code as a string, e.g. kod = "{code}"').format(code=example_kommun(by_name).kod)
    code = table.get("kod", str, expected)
    try:
        kommun = resolve_kommun(code, where=_where(table, "kommun.kod"), example=by_name)
    except UnknownKommunError:
        close = suggest_kommuner(code)
        if close:
            expected = _('the kommun\'s four-digit code as a string; did you mean kod = "{code}" ({name})?').format(
                code=close[0].kod, name=close[0].namn
            )
        problem = _("is {value}, which is not one of Sweden's 290 kommuner").format(value=repr(code))
        raise table.error("kod", problem, expected) from None
    name = table.get("namn", str, _('the kommun\'s name, e.g. namn = "{name}"').format(name=kommun.namn), kommun.namn)
    found = resolve_kommun(name, where=_where(table, "kommun.namn")) if name else kommun
    if found != kommun:
        problem = _("is {value} but kod {code} is {name}").format(value=repr(name), code=kommun.kod, name=kommun.namn)
        raise table.error("namn", problem, f'namn = "{kommun.namn}"')
    lan = table.get("lan", str, _('the län code, e.g. lan = "{code}"').format(code=kommun.lan_kod), kommun.lan_kod)
    if find_lan(lan) != kommun.lan:
        problem = _("is {value} but {kommun} lies in {lan}").format(
            value=repr(lan), kommun=kommun.namn, lan=kommun.lan.namn
        )
        raise table.error("lan", problem, f'lan = "{kommun.lan_kod}"')
    table.reject_unknown()
    return kommun


def _where(table: TomlTable, key: str) -> str:
    """Where a value was read, as an error names it: the file and the key."""
    return _("{path}, key '{key}'").format(path=table.path, key=key)


def _check_survey_deso(table: TomlTable, survey: SurveyMapping, kommun: Kommun) -> None:
    """Every DeSO code of a survey area lies in the config's kommun (a DeSO code starts with its code)."""
    for area in survey.areas:
        outside = [code for code in area.deso if not code.startswith(kommun.kod)]
        if outside:
            key = f'areas."{area.name}"'
            raise table.error(
                f"{key}.deso",
                _("has the DeSO code {value}, which lies outside {kommun} ({code})").format(
                    value=repr(outside[0]), kommun=kommun.namn, code=kommun.kod
                ),
                _(
                    'DeSO codes of {kommun}, which start with {code} (e.g. "{code}C1010"); '
                    "a survey mapping copied from another kommun must be rewritten for this kommun's survey"
                ).format(kommun=kommun.namn, code=kommun.kod),
            )


def _parse_bra(table: TomlTable, own: Kommun) -> BraSettings:
    page_url = table.get("page_url", str, _("an https URL of Brå's indicator page"), BRA_PAGE_URL)
    _check_url(table, "page_url", page_url)
    discover = table.get("discover", bool, _("true or false"), True)
    enabled = table.get("enabled", bool, _("true or false"), True)
    urls_table = table.table("urls", required=False)
    urls: dict[str, str] = {}
    for key in list(urls_table.data):
        url = urls_table.get(key, str, _("a workbook URL as a string"))
        try:
            kommun = resolve_kommun(key)
        except UnknownKommunError:
            close = suggest_kommuner(key, n=1)
            example = close[0] if close else own
            raise urls_table.error(
                key,
                _("is not a kommun code or name"),
                _('a kommun code or name as key, e.g. "{code}" = "https://…/{name}.xlsx"').format(
                    code=example.kod, name=example.namn
                ),
            ) from None
        _check_url(urls_table, key, url)
        urls[kommun.kod] = url
    browser = table.get(
        "browser", str, _('"auto", "never", or the path of Chrome or Chromium, e.g. "/usr/bin/chromium"'), "auto"
    ).strip()
    if not browser:
        raise table.error("browser", _("is empty"), _('"auto", "never", or the path of Chrome or Chromium'))
    interval = table.get("search_interval_seconds", float, _("seconds between two searches, e.g. 2"), 2.0)
    if not 0 <= interval <= 60:
        raise table.error(
            "search_interval_seconds", _("is {value}").format(value=interval), _("a number of seconds from 0 to 60")
        )
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
    url = table.get(url_key, str, _("an https URL"), default_url)
    _check_url(table, url_key, url)
    enabled = table.get("enabled", bool, _("true or false"), True)
    if complete:
        table.reject_unknown()
    return ServiceSettings(url=url, enabled=enabled)


def _parse_kolada(table: TomlTable) -> KoladaSettings:
    service = _parse_service(table, "url", KOLADA_URL, complete=False)
    kpis = table.get("kpis", list, _('a list of Kolada KPI ids, e.g. ["N07540", "N07403"]'), list(KOLADA_KPIS))
    if not kpis or not all(isinstance(k, str) and k[:1].isalpha() for k in kpis):
        raise table.error(
            "kpis",
            _("is {value}").format(value=repr(kpis)),
            _('a non-empty list of KPI ids as strings, e.g. ["N07540"]'),
        )
    fire = table.get(
        "fire_kpis", list, _('a list of Kolada KPI ids, e.g. ["U07415", "N07415"]'), list(KOLADA_FIRE_KPIS)
    )
    if not all(isinstance(k, str) and k[:1].isalpha() for k in fire):
        raise table.error(
            "fire_kpis",
            _("is {value}").format(value=repr(fire)),
            _('a list of KPI ids as strings, e.g. ["U07415", "N07415"]'),
        )
    first_year = table.get("first_year", int, _("a year, e.g. 2015"), 2015)
    if not 1990 <= first_year <= 2100:
        raise table.error("first_year", _("is {value}").format(value=first_year), _("a year such as 2015"))
    table.reject_unknown()
    return KoladaSettings(
        url=service.url, kpis=tuple(kpis), first_year=first_year, enabled=service.enabled, fire_kpis=tuple(fire)
    )


def _parse_mcf(table: TomlTable) -> McfSettings:
    service = _parse_service(table, "url", MCF_URL, complete=False)
    name = table.get("table", str, _('the table\'s path under the URL, e.g. "B/B1/B11"'), MCF_TABLE)
    years = table.get("years", int, _("how many of the newest years to fetch, e.g. 10"), 10)
    if not 1 <= years <= 30:
        raise table.error("years", _("is {value}").format(value=years), _("a whole number of years from 1 to 30"))
    table.reject_unknown()
    return McfSettings(url=service.url, table=name, years=years, enabled=service.enabled)


def _check_url(table: TomlTable, key: str, url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise table.error(
            key,
            _("is {value}, which is not an http(s) URL").format(value=repr(url)),
            _("an absolute URL starting with https://"),
        )
