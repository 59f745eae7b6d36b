"""A per-user cache of validated rule books and their compiled form, so the
CLI answers fast.

Parsing and validating a few hundred rules (YAML plus every example
scenario) costs more than everything else a `mlarch recommend` does. The
validated :class:`RuleBook` (and the parsed vocabulary, and the compiled
durable-rules definitions) is therefore stored under the user's cache
directory, keyed by a hash of everything it depends on: the mlarch version,
the source of every ``engine/core`` module (the loader and compiler that
produce the cached objects), the vocabulary and every rule file's name and
bytes. Any edit, of a rule or of the code, is a miss, and a miss just loads
and validates as usual, so the cache can never change an answer.

The cache is trusted only as far as it is proven to be the user's own:

* the folder must be a real folder (not a link) owned by the user; a
  group- or world-accessible one is made ``0700`` and its key replaced,
  a foreign one disables the cache for the run;
* every entry is signed with HMAC-SHA256 under a random per-user key kept
  ``0600`` in that folder, and the signature (over the entry's name and
  bytes) is checked before anything is unpickled, so a planted or
  corrupted entry is never executed, only ignored and rewritten;
* entries are written atomically with owner-only permissions; the
  :data:`KEEP` most recently used of each kind are kept, so rule sets used
  in turn (two checkouts, several ``--rules`` folders) do not evict each
  other.

Location: ``$MLARCH_CACHE_DIR``, else ``$XDG_CACHE_HOME/mlarch``, else
``~/.cache/mlarch``; ``MLARCH_NO_CACHE=1`` disables it.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import os
import pickle
import secrets
import stat
import sys
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, TypeVar

from mlarch import __version__
from mlarch.core.errors import InputError
from mlarch.core.rulebook import RuleBook, expand_rule_paths
from mlarch.core.vocabulary import VOCABULARY_FILE
from mlarch.core.yamlio import read_bounded

T = TypeVar("T")

CORE_DIR = Path(__file__).resolve().parent
_MAGIC = b"mlarch-cache 1\n"
_KEY_FILE = "key"
_MAX_ENTRY = 256 * 1024 * 1024  # a compiled rule base is a few MB


def cache_dir() -> Path | None:
    if os.environ.get("MLARCH_NO_CACHE"):
        return None
    explicit = os.environ.get("MLARCH_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mlarch"


def code_files() -> list[Path]:
    """The code whose behaviour the cached objects depend on: every core module."""
    return sorted(CORE_DIR.glob("*.py"), key=lambda p: p.name)


def code_fingerprint(files: Iterable[Path]) -> str:
    """Hash of the mlarch and Python versions and the source of ``files``."""
    digest = hashlib.sha256(f"mlarch {__version__} python {sys.version_info[:2]}\n".encode())
    for path in files:
        digest.update(b"\0" + path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _code() -> str:
    return code_fingerprint(code_files())


def cache_key(paths: Iterable[str | Path]) -> str | None:
    """Hash of everything a rule book depends on; None if a file is unreadable (the loader reports it)."""
    digest = hashlib.sha256(f"code {_code()}\n".encode())
    try:
        digest.update(VOCABULARY_FILE.read_bytes())
        for path in expand_rule_paths(paths):
            digest.update(b"\0" + os.path.realpath(path).encode() + b"\0")
            digest.update(read_bounded(path))  # the size limit before any hashing
    except (OSError, InputError):
        return None
    return digest.hexdigest()


def _owned_private(st: os.stat_result) -> bool:
    return st.st_uid == os.geteuid() and not (st.st_mode & 0o077)


def _secure_folder(folder: Path) -> bool:
    """Make sure ``folder`` is the user's own private folder; False: do not use it."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = os.lstat(folder)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
            return False  # a link, a file or someone else's folder
        if st.st_mode & 0o077:
            os.chmod(folder, 0o700)  # others could have read the key or planted entries
            (folder / _KEY_FILE).unlink(missing_ok=True)
        return True
    except OSError:
        return False


def _key(folder: Path) -> bytes | None:
    """The folder's signing key, created (0600) when missing or not trustworthy."""
    path = folder / _KEY_FILE
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        try:
            st = os.fstat(fd)
            key = os.read(fd, 64) if stat.S_ISREG(st.st_mode) and _owned_private(st) else b""
        finally:
            os.close(fd)
        if len(key) == 32:
            return key
    except OSError:
        pass
    key = secrets.token_bytes(32)
    try:
        _write_private(folder, path, key, ".key-")
    except OSError:
        return None
    return key


def _sign(key: bytes, name: str, payload: bytes) -> bytes:
    return hmac.new(key, name.encode() + b"\0" + payload, hashlib.sha256).digest()


