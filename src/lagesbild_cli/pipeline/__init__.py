"""The library API: fetch, import, load and build — callable without the CLI.

from lagesbild_cli import pipeline
from lagesbild_cli.settings.config import load_config

config = load_config(Path("lagesbild.toml"))
pipeline.fetch(config)
pipeline.build(config, year=2023)

pipeline.demo(Path("lagesbild-demo"))  # an example project for Gagnef, offline

The steps live in :mod:`.fetching` (fetch, load), :mod:`.imports` (files a person brings) and :mod:`.reports`
(build, preview, a whole län, the demo); this package is their one front door.
"""

from lagesbild_cli.pipeline.fetching import FetchReport, Progress, enabled_sources, fetch, load, locked, select_sources
from lagesbild_cli.pipeline.imports import (
    DesoAreas,
    deso_areas,
    import_bra,
    import_geo,
    import_kolada,
    import_mcf,
    import_polisen,
    import_raddning,
    import_scb,
    import_survey,
    suggest_survey,
)
from lagesbild_cli.pipeline.reports import (
    DemoResult,
    build,
    build_many,
    check_sources,
    demo,
    draft_analysis,
    preview,
)

__all__ = [
    "DemoResult",
    "DesoAreas",
    "FetchReport",
    "Progress",
    "build",
    "build_many",
    "check_sources",
    "demo",
    "deso_areas",
    "draft_analysis",
    "enabled_sources",
    "fetch",
    "import_bra",
    "import_geo",
    "import_kolada",
    "import_mcf",
    "import_polisen",
    "import_raddning",
    "import_scb",
    "import_survey",
    "load",
    "locked",
    "preview",
    "select_sources",
    "suggest_survey",
]
