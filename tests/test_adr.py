"""`mlarch adr`: one MADR record per decision, deterministic names and content, safe writes."""

from __future__ import annotations

import re

import pytest

from mlarch.adr.model import file_name, records
from mlarch.core.scenario import load_scenario
from mlarch.core.vocabulary import load_vocabulary

from .conftest import ROOT, run_cli

CHURN = ROOT / "scenarios" / "churn-bigquery-sql-team.yaml"
MADR_SECTIONS = ["## Context and Problem Statement", "## Decision Drivers", "## Considered Options", "## Decision Outcome",
                 "### Consequences", "### Confirmation", "## Pros and Cons of the Options", "## More Information"]


@pytest.fixture(scope="module")
def churn(bundled_engine):
    return bundled_engine.evaluate(load_scenario(CHURN, vocab=load_vocabulary()))


def test_one_record_per_decision_with_stable_names(churn):
    files = records(load_vocabulary(), churn)
    assert set(files) == {file_name(load_vocabulary(), d) for d in churn.decisions} | {"index.md"}
    assert "0001-approach.md" in files and "0003-bqml-model.md" in files  # numbered by vocabulary position
    assert all(re.fullmatch(r"\d{4}-[a-z-]+\.md|index\.md", name) for name in files)


def test_records_follow_the_madr_layout(churn):
    text = records(load_vocabulary(), churn)["0001-approach.md"]
    assert text.startswith("---\nstatus: proposed\n---\n\n# Approach: use `bigquery_ml`\n")
    positions = [text.index(section) for section in MADR_SECTIONS]
    assert positions == sorted(positions)
    assert "* `data.location` = bigquery" in text  # context and drivers from the facts
    assert "Chosen option: `bigquery_ml`, because of `approach.sql-team-data-in-bigquery`" in text
    assert "### `custom_training`" in text and "* Bad, because of `approach.no-ml-expertise-avoids-custom-training`" in text
    assert "[bqml_model](0003-bqml-model.md)" in text  # consequences link the decisions it opens
    assert "<https://cloud.google.com/bigquery/docs/e2e-journey>" in text


def test_child_decisions_link_back_to_their_parent(churn):
    text = records(load_vocabulary(), churn)["0003-bqml-model.md"]
    assert "It arises because [approach](0001-approach.md) is `bigquery_ml`" in text


def test_every_local_link_resolves(churn):
    files = records(load_vocabulary(), churn)
    for name, text in files.items():
        for target in re.findall(r"\]\(([^)]+\.md)\)", text):
            assert target in files, (name, target)


def test_deprecated_choice_is_a_consequence(bundled_engine):
    rec = bundled_engine.evaluate(load_scenario(ROOT / "scenarios" / "fraud-realtime-scoring.yaml", vocab=load_vocabulary()))
    files = records(load_vocabulary(), rec)
    (text,) = [t for name, t in files.items() if name.endswith("-explainability.md")]  # numbered by decision order
    # judged at the tests' run date (conftest: 2026-12-01): the end date is within 12 months
    assert ("* Bad, because it is deprecated: Sampled Shapley (Vertex Explainable AI) is deprecated since 2026-03-16 "
            "and shuts down on 2027-03-16, within 12 months of 2026-12-01.") in text


def test_cli_writes_byte_identical_files(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "adr", str(CHURN), "-o", str(tmp_path / "a"))
    assert code == 0 and out.startswith("wrote ")
    run_cli(capsys, "adr", str(CHURN), "-o", str(tmp_path / "b"))
    a = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()}
    b = {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()}
    assert a == b and len(a) > 10
    # rerunning over unchanged files is fine
    assert run_cli(capsys, "adr", str(CHURN), "-o", str(tmp_path / "a"))[0] == 0


def test_cli_refuses_to_overwrite_changed_files_without_force(capsys, tmp_path):
    out_dir = tmp_path / "adr"
    run_cli(capsys, "adr", str(CHURN), "-o", str(out_dir))
    (out_dir / "0001-approach.md").write_text("edited by hand\n")
    code, out, err = run_cli(capsys, "adr", str(CHURN), "-o", str(out_dir))
    assert code == 2 and "would overwrite 1 changed file(s) (0001-approach.md); pass --force" in err
    assert (out_dir / "0001-approach.md").read_text() == "edited by hand\n"
    assert run_cli(capsys, "adr", str(CHURN), "-o", str(out_dir), "--force")[0] == 0
    assert (out_dir / "0001-approach.md").read_text().startswith("---\nstatus: proposed\n")


