"""The bundled examples, reachable by name once mlarch is installed.

Scenarios (``scenarios/*.yaml``), designs (``scenarios/designs/``) and exam
questions (``scenarios/questions/``) ship inside the package. Every command
that reads one of these accepts an example's name where it takes a file, so
``mlarch recommend churn-bigquery-sql-team`` works from any folder; a path
that exists always wins over a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from mlarch.core import yamlio
from mlarch.core.paths import bundled_scenarios_dir

# kind -> (folder below the bundled scenarios, the command that reads it)
KINDS: dict[str, tuple[str, str]] = {
    "scenarios": ("", "mlarch recommend NAME"),
    "designs": ("designs", "mlarch review NAME"),
    "questions": ("questions", "mlarch answer NAME"),
}
ALL_KINDS: tuple[str, ...] = tuple(KINDS)


@dataclass(frozen=True)
class Example:
    name: str
    kind: str
    path: Path

    def description(self) -> str:
        """The file's description (else its question, else its leading comment) as one paragraph."""
        data = yamlio.load(self.path).data
        text = (data.get("description") or data.get("question") or "") if isinstance(data, dict) else ""
        if not text:
            comment = []
            for line in self.path.read_text(encoding="utf-8").splitlines():
                if not line.startswith("#"):
                    break
                comment.append(line.lstrip("#"))
            text = " ".join(comment)
        return " ".join(str(text).split())


def catalog(kinds: Sequence[str] = ALL_KINDS) -> dict[str, Example]:
    """Bundled examples of ``kinds`` by name, in kind order then name order."""
    root = bundled_scenarios_dir()
    out: dict[str, Example] = {}
    for kind in kinds:
        folder = root / KINDS[kind][0]
        for path in sorted(folder.glob("*.yaml")):
            out.setdefault(path.stem, Example(path.stem, kind, path))
    return out


def resolve(value: str, kinds: Sequence[str] = ALL_KINDS) -> str:
    """``value`` itself when it is ``-`` or an existing path, else the bundled example it names.

    An unknown name is returned unchanged, so loading it reports "no such
    file" with the hint to ``mlarch examples``.
    """
    if value == yamlio.STDIN or Path(value).exists() or "/" in value or value.endswith((".yaml", ".yml")):
        return value
    example = catalog(kinds).get(value)
    return str(example.path) if example else value
