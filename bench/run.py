"""`make bench`: how fast is lagesbild, measured against the floor set by PDF rendering itself.

Prints its progress and a table, and writes bench/results.json. Not a test: timings vary with the machine.
The single build, the render, the län batch and the serial memory check use the full example project of
`lagesbild demo` (every section with data). The national run and its Dalarna baseline use light reports
(Brå only) from a SYNTHETIC data set: each kommun of the run (60 by default, BENCH_NATIONAL=290 for all)
gets a renamed copy of one Dalarna kommun's real Brå workbook, with its own län's name on the län rows (the
län and riket values stay Dalarna's and Sweden's). Kept PDFs are not reused: every build renders.
"""

from __future__ import annotations

import html as html_text
import io
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import openpyxl
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from lagesbild_cli import batch, pipeline  # noqa: E402
from lagesbild_cli.database import loader  # noqa: E402
from lagesbild_cli.render import pdf_cache, report  # noqa: E402
from lagesbild_cli.settings.config import load_config  # noqa: E402
from lagesbild_cli.settings.kommuner import Kommun, all_kommuner, kommuner_in_lan  # noqa: E402
from lagesbild_cli.storage.raw import Manifest  # noqa: E402

os.environ[pdf_cache.ENV] = "off"  # every build renders: a kept PDF would time nothing
from lagesbild_cli.database.store import open_store  # noqa: E402

BRA = ROOT / "src" / "lagesbild_cli" / "data" / "demo" / "bra"
YEAR = 2024  # the national run's year
# kommuner in the national run: Dalarna's 15 and the first others in SCB's order, 60 in all (the parent hands
# its place to a worker after 20); BENCH_NATIONAL=290 builds them all (about 9 minutes more on 2 cores)
NATIONAL = int(os.environ.get("BENCH_NATIONAL", "60"))
TARGETS = {
    "build_over_render_ratio": ("<=", 1.25),
    "lan_batch_over_serial_ratio": ("<=", 0.6),
    "national_per_kommun_ratio": ("<=", 1.1),
    "peak_rss_mb": ("<=", 500),
    "refetch_body_bytes": ("==", 0),
    "render_per_page_over_plain_ratio": ("<=", 2.5),
    "cli_help_over_typer_ratio": ("<=", 2),
    "serial_peak_rss_mb": ("<=", 400),
}
STARTED = time.perf_counter()


def progress(text: str) -> None:
    print(f"[{time.perf_counter() - STARTED:6.0f} s] {text}", flush=True)


def project(folder: Path) -> Path:
    text = (ROOT / "lagesbild.toml").read_text(encoding="utf-8").replace("retries = 3 ", "retries = 0 ")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "lagesbild.toml").write_text(text, encoding="utf-8")
    return folder / "lagesbild.toml"


def timed(function, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    return timed_result(function, repeat)[0]


def timed_result(function, repeat: int = 3):  # type: ignore[no-untyped-def]
    """The median wall time of ``repeat`` calls, and the last call's result."""
    runs, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), result


def wall_and_cpu(function):  # type: ignore[no-untyped-def]
    """One call's wall time, this process's CPU time for it, and its result."""
    start, start_cpu = time.perf_counter(), time.process_time()
    result = function()
    return time.perf_counter() - start, time.process_time() - start_cpu, result


def peak_self_kb() -> int:
    """This process's peak resident memory (VmHWM) in kB."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def reset_peak() -> bool:
    """Start this process's peak memory afresh (Linux ≥ 4.0: writing 5 to /proc/self/clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    except OSError:
        return False
    return True


def national_sample() -> list[Kommun]:
    dalarna = list(kommuner_in_lan("20"))
    others = [k for k in all_kommuner() if k.lan_kod != "20"]
    return dalarna + others[: max(0, NATIONAL - len(dalarna))]


def synthetic_workbooks(raw_dir: Path, kommuner: list[Kommun]) -> None:
    """A workbook per kommun: Dalarna's real figures under every kommun's name and its own län's name, stored as
    lagesbild stores a workbook (with its manifest entry: every load checks the raw files against it)."""
    manifest = Manifest(raw_dir)
    sources = sorted(BRA.glob("*.xlsx"))
    templates = [(p.stem, p.read_bytes()) for p in sources]
    for n, kommun in enumerate(kommuner):
        name, data = templates[n % len(templates)]
        book = openpyxl.load_workbook(io.BytesIO(data))
        for sheet in book.worksheets:
            for row in sheet.iter_rows(max_row=6):
                for cell in row:
                    if cell.value == name:
                        cell.value = kommun.namn
                    elif cell.value == "Dalarnas län":
                        cell.value = kommun.lan.namn
        out = io.BytesIO()
        book.save(out)
        manifest.store(
            f"bra/{kommun.kod}.xlsx", out.getvalue(), source="bra", origin=f"{kommun.namn}.xlsx", status=None
        )


