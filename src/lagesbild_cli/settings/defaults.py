"""The defaults the command line shows before any config is read: the config file's name, the sources and the
demo's folder. Kept free of imports so that ``--help`` answers as fast as Typer itself (tests/test_startup.py)."""

from __future__ import annotations

from pathlib import Path

DEFAULT_CONFIG = Path("lagesbild.toml")
SOURCE_NAMES = ("bra", "polisen", "scb", "kolada", "mcf", "geo")
DEMO_DIR = Path("lagesbild-demo")
