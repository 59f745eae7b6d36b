"""The per-user cache: a speed-up that can never change an answer."""

from __future__ import annotations

import pickle

import pytest

from mlarch.core import cache
from mlarch.core.engine import Engine
from mlarch.core.rulebook import load_rulebook
from mlarch.core.vocabulary import load_vocabulary

from .conftest import FIXTURES


@pytest.fixture()
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("MLARCH_CACHE_DIR", str(folder))
    monkeypatch.delenv("MLARCH_NO_CACHE", raising=False)
    cache._MEMO.clear()
    return folder


def rules_copy(tmp_path):
    target = tmp_path / "rules"
    target.mkdir()
    (target / "r.yaml").write_text((FIXTURES / "rules" / "fixture.yaml").read_text())
    return target


def test_hit_returns_the_same_rule_book(cache_dir, tmp_path):
    folder = rules_copy(tmp_path)
    loads = []

    def load():
        loads.append(1)
        return load_rulebook([folder], load_vocabulary())

    first = cache.cached_rulebook([folder], load)
    second = cache.cached_rulebook([folder], load)
    assert len(loads) == 1
    assert [r.canonical() for r in first.rules] == [r.canonical() for r in second.rules]
    assert (cache_dir.stat().st_mode & 0o777) == 0o700


@pytest.mark.parametrize("collecting", [True, False])
def test_reading_an_entry_leaves_the_collector_as_it_was(cache_dir, tmp_path, monkeypatch, collecting):
    """Entries are unpickled with the collector paused (cache._read): it must be on again
    afterwards if it was on, and stay off if the caller had turned it off, even when
    unpickling fails."""
    import gc

    folder = rules_copy(tmp_path)
    cache.cached_rulebook([folder], lambda: load_rulebook([folder], load_vocabulary()))
    cache._MEMO.clear()
    was = gc.isenabled()
    try:
        gc.enable() if collecting else gc.disable()
        book = cache.cached_rulebook([folder], lambda: pytest.fail("a hit was expected"))
        assert book.rules and gc.isenabled() is collecting
        monkeypatch.setattr(cache.pickle, "loads", lambda data: 1 / 0)  # an entry from another build
        cache._MEMO.clear()
        rebuilt = []
        cache.cached_rulebook([folder], lambda: rebuilt.append(1) or load_rulebook([folder], load_vocabulary()))
        assert rebuilt and gc.isenabled() is collecting
    finally:
        gc.enable() if was else gc.disable()


def test_any_edit_is_a_miss(cache_dir, tmp_path):
    folder = rules_copy(tmp_path)
    cache.cached_rulebook([folder], lambda: load_rulebook([folder], load_vocabulary()))
    (folder / "r.yaml").write_text((folder / "r.yaml").read_text().replace("weight: 4", "weight: 5", 1))
    book = cache.cached_rulebook([folder], lambda: load_rulebook([folder], load_vocabulary()))
    assert book.get("approach.sql-team-data-in-bigquery").weight == 5


def test_rule_sets_used_in_turn_stay_cached_and_the_least_recently_used_go(cache_dir, tmp_path):
    """Two checkouts or --rules folders used in turn must not evict each other (they did when only
    the newest entry of a kind was kept); beyond KEEP entries the least recently used is deleted."""
    import os

    folders = []
    for i in range(cache.KEEP + 1):
        folder = tmp_path / f"rules{i}"
        folder.mkdir()
        text = (FIXTURES / "rules" / "fixture.yaml").read_text().replace("weight: 4", f"weight: {5 + i}", 1)
        (folder / "r.yaml").write_text(text)
        folders.append(folder)
    loads: list[int] = []

    def book(i):
        def load():
            loads.append(i)
            return load_rulebook([folders[i]], load_vocabulary())
        return cache.cached_rulebook([folders[i]], load)

    assert book(0).get("approach.sql-team-data-in-bigquery").weight == 5
    assert book(1).get("approach.sql-team-data-in-bigquery").weight == 6
    assert book(0).get("approach.sql-team-data-in-bigquery").weight == 5  # a hit: not evicted by rules1
    assert loads == [0, 1]
    name = {i: f"rulebook-{cache.cache_key([folders[i]])}.pickle" for i in (0, 1)}
    os.utime(cache_dir / name[0], ns=(1_000_000_000,) * 2)  # rules0 written first, rules1 later ...
    os.utime(cache_dir / name[1], ns=(2_000_000_000,) * 2)
    book(0)  # ... but rules0 read again since: a hit marks it used
    assert loads == [0, 1]
    for i in range(2, cache.KEEP + 1):
        book(i)
    assert len(list(cache_dir.glob("rulebook-*.pickle"))) == cache.KEEP
    loads.clear()
    book(0)  # the most recently used of the first two survives the pruning
    assert loads == []
    book(1)  # the least recently used was deleted
    assert loads == [1]


