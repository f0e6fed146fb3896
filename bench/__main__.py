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


def section(name: str, figures: dict[str, object], quick: bool, today: str) -> list[str]:
    out = [f"## {name}", ""]
    if summary(name):
        out += [summary(name), ""]
    out += [f"Command: `.venv/bin/python -m bench.{name}{' --quick' if quick else ''}`", ""]
    out += [f"Measured: {today}, {'quick' if quick else 'full'} run", ""]
    out += ["| figure | value |", "| --- | --- |"]
    out += [f"| {key} | {value} |" for key, value in figures.items()]
    out.append("")
    return out


def rerun(names: list[str], quick: bool) -> None:
    """`python -m bench NAME…`: measure only these again and replace just their sections."""
    today = datetime.date.today().isoformat()
    text = DOC.read_text()
    for name in names:
        print(f"bench.{name} …", flush=True)
        figures = run(name, quick)
        print(json.dumps(figures), flush=True)
        new = "\n".join(section(name, figures, quick, today))
        start = text.find(f"\n## {name}\n")
        if start == -1:
            text = text.rstrip("\n") + "\n\n" + new + "\n"
            continue
        end = text.find("\n## ", start + 1)
        text = text[: start + 1] + new + ("\n" + text[end + 1 :] if end != -1 else "\n")
    DOC.write_text(text)
    print(json.dumps({"benchmarks": len(names), "doc": str(DOC.relative_to(ROOT))}))


def main() -> None:
    quick = "--quick" in sys.argv
    chosen = [arg for arg in sys.argv[1:] if not arg.startswith("-")]
    unknown = set(chosen) - set(benchmarks())
    if unknown:
        sys.exit(f"No such benchmark: {', '.join(sorted(unknown))}")
    if chosen:
        rerun(chosen, quick)
        return
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
        "Rewritten by `make bench` (`.venv/bin/python -m bench`; `python -m bench NAME` measures one again and",
        "replaces its section): every figure was measured by the command beside it, on the machine and date",
        "shown. Never edit the figures by hand.",
        "",
        f"- Machine: {machine()}",
        f"- Date: {today}",
        f"- Mode: {'quick' if quick else 'full'}",
        "",
    ]
    if not rows:
        out.append("No benchmarks yet: each capability that names a number adds its module to `bench/`.")
    for name, figures in rows:
        out += section(name, figures, quick, today)
    DOC.write_text("\n".join(out) + "\n")
    print(json.dumps({"benchmarks": len(rows), "doc": str(DOC.relative_to(ROOT))}))


if __name__ == "__main__":
    main()