def refetch_body_bytes(config_path: Path) -> int:
    """Bytes of bodies sent to a second fetch against an unchanged server (conditional requests)."""
    body = (BRA / "Gagnef.xlsx").read_bytes()
    sent = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.end_headers()
                sent.append(0)
                return
            self.send_response(200)
            self.send_header("ETag", '"v1"')
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            sent.append(len(body))

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    text = config_path.read_text(encoding="utf-8")
    url = f"http://127.0.0.1:{server.server_address[1]}/Gagnef.xlsx"
    config_path.write_text(
        text.replace("[sources.bra.urls]\n", f'[sources.bra.urls]\n"2026" = "{url}"\n').replace(
            "discover = true", "discover = false"
        ),
        encoding="utf-8",
    )
    config = load_config(config_path)
    pipeline.fetch(config, ["bra"])
    first = sum(sent)
    pipeline.fetch(config, ["bra"])
    server.shutdown()
    assert first == len(body), "the first fetch should download the workbook"
    return sum(sent) - first


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def plain_html(report_html: str) -> str:
    """The report's words as plain paragraphs in the report's own style sheet, with no tables or charts: the
    floor of rendering that text in that style."""
    style = re.search(r"(?s)<style\b.*?</style>", report_html)
    body = re.sub(r"(?s)<(style|svg|script)\b.*?</\1>", " ", report_html)
    words = html_text.unescape(re.sub(r"<[^>]+>", " ", body)).split()
    paragraphs = [" ".join(words[i : i + 80]) for i in range(0, len(words), 80)]
    head = f"<head>{style.group(0)}</head>" if style else ""
    return (
        f"<html lang='sv'>{head}<body>"
        + "".join(f"<p>{html_text.escape(p)}</p>" for p in paragraphs)
        + "</body></html>"
    )


def subprocess_s(args: list[str], repeat: int = 3) -> float:
    """Median wall time of a fresh interpreter running ``args``, as a user's shell starts it."""
    return timed(lambda: subprocess.run(args, check=True, capture_output=True, cwd=ROOT), repeat)


