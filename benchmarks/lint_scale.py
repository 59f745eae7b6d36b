#!/usr/bin/env python3
"""How `mlarch lint` scales with many equivalent or sibling rules (issue 11 item 7).

Usage: .venv/bin/python benchmarks/lint_scale.py [--counts 300,2000,5000] [--kinds identical,siblings]

``identical``: N copies of one soft rule (same condition, same verdict and
choice): lint reports them as one ``redundant`` group. ``siblings``: N soft
rules that prefer the same choice on N different values of one string fact
(``data.residency: r<i>``): none is redundant, and the pairwise checks must
not try every pair. Each run lints only the generated rules (static and
pairwise checks; ``--samples 0``) and prints seconds, findings and the
size of the JSON report. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

DOCS = ["https://cloud.google.com/vertex-ai/docs"]
ROOT = Path(__file__).resolve().parent.parent


def rule(i: int, when: dict) -> dict:
    return {"id": f"privacy.r{i:05d}", "title": "benchmark rule", "section": "1.1", "docs": DOCS, "when": when,
            "then": {"dimension": "privacy", "prefer": "none", "weight": 1}, "because": "benchmark",
            "examples": {"fires": [{"data": {"residency": f"r{i}"}}] if "data.residency" in when else [{"data": {"sensitive": ["pii"]}}],
                         "does_not_fire": [{}]}}


def rules(kind: str, n: int) -> list[dict]:
    if kind == "identical":
        return [rule(i, {"data.sensitive": {"contains": "pii"}}) for i in range(n)]
    return [rule(i, {"data.residency": f"r{i}"}) for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="300,2000,5000")
    parser.add_argument("--kinds", default="identical,siblings")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    mlarch = [sys.executable, "-m", "mlarch"]
    print("| rules | kind | seconds | findings | redundant | JSON bytes |\n|---|---|---|---|---|---|")
    for kind in args.kinds.split(","):
        for n in (int(c) for c in args.counts.split(",")):
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp) / "rules"
                folder.mkdir()
                generated = rules(kind, n)
                for part in range(0, n, 1000):  # files stay under the 1 MB input limit
                    (folder / f"bench{part // 1000:02d}.yaml").write_text(
                        yaml.safe_dump({"rules": generated[part:part + 1000]}, sort_keys=False))
                start = time.perf_counter()
                try:
                    done = subprocess.run([*mlarch, "--rules", str(folder), "lint", "--samples", "0", "-f", "json",
                                           "--check", "redundant", "--check", "shadowed"],
                                          capture_output=True, text=True, timeout=args.timeout,
                                          env={"MLARCH_NO_CACHE": "1", "PATH": "/usr/bin:/bin"})
                except subprocess.TimeoutExpired:
                    print(f"| {n} | {kind} | > {args.timeout:.0f} (timed out) | | | |", flush=True)
                    continue
                seconds = time.perf_counter() - start
                try:
                    report = json.loads(done.stdout)
                except ValueError:
                    print(f"| {n} | {kind} | {seconds:.1f} | exit {done.returncode}: {done.stderr.strip()[:80]} | | |", flush=True)
                    continue
                if report["summary"]["rules"] != n:
                    print(f"| {n} | {kind} | {seconds:.1f} | only {report['summary']['rules']} rules loaded | | |", flush=True)
                    continue
                findings = report.get("findings", [])
                redundant = sum(1 for f in findings if f.get("check") == "redundant")
                print(f"| {n} | {kind} | {seconds:.1f} | {len(findings)} | {redundant} | {len(done.stdout):,} |", flush=True)


if __name__ == "__main__":
    main()
