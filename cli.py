"""Run `mlarch` from a source checkout: ``python cli.py ARGS`` (same as ``python -m mlarch``).

The command itself lives in the package, ``mlarch.cli.app`` (engine/cli/app.py);
this file is not installed. It needs the package importable, as ``make demo``
or ``pip install -e .`` leaves it.
"""

from mlarch.cli.app import run

if __name__ == "__main__":
    run()
