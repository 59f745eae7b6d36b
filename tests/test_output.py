"""The one output writer (core/output.py): paths are untrusted, writes behave like `cp`.

Only paths under tmp_path are used: a FIFO and symlinks stand in for
devices (a symlink to a device is written through, never replaced).
"""

from __future__ import annotations

import errno
import os
import socket
import stat
import threading
from pathlib import Path

import pytest

from mlarch.core import output
from mlarch.core.errors import InputError
from mlarch.core.output import write_file, write_folder

from .conftest import ROOT, run_cli

SCENARIO = ROOT / "scenarios" / "churn-bigquery-sql-team.yaml"


def _reader(fifo: Path, got: list[bytes]) -> threading.Thread:
    def read() -> None:
        with open(fifo, "rb") as fh:
            got.append(fh.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def test_diagram_streams_into_a_fifo_and_leaves_it_a_fifo(capsys, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    thread = _reader(fifo, got)
    code, _, err = run_cli(capsys, "diagram", SCENARIO, "-o", fifo, "-f", "dot")
    thread.join(10)
    assert code == 0, err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got and got[0].startswith(b"digraph")


def test_a_symlink_to_a_device_is_written_through_not_replaced(tmp_path):
    link = tmp_path / "null"
    link.symlink_to("/dev/null")
    write_file(link, b"digraph {}\n")
    assert link.is_symlink() and os.readlink(link) == "/dev/null"
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_symlink_to_a_file_updates_the_file_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.dot"
    real.write_bytes(b"old")
    link = tmp_path / "link.dot"
    link.symlink_to(real)
    write_file(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"


def test_an_existing_file_keeps_its_mode(tmp_path):
    target = tmp_path / "out.dot"
    target.write_bytes(b"old")
    target.chmod(0o644)
    write_file(target, b"new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644 and target.read_bytes() == b"new"


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_its_mode_from_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        write_file(tmp_path / "out.dot", b"x")
        write_folder(tmp_path / "adr", {"a.md": "x"})
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.dot").stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "adr" / "a.md").stat().st_mode) == mode


def test_folders_and_sockets_are_refused(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        write_file(tmp_path, b"x")
    sock_path = tmp_path / "s"
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(sock_path))
        with pytest.raises(InputError, match="not a regular file"):
            write_file(sock_path, b"x")
        assert stat.S_ISSOCK(os.lstat(sock_path).st_mode)
    finally:
        sock.close()


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "out.dot"
    target.write_bytes(b"old")

    def full(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(output.os, "write", full)
    with pytest.raises(InputError, match="No space left"):
        write_file(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.dot"]
