"""A per-user cache of validated rule books and their compiled form, so the
CLI answers fast.

Parsing and validating a few hundred rules (YAML plus every example
scenario) costs more than everything else a `mlarch recommend` does. The
validated :class:`RuleBook` is therefore pickled under the user's cache
directory, keyed by a hash of the mlarch version, the vocabulary and every
rule file's name and bytes: any edit is a cache miss, and a miss just loads
and validates as usual, so the cache can never change an answer.

Location: ``$MLARCH_CACHE_DIR``, else ``$XDG_CACHE_HOME/mlarch``, else
``~/.cache/mlarch``; ``MLARCH_NO_CACHE=1`` disables it. Files are written
atomically with owner-only permissions in an owner-only directory; an
unreadable, corrupt or foreign entry is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Callable, Iterable, TypeVar

from mlarch import __version__
from mlarch.core.errors import InputError
from mlarch.core.rulebook import RuleBook, expand_rule_paths
from mlarch.core.vocabulary import VOCABULARY_FILE
from mlarch.core.yamlio import read_bounded

T = TypeVar("T")

_FORMAT = 2  # bump when the loader changes what a RuleBook holds (2: set-like lists in canonical order)


def cache_dir() -> Path | None:
    if os.environ.get("MLARCH_NO_CACHE"):
        return None
    explicit = os.environ.get("MLARCH_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mlarch"


def _files(paths: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        out += expand_rule_paths([p])
    return out


def cache_key(paths: Iterable[str | Path]) -> str | None:
    """Hash of everything a rule book depends on; None if a file is unreadable."""
    digest = hashlib.sha256(f"mlarch {__version__} format {_FORMAT}\n".encode())
    try:
        digest.update(VOCABULARY_FILE.read_bytes())
        for path in _files(paths):
            digest.update(b"\0" + os.path.realpath(path).encode() + b"\0")
            digest.update(read_bounded(path))  # the size limit before any hashing
    except (OSError, InputError):
        return None  # the loader reports it
    return digest.hexdigest()


def compiled_programs(book: RuleBook, groups: object, compile: Callable[[], T]) -> T:
    """The durable-rules definitions for a rule book, from the cache when current.

    Keyed by the rule book's content hash, the grouping of dimensions and the
    mlarch version; kept in memory for the process and on disk for the CLI.
    """
    folder = cache_dir()
    if folder is None:
        return compile()
    key = hashlib.sha256(f"{__version__} {_FORMAT} {book.version} {groups!r}".encode()).hexdigest()
    found = _MEMO.get(key)
    if found is not None:
        return found  # type: ignore[return-value]
    entry = folder / f"programs-{key}.pickle"
    value = _read(entry, list)
    if value is None:
        value = compile()
        _store(folder, entry, value, "programs-")
    _MEMO[key] = value
    return value  # type: ignore[return-value]


_MEMO: dict[str, object] = {}


def _read(entry: Path, kind: type) -> object | None:
    try:
        with open(entry, "rb") as fh:
            value = pickle.load(fh)  # noqa: S301 - our own owner-only cache, keyed by content hash
        return value if isinstance(value, kind) else None
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None


def cached_rulebook(paths: Iterable[str | Path], load: Callable[[], RuleBook]) -> RuleBook:
    """The rule book for ``paths``, from the cache when it is current."""
    paths = list(paths)
    folder = cache_dir()
    key = cache_key(paths) if folder is not None else None
    if folder is None or key is None:
        return load()
    entry = folder / f"rulebook-{key}.pickle"
    book = _read(entry, RuleBook)
    if isinstance(book, RuleBook):
        return book
    book = load()
    _store(folder, entry, book, "rulebook-")
    return book


def _store(folder: Path, entry: Path, value: object, prefix: str) -> None:
    """Write atomically, owner-only, keeping only the newest entry of its kind."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        for old in folder.glob(f"{prefix}*.pickle"):
            if old != entry:
                old.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{prefix}", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)
    except OSError:
        pass  # a read-only home must not break the CLI
