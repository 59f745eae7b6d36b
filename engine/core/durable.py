"""Import durable-rules' C module on every supported Python.

durable-rules 2.0.28 ships only as an sdist, and its extension calls
``PyEval_CallObject``, which Python 3.13 removed: the extension builds but
its import fails with "undefined symbol". The mlarch wheel builds a tiny
library of its own (``_pyeval_compat.c``) that exports the symbol; loading it
with RTLD_GLOBAL before the import lets the dynamic loader resolve durable's
reference there, so a plain ``pip install mlarch`` works with no flags.

Only this module and core/matcher.py touch durable-rules. The import is
deferred to the first evaluation, so ``mlarch --version`` and ``--help``
work even where durable-rules cannot load; then the error names the fix.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from mlarch.core.errors import EngineError

SHIM = "mlarch.core._pyeval_compat"
FIX = ("reinstall durable-rules with the define it needs: "
       "CPPFLAGS=-DPyEval_CallObject=PyObject_CallObject pip install --force-reinstall --no-cache-dir durable-rules==2.0.28")

_module: ModuleType | None = None


class DurableUnavailable(EngineError):
    """durable-rules' C extension cannot be imported; the message names the fix."""


def shim_path() -> str | None:
    """The built compatibility library, or None when it was not built (a source checkout)."""
    spec = importlib.util.find_spec(SHIM)
    return spec.origin if spec and spec.origin else None


def needs_shim() -> bool:
    return sys.version_info >= (3, 13)


def _load_shim() -> None:
    import ctypes  # only on Python >= 3.13: keeps start-up cheap elsewhere

    path = shim_path()
    if path:
        ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)


def module() -> ModuleType:
    """``durable_rules_engine``, imported once; :class:`DurableUnavailable` when it cannot load."""
    global _module
    if _module is None:
        if needs_shim():
            _load_shim()
        try:
            import durable_rules_engine
        except ImportError as exc:
            fix = FIX if "PyEval_CallObject" in str(exc) else "reinstall it: pip install --force-reinstall --no-cache-dir durable-rules==2.0.28"
            raise DurableUnavailable(f"durable-rules cannot be loaded ({exc}); {fix}") from None
        _module = durable_rules_engine
    return _module
