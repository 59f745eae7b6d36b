"""Loading user input: safe YAML, scenario validation, the vocabulary contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from mlarch.core import yamlio
from mlarch.core.errors import InputError, did_you_mean
from mlarch.core.scenario import json_schema, load_scenario, validate_mapping
from mlarch.core.vocabulary import MAX_NUMBER, load_vocabulary

from .conftest import ROOT

CONTRACT = ROOT / "tests" / "contract" / "vocabulary.yaml"
SHARED = ROOT.parent / "shared" / "spec" / "vocabulary.yaml"


# ------------------------------------------------------------------ YAML


@pytest.mark.parametrize(
    "text, message",
    [
        ("a: 1\na: 2\n", "duplicate key"),
        ("a: !!python/object:os.system ls\n", "not allowed"),
        ("a: !custom x\n", "not allowed"),
        ("d: 2024-01-01\n", "timestamp values are not supported"),
        ("a: [\n", "invalid YAML"),
        ("", "empty"),
        ("<<: {a: 1}\n", "merge keys"),
        ("x: .inf\n", "finite"),
        ("? [1]\n: 2\n", "keys must be strings"),
        ("yes: 1\n", "YAML reads 'yes' as True"),
        ("a: &x [*x]\n", "recursive alias"),
        ("a: 1\n---\nb: 2\n", "invalid YAML"),
    ],
)
def test_unsafe_or_ambiguous_yaml_is_refused(text, message):
    with pytest.raises(InputError, match=message):
        yamlio.loads(text, "f.yaml")


def test_alias_bombs_are_bounded():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    with pytest.raises(InputError, match="more than"):
        yamlio.loads("\n".join(lines) + "\n", "bomb.yaml")


def test_deep_nesting_is_bounded():
    with pytest.raises(InputError, match="nesting deeper"):
        yamlio.loads("a: " + "[" * 40 + "]" * 40 + "\n", "deep.yaml")


def test_large_files_are_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("a: '" + "x" * (yamlio.MAX_BYTES + 10) + "'\n")
    with pytest.raises(InputError, match="larger than"):
        yamlio.load(big)


def test_errors_carry_file_and_line():
    with pytest.raises(InputError) as err:
        yamlio.loads("a: 1\nb:\n  c: 1\n  c: 2\n", "f.yaml")
    assert str(err.value) == "f.yaml:4: b.c: duplicate key (first defined on line 3)"


def test_unreadable_files(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        yamlio.load(tmp_path / "missing.yaml")
    with pytest.raises(InputError, match="directory"):
        yamlio.load(tmp_path)
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InputError, match="UTF-8"):
        yamlio.load(binary)


# ------------------------------------------------------------------ scenarios


def problems(data) -> list[str]:
    with pytest.raises(InputError) as err:
        validate_mapping(data, "s.yaml", vocab=load_vocabulary())
    return [p.render("s.yaml") for p in err.value.problems]


def test_unknown_keys_get_did_you_mean():
    (line,) = problems({"name": "x", "data": {"locaton": "bigquery"}})
    assert "data.locaton: unknown key (did you mean 'location'?)" in line
    assert "allowed: modality, location" in line


def test_values_outside_the_vocabulary():
    (line,) = problems({"name": "x", "data": {"modality": "tabualr"}})
    assert "invalid value 'tabualr' (did you mean 'tabular'?)" in line
    assert "allowed: tabular, image, text, audio, video, time_series, documents" in line


def test_wrong_types_and_bounds():
    lines = problems({
        "name": "x",
        "data": {"size_gb": True, "rows": 1.5, "labeled": "yes", "sensitive": "pii"},
        "serving": {"latency_ms": -1, "qps": MAX_NUMBER + 1},
    })
    text = "\n".join(lines)
    assert "data.size_gb: expected a number, got True" in text
    assert "data.rows: expected an integer, got 1.5" in text
    assert "data.labeled: expected true or false, got 'yes'" in text
    assert "data.sensitive: expected a list of values" in text
    assert "serving.latency_ms: must be at least 0" in text
    assert f"serving.qps: must be at most {MAX_NUMBER}" in text


def test_every_problem_is_reported_at_once():
    assert len(problems({"data": {"modality": "x", "location": "y"}, "tem": {}})) == 4


def test_name_is_required_and_file_friendly():
    assert any("name: required key is missing" in p for p in problems({"data": {}}))
    assert any("not a valid name" in p for p in problems({"name": "bad name!"}))


def test_sets_are_deduplicated_and_ordered_by_vocabulary():
    s = validate_mapping({"name": "x", "team": {"skills": ["python", "sql", "python"]}}, vocab=load_vocabulary())
    assert s.facts["team.skills"] == ("sql", "python")


def test_exclusive_set_values():
    (line,) = problems({"name": "x", "data": {"sensitive": ["pii", "none"]}})
    assert "'none' cannot be combined with other values" in line


def test_integral_floats_are_accepted_for_integers():
    assert validate_mapping({"name": "x", "data": {"rows": 1000.0}}, vocab=load_vocabulary()).facts["data.rows"] == 1000


def test_expectations_are_validated():
    lines = problems({"name": "x", "expect": {"aproach": "automl", "serving_mode": "onlin"}})
    assert any("expect.aproach: unknown key (did you mean 'approach'?)" in p for p in lines)
    assert any("expect.serving_mode: invalid choice 'onlin' (did you mean 'online'?)" in p for p in lines)


def test_line_numbers_in_scenario_errors(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("name: x\ndata:\n  modality: tabular\n  location: gcs\n")
    with pytest.raises(InputError) as err:
        load_scenario(f, vocab=load_vocabulary())
    assert str(err.value).startswith(f"{f}:4: data.location: invalid value 'gcs'")


def test_absent_facts_stay_absent():
    s = validate_mapping({"name": "x", "data": {"modality": "tabular"}}, vocab=load_vocabulary())
    assert dict(s.facts) == {"data.modality": "tabular"}


# ------------------------------------------------------------------ schema


def test_json_schema_matches_the_model():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schema(load_vocabulary())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        assert not list(validator.iter_errors(data)), path
    assert list(validator.iter_errors({"name": "x", "data": {"modality": "nope"}}))
    assert list(validator.iter_errors({"name": "x", "data": {"unknown": 1}}))
    assert list(validator.iter_errors({"data": {}}))


def test_schema_lists_every_fact_with_its_values():
    schema = json_schema(load_vocabulary())
    vocab = load_vocabulary()
    text = json.dumps(schema)
    for fact in vocab.facts.values():
        assert f'"{fact.name}"' in text
        for value in fact.values:
            assert f'"{value}"' in text


# ------------------------------------------------------------------ vocabulary contract


def _ids(vocab_data: dict, applies: dict[str, str] | None = None) -> dict[str, set[str]]:
    """Every id of a vocabulary; ``applies`` gives each dimension's applies_when as text
    when the file writes it as a condition (ours does, the contract's strings do not)."""
    out: dict[str, set[str]] = {}
    for fid, spec in vocab_data["facts"].items():
        out[f"fact {fid} ({spec['type']})"] = set((spec.get("values") or {}).keys())
    for did, spec in vocab_data["dimensions"].items():
        text = applies[did] if applies else spec["applies_when"]
        out[f"dimension {did} applies_when {text}"] = set(spec["choices"].keys())
    for key in vocab_data.get("deprecated") or {}:
        out[f"deprecated {key}"] = set()
    return out


def test_project_vocabulary_keeps_every_contract_id():
    contract = _ids(yaml.safe_load(CONTRACT.read_text()))
    parsed = load_vocabulary()
    ours = _ids(yaml.safe_load((ROOT / "engine" / "core" / "vocabulary.yaml").read_text()),
                {d: spec.applies_when.text for d, spec in parsed.dimensions.items()})
    for key, values in contract.items():
        assert key in ours, f"{key} was renamed or dropped"
        assert values <= ours[key], f"{key} lost values {values - ours[key]}"


def test_contract_copy_is_the_shared_spec():
    """tests/contract holds a verbatim copy so CI works without ../shared; keep it current."""
    if not SHARED.exists():
        pytest.skip("../shared/spec is not present in this checkout")
    assert CONTRACT.read_text() == SHARED.read_text()


def test_did_you_mean():
    assert did_you_mean("tabualr", ["tabular", "image"]) == "tabular"
    assert did_you_mean("Tabular", ["tabular"]) == "tabular"
    assert did_you_mean("time-series", ["time_series"]) == "time_series"
    assert did_you_mean("zzz", ["tabular"]) is None
    assert did_you_mean(3, ["tabular"]) is None


def test_bundled_scenarios_are_valid():
    files = sorted((ROOT / "scenarios").glob("*.yaml"))
    assert len(files) >= 8
    for path in files:
        s = load_scenario(path, vocab=load_vocabulary())
        assert s.name == Path(path).stem, f"{path}: name must equal the file name"
        assert s.expect, f"{path}: every bundled scenario states the decisions it expects"


@pytest.mark.parametrize(("applies_when", "message"), [
    ("approach == bigquery_ml", "expected a condition mapping or 'always'"),  # the old string form is refused
    ({"decision.approach": "sql"}, "invalid value 'sql'"),
    ({"decision.approach": {"contains": "automl"}}, "operator not allowed"),
    ({"data.location": "bigquery"}, "must test one decision with eq, in or not_in"),
])
def test_applies_when_is_a_rule_condition_on_one_decision(applies_when, message):
    import copy

    from mlarch.core import yamlio
    from mlarch.core.errors import EngineError
    from mlarch.core.vocabulary import VOCABULARY_FILE, parse_vocabulary

    data = copy.deepcopy(yamlio.load(VOCABULARY_FILE).data)
    data["dimensions"]["bqml_model"]["applies_when"] = applies_when
    with pytest.raises(EngineError, match="bqml_model: applies_when") as err:
        parse_vocabulary(data)
    assert message in str(err.value)


def test_applies_when_holds_like_a_rule_condition():
    spec = load_vocabulary().dimensions
    assert spec["bqml_model"].applies_when.holds({"approach": "bigquery_ml"})
    assert not spec["bqml_model"].applies_when.holds({"approach": "automl"}) and not spec["bqml_model"].applies_when.holds({})
    hw = spec["serving_hardware"].applies_when  # not_in: an absent parent does not apply
    assert hw.holds({"serving_platform": "cloud_run"}) and not hw.holds({"serving_platform": "api_call"}) and not hw.holds({})


# ------------------------------------------------------------------ the direct check


def _odd_values():
    """Values a scenario file may hold by mistake: wrong types, bounds, unknown names."""
    from hypothesis import strategies as st

    return st.one_of(
        st.none(), st.booleans(), st.integers(-5, 2**60), st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=5), st.sampled_from(["tabular", "bigquery", "sql", "none", "online", "", "x" * 4001]),
        st.lists(st.sampled_from(["sql", "python", "none", "bigquery", "nope", 1]), max_size=3),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    )


