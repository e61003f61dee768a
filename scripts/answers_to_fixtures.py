"""Turn the answers one run of `lagesbild check-sources` kept into the recorded fixtures the tests replay, in one
step (the folder it wrote, e.g. data/contracts/<UTC time>/ or the weekly job's artifact, unpacked):

    uv run python scripts/answers_to_fixtures.py data/contracts/20261207T042301Z

The answers of the sources the run checked replace theirs in tests/data/contracts/ (or DEST, the second
argument); the other sources' fixtures are kept, and index.json and PROVENANCE.md (each file's URL, time, status
and sha256) cover them all. Refused, changing nothing, when a source was unreachable,
a request got no answer, or a file differs from its recorded sha256. Then run
`uv run pytest tests/contracts -q`: the replayed answers must pass, or the parsers must follow the change.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src")]

from lagesbild_cli.contracts.answers import to_fixtures  # noqa: E402
from lagesbild_cli.errors import LagesbildError  # noqa: E402

DEST = ROOT / "tests" / "data" / "contracts"


def main(argv: list[str]) -> int:
    if any(arg in ("-h", "--help") for arg in argv):
        print(__doc__)
        return 0
    if len(argv) not in (1, 2) or any(arg.startswith("-") for arg in argv):
        print(__doc__, file=sys.stderr)
        return 2
    folder, dest = Path(argv[0]), Path(argv[1]) if len(argv) == 2 else DEST
    try:
        written = to_fixtures(folder, dest)
    except LagesbildError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    print(f"Wrote {len(written)} files into {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