def _read(folder: Path, name: str, kind: type) -> object | None:
    """The verified entry ``name`` if it is an instance of ``kind``; None for anything unexpected."""
    key = _key(folder)
    if key is None:
        return None
    try:
        fd = os.open(folder / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not _owned_private(st) or st.st_size > _MAX_ENTRY:
            return None
        with os.fdopen(os.dup(fd), "rb") as fh:
            blob = fh.read(_MAX_ENTRY + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    head = len(_MAGIC) + 32
    if not blob.startswith(_MAGIC) or len(blob) < head:
        return None
    signature, payload = blob[len(_MAGIC):head], blob[head:]
    if not hmac.compare_digest(signature, _sign(key, name, payload)):
        return None  # not written by this user's mlarch with this key: never unpickled
    collecting = gc.isenabled()
    gc.disable()  # unpickling allocates ~10^6 objects and no garbage: the collector would walk them again and again
    try:
        value = pickle.loads(payload)  # noqa: S301 - signed by the user's own key, checked above
    except Exception:  # noqa: BLE001 - an entry from an incompatible build is a miss
        return None
    finally:
        if collecting:
            gc.enable()
    return value if isinstance(value, kind) else None


def _write_private(folder: Path, path: Path, data: bytes, prefix: str) -> None:
    tmp = folder / f"{prefix}{secrets.token_hex(8)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


KEEP = 4  # entries kept per kind: rule sets used in turn (two checkouts, --rules folders) do not evict each other


def _prune(folder: Path, prefix: str, keep: int) -> None:
    """Delete all but the ``keep`` most recently used entries of one kind (mtime: written or last read)."""
    entries = []
    for path in folder.glob(f"{prefix}*.pickle"):
        try:
            entries.append((path.lstat().st_mtime_ns, path.name, path))
        except OSError:
            continue
    for _, _, path in sorted(entries, reverse=True)[keep:]:
        path.unlink(missing_ok=True)


def _store(folder: Path, name: str, value: object, prefix: str) -> None:
    """Sign and write atomically, owner-only, keeping the :data:`KEEP` most recently used entries of its kind."""
    try:
        key = _key(folder)
        if key is None:
            return
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        _write_private(folder, folder / name, _MAGIC + _sign(key, name, payload) + payload, f".{prefix}")
        _prune(folder, prefix, KEEP)
    except OSError:
        pass  # a read-only home must not break the CLI


def _touch(folder: Path, name: str) -> None:
    """Mark an entry as just used, so pruning keeps the entries in use."""
    try:
        os.utime(folder / name, follow_symlinks=False)
    except (OSError, NotImplementedError):
        pass


def _cached(name_prefix: str, key: str, kind: type, make: Callable[[], T]) -> T:
    folder = cache_dir()
    if folder is None or not _secure_folder(folder):
        return make()
    name = f"{name_prefix}{key}.pickle"
    value = _read(folder, name, kind)
    if value is None:
        value = make()
        _store(folder, name, value, name_prefix)
    else:
        _touch(folder, name)
    return value  # type: ignore[return-value]


def compiled_programs(book: RuleBook, groups: object, compile: Callable[[], T]) -> T:
    """The durable-rules definitions for a rule book, from the cache when current.

    Keyed by the rule book's content hash, the grouping of dimensions and the
    code fingerprint; kept in memory for the process and on disk for the CLI.
    """
    if cache_dir() is None:
        return compile()
    key = hashlib.sha256(f"{_code()} {book.version} {groups!r}".encode()).hexdigest()
    found = _MEMO.get(key)
    if found is None:
        found = _cached("programs-", key, list, compile)
        _MEMO[key] = found
    return found  # type: ignore[return-value]


_MEMO: dict[str, object] = {}


def cached_vocabulary(load: Callable[[], T], kind: type) -> T:
    """The parsed vocabulary, from the cache when current (keyed by the code and the file's bytes)."""
    if cache_dir() is None:
        return load()
    try:
        data = VOCABULARY_FILE.read_bytes()
    except OSError:
        return load()  # the loader reports it
    key = hashlib.sha256(f"code {_code()}\n".encode() + data).hexdigest()
    return _cached("vocabulary-", key, kind, load)


def cached_rulebook(paths: Iterable[str | Path], load: Callable[[], RuleBook]) -> RuleBook:
    """The rule book for ``paths``, from the cache when it is current."""
    paths = list(paths)
    if cache_dir() is None:
        return load()
    key = cache_key(paths)
    if key is None:
        return load()
    return _cached("rulebook-", key, RuleBook, load)