def serial_peak_rss_mb(config_path: Path, year: int) -> float:
    """The peak resident memory of one län built with workers = 1, in a fresh process (with any it spawns).
    The child reports its own peak: this process's children's peak also holds the national workers'."""
    code = (
        "import resource, sys; from pathlib import Path; from lagesbild_cli import batch; "
        "from lagesbild_cli.settings.config import load_config; "
        "from lagesbild_cli.settings.kommuner import kommuner_in_lan; "
        f"r = batch.build_many(load_config(Path(sys.argv[1])), kommuner_in_lan('20'), {year}, workers=1); "
        "assert not r.failed, r.failed; "
        "print(max(resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(config_path)],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    if done.returncode != 0:
        raise RuntimeError(f"the serial build failed:\n{done.stderr[-3000:]}")
    return round(int(done.stdout.split()[-1]) / 1024, 1)


def main() -> None:
    results: dict[str, object] = {}
    progress("start-up: lagesbild --help against importing Typer alone")
    help_s = subprocess_s([sys.executable, "-m", "lagesbild_cli", "--help"])
    typer_s = subprocess_s([sys.executable, "-c", "import typer"])
    results["cli_help_s"] = round(help_s, 3)
    results["cli_help_over_typer_ratio"] = round(help_s / typer_s, 3)
    with tempfile.TemporaryDirectory(prefix="lagesbild-bench-") as tmp:
        root = Path(tmp)
        progress("the demo: from nothing to the example report")
        start = time.perf_counter()
        demo = pipeline.demo(root / "demo")
        results["demo_s"] = round(time.perf_counter() - start, 2)
        config, year = demo.config, demo.report.context.year
        progress(f"the full demo report ({year}): build, its HTML rendered alone, and its words as plain paragraphs")
        # in turn, three rounds: the machine's drift touches all three alike
        runs: dict[str, list[float]] = {"build": [], "render": [], "render_cpu": [], "plain_cpu": []}
        html = demo.report.html.read_text(encoding="utf-8")  # the demo's build warmed up the process
        plain = plain_html(html)
        report_pdf = plain_pdf = b""
        for _ in range(3):
            runs["build"].append(timed(lambda: pipeline.build(config, year), repeat=1))
            render_s, render_cpu, report_pdf = wall_and_cpu(lambda: report.render_pdf(html))
            runs["render"].append(render_s)
            runs["render_cpu"].append(render_cpu)
            _, plain_cpu, plain_pdf = wall_and_cpu(lambda: report.render_pdf(plain))
            runs["plain_cpu"].append(plain_cpu)
        single, render, render_cpu, plain_cpu = (
            statistics.median(runs[k]) for k in ("build", "render", "render_cpu", "plain_cpu")
        )
        report_pages, plain_pages = pages(report_pdf), pages(plain_pdf)
        results["single_build_s"] = round(single, 3)
        results["render_only_s"] = round(render, 3)
        results["build_over_render_ratio"] = round(single / render, 3)
        results["report_pages"] = report_pages
        # CPU time: both renders run in this process, and what else the machine runs does not count
        results["render_per_page_over_plain_ratio"] = round((render_cpu / report_pages) / (plain_cpu / plain_pages), 3)
        progress("Dalarna's 15 reports and the län overview in parallel")
        lan = timed(lambda: batch.build_many(config, kommuner_in_lan("20"), year), repeat=1)
        results["lan_batch_s"] = round(lan, 2)
        results["lan_batch_over_serial_ratio"] = round(lan / (15 * single), 3)

        sample = national_sample()
        progress(f"making and loading the synthetic national data set ({len(sample)} workbooks)")
        national = load_config(project(root / "national"))
        synthetic_workbooks(national.raw_dir, sample)
        loader.load(national)
        with open_store(national.db_path):
            pass
        # the peak of this process so far belongs to making and loading the synthetic data, not to the build
        results["national_load_peak_rss_mb"] = round(peak_self_kb() / 1024, 1)
        progress("Dalarna's 15 light reports (Brå only) in parallel, the baseline of the national run")
        lan_light = timed(lambda: batch.build_many(national, kommuner_in_lan("20"), YEAR), repeat=1)
        results["lan_light_batch_s"] = round(lan_light, 2)
        measured_from_here = reset_peak()
        progress(f"{len(sample)} kommuner in parallel (the longest step: several minutes)")
        start = time.perf_counter()
        outcome = batch.build_many(national, sample, YEAR)
        results["national_kommuner"] = len(sample)
        results["national_s"] = round(time.perf_counter() - start, 1)
        results["national_failed"] = len(outcome.failed)
        results["national_per_kommun_ratio"] = round((results["national_s"] / len(sample)) / (lan_light / 15), 3)  # type: ignore[operator]
        own = peak_self_kb() if measured_from_here else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak_kb = max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        results["peak_rss_mb"] = round(peak_kb / 1024, 1)
        progress("Dalarna's reports of the demo project with workers = 1, in a fresh process, for its peak memory")
        results["serial_peak_rss_mb"] = serial_peak_rss_mb(config.path, year)
        progress("a second fetch against an unchanged server")
        results["refetch_body_bytes"] = refetch_body_bytes(project(root / "fetch"))
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    results["targets"] = {key: f"{op} {value}" for key, (op, value) in TARGETS.items()}
    met = {}
    for key, (op, target) in TARGETS.items():
        value = results[key]
        met[key] = value <= target if op == "<=" else value == target  # type: ignore[operator]
    results["targets_met"] = met
    out = ROOT / "bench" / "results.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{'measure':<30} {'value':>12}  target")
    for key in (
        "cli_help_s",
        "cli_help_over_typer_ratio",
        "demo_s",
        "single_build_s",
        "render_only_s",
        "build_over_render_ratio",
        "report_pages",
        "render_per_page_over_plain_ratio",
        "lan_batch_s",
        "lan_batch_over_serial_ratio",
        "lan_light_batch_s",
        "serial_peak_rss_mb",
        "national_kommuner",
        "national_s",
        "national_per_kommun_ratio",
        "peak_rss_mb",
        "national_load_peak_rss_mb",
        "refetch_body_bytes",
    ):
        target = TARGETS.get(key)
        mark = "" if target is None else f"{target[0]} {target[1]}  {'ok' if met[key] else 'MISSED'}"
        print(f"{key:<30} {results[key]!s:>12}  {mark}")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
