"""The `mlarch` command line.

Exit status of every command (interfaces.md section 6): 0 success; 1 the
command worked and found problems; 2 bad input or usage, with one line per
problem and never a traceback; 3 an internal error (a bug: please report it,
MLARCH_DEBUG=1 shows the traceback).
"""

from __future__ import annotations

import errno
import gc
import importlib
import os
import sys
from typing import Any, Sequence

import click

from mlarch import __version__
from mlarch.cli.context import EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, Context, Reported, echo
from mlarch.core.durable import DurableUnavailable
from mlarch.core.errors import EngineError, InputError, RuleBaseLimitError, did_you_mean
from mlarch.recommend import command as recommend_commands
from mlarch.rulebase import command as rulebase_commands

# Commands that live with their feature, imported only when used: `mlarch recommend`
# should not pay for Graphviz, the lint checks or the review search (measured in
# benchmarks/run.py: the CLI's start-to-answer time is mostly imports).
FEATURE_COMMANDS: dict[str, str] = {
    "lint": "mlarch.lint.command:lint_command",
    "diagram": "mlarch.diagram.command:diagram",
    "review": "mlarch.review.command:review_command",
    "answer": "mlarch.answer.command:answer_command",
    "explain": "mlarch.explain.command:explain_command",
    "why-not": "mlarch.explain.command:why_not_command",
    "what-if": "mlarch.explain.command:what_if_command",
    "adr": "mlarch.adr.command:adr_command",
    "interview": "mlarch.interview.command:interview",
}


class LazyGroup(click.Group):
    """A click group that imports a feature command the first time it is looked up."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module, attr = self.lazy[cmd_name].split(":")
            command = getattr(importlib.import_module(module), attr)
            if command.name != cmd_name:  # pragma: no cover - a wrong table entry
                raise RuntimeError(f"{self.lazy[cmd_name]} is the command {command.name!r}, not {cmd_name!r}")
            self.add_command(command)
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else None
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            hint = did_you_mean(name, self.list_commands(ctx))
            ctx.fail(f"No such command {name!r}." + (f" Did you mean {hint!r}?" if hint else "")
                     + f" Commands: {', '.join(self.list_commands(ctx))}.")
        return super().resolve_command(ctx, args)


@click.group(cls=LazyGroup, lazy=FEATURE_COMMANDS, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="mlarch")
@click.option(
    "--rules", "rule_paths", multiple=True, type=click.Path(), metavar="PATH",
    help="Rule file or folder to use instead of the bundled rules (repeatable).",
)
@click.pass_context
def cli(ctx: click.Context, rule_paths: tuple[str, ...]) -> None:
    """Decision support for machine-learning architecture on Google Cloud.

    Describe a scenario in YAML; mlarch recommends one choice per decision
    dimension, with the rules, facts and documentation behind each.
    """
    ctx.obj = Context(rule_paths)


for _command in (*recommend_commands.COMMANDS, *rulebase_commands.COMMANDS):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the CLI and map every outcome to an exit status."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, prog_name="mlarch", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return EXIT_FINDINGS
    except click.UsageError as exc:
        exc.show()
        return EXIT_INPUT
    except click.ClickException as exc:
        exc.show()
        return EXIT_INPUT
    except (InputError, Reported) as exc:
        echo(str(exc), err=True)
        return EXIT_INPUT
    except RuleBaseLimitError as exc:
        echo(f"rule base rejected: {exc}", err=True)
        return EXIT_INPUT
    except DurableUnavailable as exc:  # an installation problem: one line naming the fix
        click.echo(f"mlarch: {exc}", err=True)
        return EXIT_INTERNAL
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_OK
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRORS:
            return _internal(exc)
        _silence_stdout()
        echo(f"mlarch: cannot write the output: {exc.strerror}", err=True)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except (EngineError, Exception) as exc:  # noqa: BLE001 - last resort, never a traceback
        return _internal(exc)
    return int(result or 0)


# Writing stdout (or a report) failed for a reason of the environment, not a bug:
# a full disk (`> /dev/full`), a quota, a read-only or failing device.
_OUTPUT_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO}


def _internal(exc: BaseException) -> int:
    if os.environ.get("MLARCH_DEBUG"):
        raise exc
    echo(f"mlarch: internal error: {type(exc).__name__}: {exc} (set MLARCH_DEBUG=1 for a traceback)", err=True)
    return EXIT_INTERNAL


def _silence_stdout() -> None:
    """Point stdout at the null device, so the interpreter's final flush of what could not be
    written does not print a second error at exit (only the real stdout, never a capture)."""
    if sys.stdout is not sys.__stdout__:
        return
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (tests capture stdout)


GC_THRESHOLD = (50_000, 10, 10)  # see run(); the test session uses it too (tests/conftest.py)


def run() -> None:
    """Console-script wrapper: ends the process without the interpreter's teardown.

    At exit the interpreter frees the unpickled rule book, compiled programs
    and vocabulary object by object: about 0.03 s CPU, a fifth of a warm
    `mlarch recommend`, for memory the system takes back anyway. So once
    ``main`` is done and the output is flushed, the process ends with
    ``os._exit``. Nothing in mlarch relies on exit handlers (files are
    written and closed inside ``main``; the durable-rules handles' finalizer
    only frees memory). If the flush fails, the normal exit reports it as
    before. ``MLARCH_FULL_EXIT=1`` keeps the normal exit (for tools that
    hook interpreter exit, such as coverage of subprocesses).
    """
    # A run holds a large, long-lived heap (the rule book, compiled programs, memos of
    # decisions) and allocates fast; with the default threshold of 700 the collector
    # kept walking that heap (half the CPU of `mlarch answer` on the question bank).
    # Collecting every 50,000 allocations bounds pending garbage to a few MB. Only the
    # console script does this; importing mlarch as a library leaves the settings alone.
    gc.set_threshold(*GC_THRESHOLD)
    status = main()
    if os.environ.get("MLARCH_FULL_EXIT"):
        sys.exit(status)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(status)
    os._exit(status)


if __name__ == "__main__":
    run()
