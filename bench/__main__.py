"""Run every benchmark in bench/ and rewrite docs/performance.md with what they measured.

Each benchmark is a module `bench/<name>.py`, run as `python -m bench.<name>` (`--quick` for a small
run), whose last line of output is one JSON object of its figures. `make bench` runs this.
"""

from __future__ import annotations

import ast
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"


def machine() -> str:
    memory = ""
    try:
        kib = int(
            next(
                line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
            ).split()[1]
        )
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    cpu = platform.processor() or platform.machine()
    system = f"{platform.system()} {platform.release()}"
    return f"{os.cpu_count()} cores ({cpu}){memory}, {system}, Python {platform.python_version()}"


def benchmarks() -> list[str]:
    return sorted(p.stem for p in (ROOT / "bench").glob("*.py") if not p.stem.startswith("_"))


def summary(name: str) -> str:
    """What the benchmark measures: the first line of its module's docstring."""
    doc = ast.get_docstring(ast.parse((ROOT / "bench" / f"{name}.py").read_text())) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def run(name: str, quick: bool) -> dict[str, object]:
    command = [sys.executable, "-m", f"bench.{name}", *(["--quick"] if quick else [])]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    if result.returncode != 0 or not lines:
        return {"error": f"exit {result.returncode}: {result.stderr.strip()[-500:]}"}
    return json.loads(lines[-1])


def main() -> None:
    quick = "--quick" in sys.argv
    names = benchmarks()
    rows = []
    for name in names:
        print(f"bench.{name} …", flush=True)
        figures = run(name, quick)
        print(json.dumps(figures), flush=True)
        rows.append((name, figures))
    today = datetime.date.today().isoformat()
    out = [
        "# Performance",
        "",
        "Rewritten by `make bench` (`.venv/bin/python -m bench`): every figure below was measured by the",
        "command beside it, on the machine and date shown. Never edit the figures by hand.",
        "",
        f"- Machine: {machine()}",
        f"- Date: {today}",
        f"- Mode: {'quick' if quick else 'full'}",
        "",
    ]
    if not rows:
        out.append("No benchmarks yet: each capability that names a number adds its module to `bench/`.")
    for name, figures in rows:
        out += [f"## {name}", ""]
        if summary(name):
            out += [summary(name), ""]
        out += [f"Command: `.venv/bin/python -m bench.{name}{' --quick' if quick else ''}`", ""]
        out += ["| figure | value |", "| --- | --- |"]
        out += [f"| {key} | {value} |" for key, value in figures.items()]
        out.append("")
    DOC.write_text("\n".join(out) + "\n")
    print(json.dumps({"benchmarks": len(rows), "doc": str(DOC.relative_to(ROOT))}))


if __name__ == "__main__":
    main()
