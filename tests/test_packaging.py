"""The wheel installs one import package, ``mlarch``, with its bundled rules and scenarios.

Built here without build isolation (the test extras bring setuptools and
wheel), so it needs no network.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "engine"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, cwd=out,
    )
    (path,) = out.glob("mlarch-*.whl")
    return zipfile.ZipFile(path)


def test_the_wheel_installs_no_top_level_name_but_mlarch(wheel):
    tops = {name.split("/")[0] for name in wheel.namelist() if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"mlarch"}
    assert "cli.py" not in wheel.namelist()


def test_the_wheel_carries_rules_scenarios_and_data(wheel):
    names = set(wheel.namelist())
    assert "mlarch/core/vocabulary.yaml" in names and "mlarch/lint/invariants.yaml" in names
    assert "mlarch/diagram/visual.yaml" in names and "mlarch/__main__.py" in names
    rules = {p.name for p in (ROOT / "rules").glob("*.yaml")}
    assert {n.split("/")[-1] for n in names if n.startswith("mlarch/bundled_rules/")} >= rules
    assert any(n.startswith("mlarch/bundled_scenarios/questions/") for n in names)
    assert any(n.startswith("mlarch/bundled_scenarios/designs/") for n in names)
    # the library that lets durable-rules load on Python 3.13 (engine/core/durable.py)
    assert any(n.startswith("mlarch/core/_pyeval_compat.") and n.endswith(".so") for n in names), sorted(names)
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "mlarch = mlarch.cli.app:run" in wheel.read(entry).decode()


def test_every_package_folder_is_listed_in_pyproject():
    """pyproject.toml lists each package explicitly (the mapping engine/ -> mlarch needs it)."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {"mlarch" + "".join("." + p for p in init.parent.relative_to(SOURCE).parts) for init in SOURCE.rglob("__init__.py")}
    assert folders <= listed, sorted(folders - listed)


def test_python_dash_m_mlarch_runs_the_command():
    out = subprocess.run([sys.executable, "-m", "mlarch", "--version"], capture_output=True, text=True, check=True, cwd="/")
    assert out.stdout.startswith("mlarch, version ")
