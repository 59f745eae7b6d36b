"""`mlarch coverage --by bullet`: every exam-guide bullet that names a decision is covered
by rules and by a question (issue 13), and a missing question shows up as a gap."""

from __future__ import annotations

import json
import shutil

import yaml

from tests.conftest import ROOT, run_cli

BULLETS = ROOT / "engine" / "rulebase" / "exam_bullets.yaml"


def test_every_decision_bullet_is_covered(capsys):
    code, out, _ = run_cli(capsys, "coverage", "--by", "bullet", "-f", "json")
    data = json.loads(out)
    ids = [b["bullet"] for b in data["bullets"]]
    assert len(ids) == len(set(ids)) >= 60
    assert code == 0 and data["uncovered"] == []
    for b in data["bullets"]:
        if b["decision"]:
            assert b["dimensions"] and b["rule_ids"] and b["questions"], b["bullet"]
    assert set(data["not_decisions"]) == {b["bullet"] for b in data["bullets"] if not b["decision"]}


def test_a_bullet_without_questions_is_reported(capsys, tmp_path):
    qdir = tmp_path / "questions"
    qdir.mkdir()
    for path in (ROOT / "scenarios" / "questions").glob("*.yaml"):
        section = yaml.safe_load(path.read_text()).get("section")
        if "4.2" not in ([section] if isinstance(section, str) else section):  # drop every question tagged 4.2
            shutil.copy(path, qdir / path.name)
    code, out, _ = run_cli(capsys, "coverage", "--by", "bullet", "--questions", str(qdir))
    assert code == 1
    uncovered = out.split("uncovered:")[-1]
    assert "4.2.a" in uncovered and "no question covers it" in out


def test_bullets_are_paraphrases_with_known_sections():
    data = yaml.safe_load(BULLETS.read_text())
    sections = set(yaml.safe_load((ROOT / "engine" / "core" / "vocabulary.yaml").read_text())["exam_sections"])
    for b in data["bullets"]:
        assert b["id"].rsplit(".", 1)[0] in sections
        assert 10 < len(b["paraphrase"]) < 120


def test_section_report_still_works(capsys):
    code, out, _ = run_cli(capsys, "coverage", "--by", "section")
    assert code == 0 and "16 of 16 sections covered" in out
