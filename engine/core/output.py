"""The one writer for every file a command produces (diagram, adr, ...).

A command's output path is untrusted: it may be a regular file, a symlink,
a device such as ``/dev/null``, a FIFO, or a folder holding planted links.
Writing "like ``cp``" means:

* a regular file (new or existing) is replaced atomically: the data goes to
  a temporary file in the same folder which is renamed over the target, so
  a failed write (full disk) never leaves half a file behind. An existing
  file keeps its mode; a new one gets ``0666`` minus the umask, as ``cp``
  and the shell would give it;
* a symlink given as the output is written through, at the file it names
  (the user chose that path, as ``cp`` would);
* a character device or FIFO (``/dev/null``, a named pipe) is opened and
  streamed to, never replaced;
* anything else (a folder, a socket, a block device) is refused.

:func:`write_folder` writes a set of files into one folder and never follows
a link out of it: an entry that is a symlink or not a regular file is
refused, every file is written to a temporary file first, and nothing is
renamed into place until all of them were written, so a failure leaves the
folder as it was.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from pathlib import Path
from typing import Mapping

from mlarch.core.errors import InputError

_MAX_COMPARE = 4_000_000  # an existing record larger than this is "different" without reading it


def _fail(path: str | Path, exc: OSError | str) -> InputError:
    why = exc if isinstance(exc, str) else (exc.strerror or str(exc))
    return InputError.single(str(path), "", f"cannot write: {why}")


def _temp_in(folder: Path, name: str, mode: int | None) -> tuple[int, Path]:
    """A new, exclusive temporary file next to ``name``; mode from the umask unless given."""
    for _ in range(100):
        tmp = folder / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
        if mode is not None:
            try:
                os.fchmod(fd, mode)
            except OSError:
                os.close(fd)
                tmp.unlink(missing_ok=True)
                raise
        return fd, tmp
    raise OSError(errno.EEXIST, "cannot create a temporary file")  # pragma: no cover


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        done = os.write(fd, view)
        view = view[done:]


def _write_temp(folder: Path, name: str, data: bytes, mode: int | None) -> Path:
    fd, tmp = _temp_in(folder, name, mode)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _stream(path: str, data: bytes) -> None:
    """Write to a character device or FIFO as a stream (no create, no rename)."""
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    try:
        st = os.fstat(fd)
        if not (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):  # swapped since the check
            raise OSError(errno.EINVAL, "the output changed while it was opened")
        _write_all(fd, data)
    finally:
        os.close(fd)


def write_file(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` as ``cp`` would (see the module docstring); raise :class:`InputError`."""
    shown = str(path)
    try:
        target = Path(os.path.realpath(path))  # through symlinks, as the user named it
        try:
            st = os.stat(target)
        except FileNotFoundError:
            st = None
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise InputError.single(shown, "", "is a directory; give a file name for --output")
        if st is not None and (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
            _stream(str(target), data)
            return
        if st is not None and not stat.S_ISREG(st.st_mode):
            raise InputError.single(shown, "", "is not a regular file, a character device or a FIFO; refusing to replace it")
        folder = target.parent
        if not folder.is_dir():
            raise InputError.single(shown, "", f"folder {str(Path(shown).parent)!r} does not exist")
        mode = stat.S_IMODE(st.st_mode) if st is not None else None
        tmp = _write_temp(folder, target.name, data, mode)
        try:
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise _fail(shown, exc) from None


def _existing(folder: Path, name: str) -> tuple[bytes | None, int | None]:
    """The content (None when unreadable or too big) and mode of a regular entry; refuse anything else."""
    entry = folder / name
    try:
        st = os.lstat(entry)
    except FileNotFoundError:
        return None, None
    if stat.S_ISLNK(st.st_mode):
        raise InputError.single(str(entry), "", "is a symbolic link; mlarch does not write through links in the output folder (remove it)")
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise InputError.single(str(entry), "", f"is {kind}; mlarch would have to replace it (remove it)")
    mode = stat.S_IMODE(st.st_mode)
    if st.st_size > _MAX_COMPARE:
        return None, mode
    try:
        fd = os.open(entry, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None, mode  # unreadable: different from what would be written
    try:
        with os.fdopen(fd, "rb") as fh:
            return fh.read(_MAX_COMPARE + 1), mode
    except OSError:
        return None, mode


def write_folder(folder: str | Path, files: Mapping[str, str], force: bool = False) -> list[Path]:
    """Write text files into ``folder`` (created if needed), all or nothing.

    Refuses to replace a file whose content differs unless ``force``; never
    follows a symlink inside the folder.
    """
    if str(folder) == "-":  # the usual "standard output" marker, never a folder named "-"
        raise InputError.single("-", "", "writes a folder of files, not standard output; give a folder name")
    out_dir = Path(folder)
    shown = str(out_dir)
    for name in files:
        if "/" in name or name in ("", ".", "..") or name.startswith("."):
            raise ValueError(f"not a plain file name: {name!r}")  # pragma: no cover - a programming error
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError.single(shown, "", "exists and is not a folder")
    encoded = {name: text.encode("utf-8") for name, text in files.items()}
    modes: dict[str, int | None] = {}
    clashes: list[str] = []
    created = False
    try:
        if out_dir.is_dir():
            for name, data in encoded.items():
                old, modes[name] = _existing(out_dir, name)
                if modes[name] is not None and old != data:
                    clashes.append(name)
        if clashes and not force:
            raise InputError.single(shown, "", f"would overwrite {len(clashes)} changed file(s) ({', '.join(clashes[:3])}"
                                    f"{', ...' if len(clashes) > 3 else ''}); pass --force to replace them")
        if not out_dir.is_dir():
            out_dir.mkdir(parents=True)
            created = True
        temps: dict[str, Path] = {}
        try:
            for name, data in encoded.items():
                temps[name] = _write_temp(out_dir, name, data, modes.get(name))
            for name in encoded:
                _existing(out_dir, name)  # re-check: nothing was swapped for a link meanwhile
            for name, tmp in list(temps.items()):
                os.replace(tmp, out_dir / name)
                del temps[name]
        finally:
            for tmp in temps.values():
                tmp.unlink(missing_ok=True)
    except OSError as exc:
        if created:
            try:
                out_dir.rmdir()
            except OSError:
                pass
        raise _fail(shown, exc) from None
    return [out_dir / name for name in encoded]
