"""``python -m mlarch``: the same command as the ``mlarch`` script."""

from mlarch.cli.app import run

if __name__ == "__main__":
    run()
