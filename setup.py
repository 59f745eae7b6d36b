"""The one build step pyproject.toml cannot declare stably: a tiny C library.

durable-rules calls PyEval_CallObject, which Python 3.13 removed; the library
provides it (see engine/core/durable.py). It is built on every Python, so the
wheel is platform-specific, and loaded only on 3.13 and later. Everything
else about the package is in pyproject.toml.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("mlarch.core._pyeval_compat", sources=["engine/core/_pyeval_compat.c"])])
