"""The `mlarch interview` command (registered lazily in cli/app.py).

Interactive when stdin is a terminal; otherwise it reads one answer per line
from stdin, or takes answers from ``--answers FILE`` (a YAML mapping of fact
id to answer), and prints the same questions. The scenario file is written
after every answer, so Ctrl-C or the end of input never loses one.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, Mapping

import click

from mlarch.cli.context import EXIT_OK, Context, pass_ctx
from mlarch.core import yamlio
from mlarch.core.errors import InputError
from mlarch.core.scenario import Scenario, load_scenario, validate_mapping
from mlarch.interview.render import earlier_comments, explain_lines, question_lines, scenario_yaml
from mlarch.interview.session import Answer, BadAnswer, Session

EXIT_INTERRUPTED = 130
DEFAULT_OUT = "scenario.yaml"


def _answers_file(path: str) -> Mapping[str, Any]:
    doc = yamlio.load(path)
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, Mapping):
        raise InputError.single(path, "", "expected a mapping of fact id to answer (for example data.location: bigquery)")
    return {str(k): v for k, v in data.items()}


def _reply_text(value: Any) -> str:
    """An --answers value as the line a person would type."""
    if value is None:
        return "?"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


@click.command("interview")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), metavar="OUT",
              help=f"Scenario file to write (default: FILE when given, else {DEFAULT_OUT}).")
@click.option("--answers", "answers_path", type=click.Path(dir_okay=False, exists=True), metavar="FILE",
              help="Answer from a YAML mapping of fact id to value (skip, ? for don't know); unlisted facts: don't know.")
@click.option("--explain", is_flag=True, help="Before each question, show each value and the decisions it would change.")
@pass_ctx
def interview(ctx: Context, file: str | None, out: str | None, answers_path: str | None, explain: bool) -> int:
    """Ask only the facts whose answers would change the recommendation; write the scenario."""
    out_path = out or file or DEFAULT_OUT
    earlier: dict[str, str] = {}
    first = 1
    if file:
        scenario = load_scenario(file, vocab=ctx.vocab())
        earlier, last = earlier_comments(Path(file).read_text())
        first = last + 1
    else:
        scenario = Scenario("interview", {})
    engine = ctx.engine()
    session = Session(engine, scenario, first_number=first)
    answers = _answers_file(answers_path) if answers_path else None
    read = _reader(answers)
    finished = False

    def save() -> None:
        text = scenario_yaml(session, out_path, earlier, finished)
        doc = yamlio.loads(text, out_path)
        validate_mapping(doc.data, out_path, doc, vocab=engine.vocab)  # never write a file mlarch would reject
        Path(out_path).write_text(text)

    click.echo(f"mlarch interview: {len(session.rec.decisions)} decisions so far "
               f"({len(scenario.facts)} facts stated). Answers are saved to {out_path} after each question.")
    try:
        while True:
            candidates = session.candidates()
            if not candidates:
                finished = True
                click.echo("\nNo unstated fact would change any decision: the interview is complete.")
                break
            best = candidates[0]
            number = session.first_number + len(session.asked)
            click.echo("")
            if explain:
                for line in explain_lines(engine, session, candidates):
                    click.echo(line)
                click.echo("")
            for line in question_lines(engine, number, best):
                click.echo(line)
            answer = _ask(session, best.fact, read)
            if answer is None:
                click.echo("\n(end of input)")
                break
            if answer.kind == "stop":
                click.echo("Stopped.")
                break
            before = session.rec.choices
            changed = session.record(best, answer)
            save()
            click.echo(_after(session, answer, changed, before))
    except KeyboardInterrupt:
        save()
        click.echo(f"\nInterrupted: {len(session.asked)} answers kept in {out_path}; resume with: mlarch interview {out_path}")
        return EXIT_INTERRUPTED
    save()
    click.echo(f"\nWrote {out_path}. Next: mlarch recommend {out_path}")
    return EXIT_OK


def _after(session: Session, answer: Answer, changed: frozenset[str], before: Mapping[str, str]) -> str:
    from mlarch.analysis.summary import counts, summary_lines

    if answer.kind != "value":
        return "  (" + ("skipped" if answer.kind == "skip" else "not known") + "; the fact stays unstated)"
    head = f"  {len(changed)} decision{'s' if len(changed) != 1 else ''} changed; now {counts(session.sens)}:"
    return "\n".join([head] + ["  " + line for line in summary_lines(session.rec, session.sens, changed, dict(before))])


Reader = Callable[[str], "str | None"]


def _reader(answers: Mapping[str, Any] | None) -> Reader:
    """Where replies come from: the answers file, a terminal, or lines of stdin (echoed)."""
    if answers is not None:
        def from_file(fact: str) -> str | None:
            reply = _reply_text(answers.get(fact))
            click.echo(reply)
            return reply
        return from_file
    if sys.stdin.isatty():
        def from_terminal(fact: str) -> str | None:
            try:
                return input()
            except EOFError:
                return None
        return from_terminal

    def from_stdin(fact: str) -> str | None:
        line = sys.stdin.readline()
        if not line:
            return None
        click.echo(line.rstrip("\n"))
        return line

    return from_stdin


def _ask(session: Session, fact: str, read: Reader) -> Answer | None:
    """Ask until the reply is allowed (a bad value is re-asked with what is allowed; nothing is lost)."""
    spec = session.engine.vocab.facts[fact]
    tries = 0
    while True:
        click.echo(f"{fact}> ", nl=False)
        reply = read(fact)
        if reply is None:
            return None
        try:
            return session.parse(spec, reply)
        except BadAnswer as exc:
            tries += 1
            allowed = ", ".join(spec.values) if spec.values else {"bool": "yes, no"}.get(spec.type, "see above")
            if spec.type == "set" and "none" not in spec.values:
                allowed += ", none"
            click.echo(f"  not accepted: {exc}. Allowed: {allowed}; or skip, ?, quit.")
            if tries >= 3 and not sys.stdin.isatty():
                return Answer("unknown")  # a script's bad answer must not loop forever
