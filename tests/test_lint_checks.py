"""Every lint check of the registry (engine/lint/registry.py) has fixture rules
that must trigger it and near-identical ones that must not
(tests/fixtures/lint/<code>/fires.yaml, does_not_fire.yaml, or folders of that name
when the file names matter), linted on top of
the healthy base of test_lint.py; a fixture rule with a base rule's id replaces it.
Only findings that name no rule or a fixture rule count."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from mlarch.core.vocabulary import load_vocabulary
from mlarch.lint.findings import render_text
from mlarch.lint.registry import BY_CODE, CODES, REGISTRY, explain
from mlarch.lint.run import lint
from mlarch.lint.spec import load_invariants

from .conftest import FIXTURES, ROOT, run_cli
from .test_lint import healthy, write

LINT_FIXTURES = FIXTURES / "lint"
# Checks that judge the vocabulary, not rule files: no rule fixture can trigger them; each is
# tested on a modified vocabulary instead (tests/test_lint_freshness.py).
VOCABULARY_CHECKS = {"unnamed-choice": "tests/test_lint_freshness.py::test_every_choice_needs_a_current_name"}
RULE_CODES = tuple(c for c in CODES if c not in VOCABULARY_CHECKS)


def _files(fixture) -> list:
    """A fixture is a rule file, or a folder of rule files (when their names matter)."""
    return sorted(fixture.glob("*.yaml")) if fixture.is_dir() else [fixture.with_suffix(".yaml")]


def _ids(files) -> set[str]:
    ids: set[str] = set()
    for path in files:
        try:
            data = yaml.safe_load(path.read_text())
        except yaml.YAMLError:
            continue
        ids |= {r["id"] for r in data["rules"] if isinstance(r.get("id"), str)}
    return ids


@pytest.mark.parametrize("kind", ["fires", "does_not_fire"])
@pytest.mark.parametrize("code", RULE_CODES)
def test_each_check_fires_on_its_fixture_and_only_there(tmp_path, code, kind):
    files = _files(LINT_FIXTURES / code / kind)
    assert files and all(f.is_file() for f in files)
    folder = tmp_path / "rules"
    replaced = _ids(files)
    write(folder, "base.yaml", [r for r in healthy() if r["id"] not in replaced])
    for f in files:
        shutil.copy(f, folder / (f.name if f.parent.name == kind else "fixture.yaml"))
    report = lint([folder], load_vocabulary(), samples=150, seed=0, invariants=load_invariants(FIXTURES / "lint-invariants.yaml", load_vocabulary()))
    # the base has findings of its own (review-only notes): count those that name no rule or a fixture rule
    found = [f for f in report.findings if f.check == code and (not f.rules or replaced & set(f.rules))]
    if kind == "fires":
        assert found, render_text(report)
        assert {f.severity for f in found} <= set(BY_CODE[code].severities)
        if len(files) > 1:  # a folder of fixture files: each one shows the check
            assert {f.name for f in files} <= {Path(x.file).name for x in found if x.file}, render_text(report)
    else:
        assert not found, render_text(report)


def test_every_check_has_fixtures_and_every_fixture_a_check():
    assert sorted(p.name for p in LINT_FIXTURES.iterdir() if p.is_dir()) == sorted(RULE_CODES)
    assert set(VOCABULARY_CHECKS) <= set(CODES)
    for check in REGISTRY:
        assert check.title and check.why and check.fix and check.severities
        assert set(check.severities) <= {"error", "warning", "info"}


def test_explain_prints_why_and_how_to_fix(capsys):
    code, out, _ = run_cli(capsys, "lint", "--explain", "never-fires")
    assert code == 0 and out == explain("never-fires")
    assert out.startswith("never-fires (error): ") and "Why: " in out and "How to fix: " in out


def test_explain_an_unknown_check_is_bad_input_with_did_you_mean(capsys):
    code, _, err = run_cli(capsys, "lint", "--explain", "never-fire")
    assert code == 2 and "unknown check 'never-fire'" in err and "did you mean 'never-fires'" in err
    assert "Traceback" not in err


def test_docs_list_every_check():
    page = (ROOT / "docs" / "lint.md").read_text()
    for check in REGISTRY:
        assert f"### {check.code}\n" in page and check.fix in page


def test_rule_files_in_the_invariants_name_known_dimensions(tmp_path):
    from mlarch.core.errors import InputError

    spec = tmp_path / "spec.yaml"
    spec.write_text("rule_files:\n  security: [encryptoin]\n")
    with pytest.raises(InputError) as err:
        load_invariants(spec, load_vocabulary())
    assert "rule_files.security[0]: unknown dimension 'encryptoin'" in str(err.value) and "did you mean 'encryption'" in str(err.value)


def test_every_bundled_rule_file_is_named_after_what_it_decides():
    """Each bundled file is a dimension or a listed topic file (so the rule-file check
    covers it), and every rule sits in the file its dimension names."""
    from mlarch.core.paths import bundled_rules_dir
    from mlarch.core.rulebook import rule_files
    from mlarch.core.vocabulary import load_vocabulary
    from mlarch.lint.spec import bundled_invariants

    topics = bundled_invariants(load_vocabulary()).rule_files
    names = {p.stem for p in rule_files(bundled_rules_dir())}
    assert names <= set(load_vocabulary().dimensions) | set(topics), names - set(load_vocabulary().dimensions) - set(topics)
    report = lint([bundled_rules_dir()], load_vocabulary(), samples=0, checks=["rule-file"])
    assert report.findings == [], render_text(report)
