"""`kgtutor tests ...`: the tests tutors set, their life cycle and their results (the web
pages and the API create them; docs/assessment.md)."""

from __future__ import annotations

import json
from dataclasses import asdict
from types import ModuleType

import click

from cli.common import errors_as_messages, now_ms, store_for
from services.settings import Settings
from tutor.assessment import TRANSITIONS, Form


def _service() -> ModuleType:
    """``services.assessment``, imported when a command runs: `kgtutor --help` stays light."""
    from services import assessment

    return assessment


@click.group()
def tests() -> None:
    """Tests: list them, publish, close, reopen or archive them, read their results."""


@tests.command("list")
@click.option("--archived", is_flag=True, help="Include archived tests.")
@click.pass_obj
@errors_as_messages
def list_(settings: Settings, archived: bool) -> None:
    """Every test, newest first."""
    with store_for(settings) as store:
        found = _service().listed(store, "", "", archived)
    if not found:
        click.echo("no tests")
    for test, sittings in found:
        click.echo(f"{test.id}  {test.status:<9} {test.form:<8} {sittings:>4} sittings  "
                   f"{test.title}  [{', '.join(test.class_ids) or 'no class'}]")


@tests.command()
@click.argument("test_id")
@click.pass_obj
@errors_as_messages
def show(settings: Settings, test_id: str) -> None:
    """A test's settings (and an adaptive test's item bank)."""
    with store_for(settings) as store:
        test = _service().get(store, test_id)
        bank = _service().cat_bank(store, test) if test.form is Form.ADAPTIVE else None
    click.echo(json.dumps({**asdict(test), **({"bank": {
        "items": len(bank.question_ids), "excluded": bank.excluded}} if bank else {})},
        indent=2, default=str))


def _transition(action: str) -> click.Command:
    @click.argument("test_id")
    @click.pass_obj
    @errors_as_messages
    def run(settings: Settings, test_id: str) -> None:
        with store_for(settings) as store:
            test = _service().act(store, test_id, action, now_ms())
        click.echo(f"{test.id}: {test.status}")

    run.__doc__ = f"{action.capitalize()} TEST_ID."
    return tests.command(action)(run)


for _action in TRANSITIONS:
    _transition(_action)


@tests.command()
@click.argument("test_id")
@click.option("--json", "as_json", is_flag=True, help="The whole result as JSON.")
@click.pass_obj
@errors_as_messages
def results(settings: Settings, test_id: str, as_json: bool) -> None:
    """Results per student, per KP and per item (proportion correct, point-biserial)."""
    with store_for(settings) as store:
        found = _service().results(store, test_id, now_ms())
    if as_json:
        click.echo(json.dumps({"test": asdict(found.test),
                               "students": [asdict(s) for s in found.students],
                               "kps": [asdict(k) for k in found.kps],
                               "items": [asdict(i) for i in found.items]}, indent=2,
                              default=str))
        return
    click.echo(f"{found.test.title} ({found.test.status}): {len(found.students)} students")
    for s in found.students:
        score = f"{s.score.right}/{s.score.items} ({s.score.percent}%)" if s.score else "-"
        theta = f"  θ {s.theta:.2f}" if s.theta is not None else ""
        click.echo(f"  {s.student_id:<24} {score}{theta}")
    for k in found.kps:
        click.echo(f"  KP {k.kp_id:<21} {k.p_correct:.0%} right of {k.answered}")
    for i in found.items:
        r = "-" if i.discrimination is None else f"{i.discrimination:+.2f}"
        click.echo(f"  item {i.question_id:<19} p {i.p_correct:.2f}  r {r}  {dict(i.options)}")