def test_corrupt_or_foreign_entries_are_ignored(cache_dir, tmp_path):
    folder = rules_copy(tmp_path)
    cache.cached_rulebook([folder], lambda: load_rulebook([folder], load_vocabulary()))
    (entry,) = cache_dir.glob("rulebook-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert cache.cached_rulebook([folder], lambda: load_rulebook([folder], load_vocabulary())).rules
    entry.write_bytes(pickle.dumps({"something": "else"}))
    assert cache.cached_rulebook([folder], lambda: load_rulebook([folder], load_vocabulary())).rules


def test_disabled_cache_writes_nothing(cache_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("MLARCH_NO_CACHE", "1")
    folder = rules_copy(tmp_path)
    cache.cached_rulebook([folder], lambda: load_rulebook([folder], load_vocabulary()))
    assert not cache_dir.exists()


def test_cached_compilation_gives_the_same_answers(cache_dir, fixture_engine):
    from mlarch.core.scenario import validate_mapping

    book = fixture_engine.rulebook
    s = validate_mapping({"name": "x", "model": {"custom_architecture": True, "framework": "scikit_learn", "size": "very_large"}}, vocab=load_vocabulary())
    with Engine(book, cache=True) as first, Engine(book, cache=True) as second:
        assert first.evaluate(s).choices == second.evaluate(s).choices == fixture_engine.evaluate(s).choices
    assert list(cache_dir.glob("programs-*.pickle"))


# --- issue 11 item 2: the cache never executes what it did not write ------------------------

class _Planted:
    def __reduce__(self):
        import os

        return (os.system, (f"touch {os.environ['MLARCH_PLANTED']}",))


def test_a_planted_pickle_is_never_executed_and_is_rewritten(cache_dir, tmp_path, monkeypatch):
    folder = rules_copy(tmp_path)
    marker = tmp_path / "pwned"
    monkeypatch.setenv("MLARCH_PLANTED", str(marker))
    cache.cached_rulebook([folder], lambda: load_rulebook([folder], load_vocabulary()))
    (entry,) = cache_dir.glob("rulebook-*.pickle")
    entry.write_bytes(pickle.dumps(_Planted()))  # the predictable name, a hostile payload
    book = cache.cached_rulebook([folder], lambda: load_rulebook([folder], load_vocabulary()))
    assert not marker.exists()
    assert book.rules and entry.read_bytes().startswith(b"mlarch-cache")


def test_every_bit_flip_is_a_miss_never_a_different_book(cache_dir, tmp_path):
    import random

    folder = rules_copy(tmp_path)
    fresh = load_rulebook([folder], load_vocabulary())
    cache.cached_rulebook([folder], lambda: fresh)
    (entry,) = cache_dir.glob("rulebook-*.pickle")
    good = entry.read_bytes()
    rng = random.Random(11)
    for _ in range(60):
        blob = bytearray(good)
        bit = rng.randrange(len(blob) * 8)
        blob[bit // 8] ^= 1 << (bit % 8)
        entry.write_bytes(bytes(blob))
        entry.chmod(0o600)
        loads: list[int] = []
        book = cache.cached_rulebook([folder], lambda loads=loads: loads.append(1) or load_rulebook([folder], load_vocabulary()))
        assert loads == [1], f"bit {bit} flipped and the entry was still used"
        assert [r.canonical() for r in book.rules] == [r.canonical() for r in fresh.rules]


def test_a_foreign_folder_is_not_used(cache_dir, tmp_path, monkeypatch):
    import os

    folder = rules_copy(tmp_path)
    cache_dir.mkdir(mode=0o700)
    real = os.geteuid()
    monkeypatch.setattr(cache.os, "geteuid", lambda: real + 4242)  # as if the folder were someone else's
    loads = []
    cache.cached_rulebook([folder], lambda: loads.append(1) or load_rulebook([folder], load_vocabulary()))
    cache.cached_rulebook([folder], lambda: loads.append(1) or load_rulebook([folder], load_vocabulary()))
    assert loads == [1, 1] and list(cache_dir.iterdir()) == []


def test_a_shared_folder_is_made_private_and_its_key_replaced(cache_dir, tmp_path):
    folder = rules_copy(tmp_path)
    cache.cached_rulebook([folder], lambda: load_rulebook([folder], load_vocabulary()))
    key = (cache_dir / "key").read_bytes()
    cache_dir.chmod(0o777)
    loads = []
    cache.cached_rulebook([folder], lambda: loads.append(1) or load_rulebook([folder], load_vocabulary()))
    assert loads == [1], "an entry from a folder others could write was trusted"
    assert (cache_dir.stat().st_mode & 0o777) == 0o700
    assert (cache_dir / "key").read_bytes() != key and ((cache_dir / "key").stat().st_mode & 0o777) == 0o600


def test_a_symlinked_entry_is_not_followed(cache_dir, tmp_path):
    folder = rules_copy(tmp_path)
    cache.cached_rulebook([folder], lambda: load_rulebook([folder], load_vocabulary()))
    (entry,) = cache_dir.glob("rulebook-*.pickle")
    elsewhere = tmp_path / "elsewhere"
    entry.rename(elsewhere)
    entry.symlink_to(elsewhere)
    loads = []
    cache.cached_rulebook([folder], lambda: loads.append(1) or load_rulebook([folder], load_vocabulary()))
    assert loads == [1]


def test_the_key_covers_the_code_that_builds_the_cached_objects(tmp_path):
    files = cache.code_files()
    names = {p.name for p in files}
    assert {"rulebook.py", "conditions.py", "matcher.py", "plan.py", "yamlio.py", "cache.py"} <= names
    assert names == {p.name for p in cache.CORE_DIR.glob("*.py")}
    copies = []
    for path in files:
        copy = tmp_path / path.name
        copy.write_bytes(path.read_bytes())
        copies.append(copy)
    before = cache.code_fingerprint(copies)
    matcher = tmp_path / "matcher.py"
    matcher.write_text(matcher.read_text() + "\n# a changed sentinel\n")
    assert cache.code_fingerprint(copies) != before
