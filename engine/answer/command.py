"""The `mlarch answer` command (registered in cli/app.py).

Returns an exit status (interfaces.md section 6): 0 success, 1 the
command worked and found problems, 2 bad input (raised as InputError).
"""

from __future__ import annotations

import click

from mlarch.cli.context import EXIT_FINDINGS, EXIT_OK, Context, InputFile, as_of_option, echo, pass_ctx, scenario_files
from mlarch.core.serialize import dump_json


@click.command("answer")
@click.argument("paths", nargs=-1, required=True, type=InputFile(("questions",), folders=True))
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@as_of_option
@pass_ctx
def answer_command(ctx: Context, paths: tuple[str, ...], fmt: str) -> int:
    """Answer the exam-style question(s) in PATHS (files, or folders of *.yaml).

    Prints the chosen letter first, then why it wins and why each other
    option loses. Exit 1 when an answer is a tie or differs from the file's
    `expect:` key.
    """
    from mlarch.answer.model import answer, load_question
    from mlarch.answer.text import answer_dict, first_line, render_answer_text

    files = scenario_files(paths, ("questions",))
    engine = ctx.engine()
    questions = [load_question(f, engine.vocab) for f in files]
    for q in questions:
        for problem in q.ignored:
            echo("warning: " + problem.render(q.source), err=True)
    answers = [answer(engine, q) for q in questions]
    failed = [a for a in answers if a.tie or a.correct is False]
    if fmt == "json":
        data = answer_dict(answers[0]) if len(answers) == 1 else [answer_dict(a) for a in answers]
        echo(dump_json(data), nl=False)
    elif len(answers) == 1:
        echo(render_answer_text(answers[0]), nl=False)
    else:
        for a in answers:
            mark = "" if a.correct is None else ("  ok" if a.correct else f"  WRONG (expected {a.question.expect})")
            mark += f"  TIE ({', '.join(a.best)})" if a.tie else ""
            echo(f"{first_line(a):<10} {a.question.source}{mark}")
        keyed = [a for a in answers if a.correct is not None]
        right = sum(1 for a in keyed if a.correct)
        ties = sum(1 for a in answers if a.tie)
        echo(f"{len(answers)} questions; {right} of {len(keyed)} with an answer key answered right; {ties} tie{'s' if ties != 1 else ''}")
    return EXIT_FINDINGS if failed else EXIT_OK
