"""`mlarch review --format sarif` validates against the SARIF 2.1.0 schema and points at design lines."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import jsonschema
import pytest

from mlarch.cli.app import main

from .conftest import FIXTURES, ROOT

SCHEMA = Path(__file__).parent / "schemas" / "sarif-2.1.0-rtm.5.json"
DESIGNS = sorted((ROOT / "scenarios" / "designs").glob("*.yaml"))


@lru_cache(maxsize=1)
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def sarif(capsys, *args: str) -> tuple[int, dict]:
    code = main(["review", *args, "-f", "sarif"])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    return code, json.loads(out)


def assert_valid(doc: dict) -> None:
    errors = sorted(validator().iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_the_vendored_schema_is_sarif_2_1_0():
    schema = json.loads(SCHEMA.read_text())
    assert "2.1.0" in schema["title"] and schema["properties"]["version"]["enum"] == ["2.1.0"]


def test_the_validator_rejects_a_broken_log():
    with pytest.raises(jsonschema.ValidationError):
        validator().validate({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})  # driver needs a name
    with pytest.raises(jsonschema.ValidationError):
        validator().validate({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"level": "fatal", "message": {"text": "x"}}]}]})


@pytest.mark.parametrize("path", DESIGNS, ids=lambda p: p.stem)
def test_bundled_designs_give_valid_sarif(capsys, path):
    code, doc = sarif(capsys, str(path))
    assert_valid(doc)
    run = doc["runs"][0]
    results = run["results"]
    assert (code == 1) == any(r["level"] == "error" for r in results)
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert ids == sorted(set(ids))
    for r in results:
        assert ids[r["ruleIndex"]] == r["ruleId"]
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"].endswith(path.name)
        assert loc["region"]["startLine"] >= 1


def test_results_point_at_the_design_lines(capsys):
    path = ROOT / "scenarios" / "designs" / "churn-custom-tpu.yaml"
    lines = path.read_text().splitlines()
    _, doc = sarif(capsys, str(path))
    for r in doc["runs"][0]["results"]:
        dim = r["properties"]["dimension"]
        line = lines[r["locations"][0]["physicalLocation"]["region"]["startLine"] - 1]
        if r["ruleId"] == "design/undecided":
            assert line.startswith("design:")
        else:
            assert line.strip().startswith(f"{dim}:"), (dim, line)


def test_rule_ids_are_stable_and_hard_constraints_carry_their_docs(capsys):
    _, doc = sarif(capsys, str(ROOT / "scenarios" / "designs" / "fraud-tpu-public-endpoint.yaml"))
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    constraint = rules["constraint/training_hardware.no-tpu-for-classical-ml"]
    assert constraint["defaultConfiguration"]["level"] == "error"
    assert constraint["helpUri"].startswith("https://")
    assert {"design/departure", "design/undecided"} <= set(rules)
    levels = {r["ruleId"]: r["level"] for r in doc["runs"][0]["results"]}
    assert levels["constraint/training_hardware.no-tpu-for-classical-ml"] == "error"
    assert levels["design/undecided"] == "note"


def test_clean_review_is_valid_sarif_with_only_notes(capsys, tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text("scenario: {name: s, data: {location: bigquery}, team: {skills: [sql]}}\ndesign: {approach: bigquery_ml}\n")
    code = main(["--rules", str(FIXTURES / "rules"), "review", str(path), "-f", "sarif"])
    doc = json.loads(capsys.readouterr()[0])
    assert code == 0
    assert_valid(doc)
    assert {r["level"] for r in doc["runs"][0]["results"]} == {"note"}


def test_fingerprints_are_unique_and_stable(capsys):
    path = str(ROOT / "scenarios" / "designs" / "churn-custom-tpu.yaml")
    _, first = sarif(capsys, path)
    _, second = sarif(capsys, path)
    prints = [r["partialFingerprints"]["mlarchFinding/v1"] for r in first["runs"][0]["results"]]
    assert len(prints) == len(set(prints))
    assert prints == [r["partialFingerprints"]["mlarchFinding/v1"] for r in second["runs"][0]["results"]]


def test_several_designs_make_one_valid_log_with_one_run(capsys):
    designs = sorted((ROOT / "scenarios" / "designs").glob("*.yaml"))
    code = main(["review", *map(str, designs), "-f", "sarif"])
    log = json.loads(capsys.readouterr().out)
    validator().validate(log)
    (run,) = log["runs"]
    assert code == 1  # some bundled designs break hard rules
    uris = [a["location"]["uri"] for a in run["artifacts"]]
    assert len(uris) == len(designs) and all(u.endswith(d.name) for u, d in zip(uris, designs))
    singles = []
    for design in designs:
        main(["review", str(design), "-f", "sarif"])
        singles.append(json.loads(capsys.readouterr().out)["runs"][0]["results"])
    assert len(run["results"]) == sum(map(len, singles))
    for result in run["results"]:
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert uris[location["index"]] == location["uri"]
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    assert [d["design"] for d in run["properties"]["designs"]] == [d.stem for d in designs]
