"""The per-user cache: a speed-up that can never change an answer."""

from __future__ import annotations

import pickle

import pytest

from mlarch.core import cache
from mlarch.core.engine import Engine
from mlarch.core.rulebook import load_rulebook

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
        return load_rulebook([folder])

    first = cache.cached_rulebook([folder], load)
    second = cache.cached_rulebook([folder], load)
    assert len(loads) == 1
    assert [r.canonical() for r in first.rules] == [r.canonical() for r in second.rules]
    assert (cache_dir.stat().st_mode & 0o777) == 0o700


def test_any_edit_is_a_miss(cache_dir, tmp_path):
    folder = rules_copy(tmp_path)
    cache.cached_rulebook([folder], lambda: load_rulebook([folder]))
    (folder / "r.yaml").write_text((folder / "r.yaml").read_text().replace("weight: 4", "weight: 5", 1))
    book = cache.cached_rulebook([folder], lambda: load_rulebook([folder]))
    assert book.get("approach.sql-team-data-in-bigquery").weight == 5


def test_corrupt_or_foreign_entries_are_ignored(cache_dir, tmp_path):
    folder = rules_copy(tmp_path)
    cache.cached_rulebook([folder], lambda: load_rulebook([folder]))
    (entry,) = cache_dir.glob("rulebook-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert cache.cached_rulebook([folder], lambda: load_rulebook([folder])).rules
    entry.write_bytes(pickle.dumps({"something": "else"}))
    assert cache.cached_rulebook([folder], lambda: load_rulebook([folder])).rules


def test_disabled_cache_writes_nothing(cache_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("MLARCH_NO_CACHE", "1")
    folder = rules_copy(tmp_path)
    cache.cached_rulebook([folder], lambda: load_rulebook([folder]))
    assert not cache_dir.exists()


def test_cached_compilation_gives_the_same_answers(cache_dir, fixture_engine):
    from mlarch.core.scenario import validate_mapping

    book = fixture_engine.rulebook
    s = validate_mapping({"name": "x", "model": {"custom_architecture": True, "framework": "scikit_learn", "size": "very_large"}})
    with Engine(book, cache=True) as first, Engine(book, cache=True) as second:
        assert first.evaluate(s).choices == second.evaluate(s).choices == fixture_engine.evaluate(s).choices
    assert list(cache_dir.glob("programs-*.pickle"))
