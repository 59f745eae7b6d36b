"""durable-rules loads on every supported Python with a plain `pip install`.

Python 3.13 removed PyEval_CallObject, which durable-rules' extension calls;
mlarch builds a library exporting it (engine/core/_pyeval_compat.c) and
loads it globally before durable's import. CI's `make smoke` proves the
whole install on 3.11-3.13; these tests check the pieces on this Python.
"""

from __future__ import annotations

import ctypes
import subprocess
import sys

import pytest

from mlarch.cli.app import main
from mlarch.core import durable


def test_the_compatibility_library_is_built_and_exports_a_working_pyeval_callobject():
    path = durable.shim_path()
    assert path and path.endswith(".so"), path
    function = ctypes.PyDLL(path).PyEval_CallObject
    function.restype = ctypes.py_object
    function.argtypes = [ctypes.py_object, ctypes.py_object]
    assert function(len, ("abcd",)) == 4
    assert function(dict, ()) == {}
    with pytest.raises(ZeroDivisionError):  # exceptions propagate like PyObject_CallObject's
        function(divmod, (1, 0))


def test_durable_rules_loads_through_the_loader():
    assert durable.module().__name__ == "durable_rules_engine"


def test_mlarch_version_does_not_import_durable_rules():
    code = "import sys; from mlarch.cli.app import main; main(['--version']); print('durable_rules_engine' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    assert out.stdout.splitlines() == ["mlarch, version 0.1.0", "False"]


@pytest.fixture
def unloadable(monkeypatch):
    """durable-rules as if its import failed with 3.13's undefined symbol."""
    monkeypatch.setattr(durable, "_module", None)
    monkeypatch.setattr(durable, "needs_shim", lambda: False)

    class Finder:
        def find_spec(self, name, path=None, target=None):
            if name == "durable_rules_engine":
                raise ImportError("durable_rules_engine.so: undefined symbol: PyEval_CallObject")

    monkeypatch.delitem(sys.modules, "durable_rules_engine", raising=False)
    monkeypatch.setattr(sys, "meta_path", [Finder(), *sys.meta_path])


def test_an_unloadable_durable_rules_names_the_fix(unloadable):
    with pytest.raises(durable.DurableUnavailable) as err:
        durable.module()
    message = str(err.value)
    assert "undefined symbol: PyEval_CallObject" in message
    assert "CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject pip install --force-reinstall --no-cache-dir durable-rules==2.0.28" in message


def test_the_cli_reports_an_unloadable_durable_rules_in_one_line(unloadable, capsys):
    from mlarch.core.paths import bundled_rules_dir, bundled_scenarios_dir

    scenario = bundled_scenarios_dir() / "churn-bigquery-sql-team.yaml"
    status = main(["--rules", str(bundled_rules_dir()), "recommend", str(scenario)])
    err = capsys.readouterr().err
    assert status == 3
    assert err.startswith("mlarch: durable-rules cannot be loaded") and err.count("\n") == 1
    assert "Traceback" not in err
