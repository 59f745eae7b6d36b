"""Where the bundled rules and example scenarios live.

In a source checkout they are the top-level ``rules/`` and ``scenarios/``
folders. An installed wheel carries them as the packages
``engine.bundled_rules`` and ``engine.bundled_scenarios`` (mapped from those
same folders by pyproject.toml), so an installed ``mlarch`` finds them too.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent.parent


def _packaged(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _locate(package: str, folder: str) -> Path:
    checkout = _CHECKOUT / folder
    if (_CHECKOUT / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    packaged = _packaged(package)
    if packaged is not None and packaged.is_dir():
        return packaged
    raise FileNotFoundError(f"cannot find the bundled {folder}/ (looked in {checkout} and package {package})")


def bundled_rules_dir() -> Path:
    return _locate("mlarch.bundled_rules", "rules")


def bundled_scenarios_dir() -> Path:
    return _locate("mlarch.bundled_scenarios", "scenarios")
