"""lagesbild: a municipality's lägesbild of crime (SFS 2023:196) from open data.

The library API lives in :mod:`lagesbild_cli.pipeline`; the ``lagesbild`` command is a thin
shell over it.
"""

from lagesbild_cli.errors import LagesbildError

__version__ = "0.1.0"
__all__ = ["LagesbildError", "__version__"]