def test_cli_status_and_date(capsys, tmp_path):
    code, _, _ = run_cli(capsys, "adr", str(CHURN), "-o", str(tmp_path), "--status", "accepted", "--date", "2025-03-01")
    assert code == 0
    (serving_mode,) = tmp_path.glob("*-serving-mode.md")  # numbered by decision order
    assert serving_mode.read_text().startswith("---\nstatus: accepted\ndate: 2025-03-01\n---\n")
    code, out, err = run_cli(capsys, "adr", str(CHURN), "-o", str(tmp_path / "x"), "--date", "2025-13-01")
    assert code == 2 and "--date: expected a date as YYYY-MM-DD, got '2025-13-01'" in err


def test_cli_output_must_be_a_folder(capsys, tmp_path):
    target = tmp_path / "file.md"
    target.write_text("x")
    code, _, err = run_cli(capsys, "adr", str(CHURN), "-o", str(target))
    assert code == 2 and "Traceback" not in err


def test_cli_dash_is_not_taken_for_a_folder_named_dash(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "adr", str(CHURN), "-o", "-")
    assert code == 2 and out == "" and "not standard output; give a folder name" in err
    assert list(tmp_path.iterdir()) == []


def test_cli_never_follows_a_symlink_out_of_the_folder(capsys, tmp_path):
    out, outside = tmp_path / "adr", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (out / "0001-approach.md").symlink_to(outside / "planted.md")  # dangling
    victim = outside / "victim.md"
    victim.write_text("keep me")
    (out / "index.md").symlink_to(victim)
    code, _, err = run_cli(capsys, "adr", CHURN, "-o", out, "--force")
    assert code == 2 and "symbolic link" in err and err.count("\n") == 1
    assert not (outside / "planted.md").exists() and victim.read_text() == "keep me"


def test_cli_full_disk_leaves_the_folder_as_it_was_and_a_rerun_works(capsys, tmp_path, monkeypatch):
    import errno
    import os

    from mlarch.core import output

    out = tmp_path / "adr"
    real_write, calls = os.write, []

    def filling(fd, data):
        calls.append(fd)
        if len(calls) > 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(output.os, "write", filling)
    code, _, err = run_cli(capsys, "adr", CHURN, "-o", out)
    assert code == 2 and "No space left" in err
    assert not out.exists() or list(out.iterdir()) == []
    monkeypatch.setattr(output.os, "write", real_write)
    code, _, err = run_cli(capsys, "adr", CHURN, "-o", out)
    assert code == 0, err


@pytest.mark.parametrize("kind", ["directory", "fifo", "binary"])
def test_cli_odd_existing_index_is_one_line_exit_2(capsys, tmp_path, kind):
    import os

    out = tmp_path / "adr"
    out.mkdir()
    index = out / "index.md"
    if kind == "directory":
        index.mkdir()
    elif kind == "fifo":
        os.mkfifo(index)
    else:
        index.write_bytes(b"\xff\xfe\x00binary")
    code, _, err = run_cli(capsys, "adr", CHURN, "-o", out)
    assert code == 2 and err.count("\n") == 1, err
    if kind == "binary":  # a regular file that differs: replaced with --force
        code, _, err = run_cli(capsys, "adr", CHURN, "-o", out, "--force")
        assert code == 0, err
        assert index.read_text(encoding="utf-8").startswith("# Architecture decisions")


def test_cli_read_only_folder_is_exit_2(capsys, tmp_path, monkeypatch):
    import errno
    import os

    from mlarch.core import output

    real_open = os.open

    def read_only(path, flags, *args):
        if flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(output.os, "open", read_only)  # root ignores a 0500 folder, so simulate it
    code, _, err = run_cli(capsys, "adr", CHURN, "-o", tmp_path / "adr")
    assert code == 2 and "Permission denied" in err and err.count("\n") == 1
    assert not (tmp_path / "adr").exists()


def test_markdown_from_the_scenario_is_inert(bundled_engine):
    """Issue 11 item 9: a description's link syntax must not become a live link."""
    from mlarch.core.scenario import validate_mapping

    evil = "[click](javascript:alert(1)) <img src=x onerror=alert(1)> **bold** `code`"
    rec = bundled_engine.evaluate(validate_mapping({"name": "evil", "description": evil, "problem": {"task": "clustering"}}, vocab=load_vocabulary()))
    files = records(load_vocabulary(), rec)
    for name, text in files.items():
        assert not re.search(r"(?<!\\)\[click(?<!\\)\]\(", text), name
        assert not re.search(r"(?<!\\)<img|(?<!\\)\*\*bold", text), name
    assert "\\[click\\](javascript:alert(1))" in files["index.md"]
