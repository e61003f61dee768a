"""The ``lagesbild`` command: thin Typer commands over :mod:`lagesbild_cli.pipeline`.

- :mod:`.app`: the Typer app, its options, and the one place where errors and interrupts become exit codes;
- :mod:`.data`: getting data in (fetch, the imports, the survey's helpers, load);
- :mod:`.reports`: building reports (build, demo);
- :mod:`.project`: the project and the tool (init, kommuner, doctor, check-sources, version).

Importing this package registers every command, in the order the help lists them.
"""

# importing a module registers its commands: in this order, the order the help lists them
from lagesbild_cli.cli import data  # noqa: F401  # isort: skip
from lagesbild_cli.cli import reports  # noqa: F401  # isort: skip
from lagesbild_cli.cli import project  # noqa: F401  # isort: skip
from lagesbild_cli.cli.app import EXIT_BUG, EXIT_ERROR, EXIT_USAGE, app, main

__all__ = ["EXIT_BUG", "EXIT_ERROR", "EXIT_USAGE", "app", "main"]