def _mangled(draw, data: dict) -> dict:
    """``data`` with a few keys or values broken (or not)."""
    from hypothesis import strategies as st

    vocab = load_vocabulary()
    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    for _ in range(draw(st.integers(0, 3))):
        group = draw(st.sampled_from([*vocab.groups, "expect", "name", "description", "extra"]))
        if group in ("name", "description"):
            data[group] = draw(st.one_of(_odd_values(), st.sampled_from(["ok-name", "bad name", "a\n", "x" * 81])))
            continue
        if group == "expect":
            dim = draw(st.sampled_from([*vocab.dimensions, "nope"]))
            choices = list(vocab.dimensions[dim].choices) if dim in vocab.dimensions else []
            data.setdefault("expect", {})[dim] = draw(st.one_of(st.sampled_from(choices or ["x"]), _odd_values()))
            continue
        names = [s.name for s in vocab.facts.values() if s.group == group] or ["x"]
        if draw(st.booleans()) or not isinstance(data.get(group), dict):
            data[group] = draw(st.one_of(st.just({}), st.none(), _odd_values()))
        if isinstance(data.get(group), dict):
            data[group][draw(st.sampled_from([*names, "unknown_fact"]))] = draw(_odd_values())
    return data


@pytest.mark.hypothesis  # a property test inside (sampled in the default lane, full size in make test-slow)
def test_the_direct_check_agrees_with_the_model():
    """validate_mapping checks plainly valid files without pydantic: it must accept
    only what the model accepts, with the same result; everything else goes to the model."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from mlarch.core import scenario as module

    from .strategies import scaled, scenario_data

    vocab = load_vocabulary()
    accepted = []

    @settings(max_examples=scaled(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(base=scenario_data(), data=st.data())
    def check(base, data):
        mapping = _mangled(data.draw, base)
        fast = module._valid_facts(mapping, vocab)
        try:
            model = module._validate_with_model(mapping, "f", None, (), vocab)
        except InputError:
            assert fast is None, mapping
            return
        if fast is not None:
            accepted.append(1)
            assert fast == (model.name, model.description, dict(model.facts), dict(model.expect)), mapping
            assert [type(v) for v in fast[2].values()] == [type(v) for v in model.facts.values()]

    check()
    assert len(accepted) > 50  # the direct check does take the plainly valid files


def test_every_bundled_scenario_passes_the_direct_check():
    from mlarch.core import scenario as module

    vocab = load_vocabulary()
    paths = sorted((ROOT / "scenarios").glob("*.yaml"))
    assert len(paths) > 20
    for path in paths:
        doc = yamlio.document(path)
        model = module._validate_with_model(doc.data, str(path), doc, (), vocab)
        fast = module._valid_facts(doc.data, vocab)
        assert fast == (model.name, model.description, dict(model.facts), dict(model.expect)), path
