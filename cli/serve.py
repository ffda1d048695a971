"""`kgtutor serve`: the web API under gunicorn (``api.server``), one worker per core by default,
and the scheduled jobs once, in a process of their own.

The jobs (15-minute adjustments, outbox, daily profiles, LRS sync) are `kgtutor adjust`'s
scheduler, started by gunicorn's master when it is ready and stopped when it exits: run inside
the workers they would run once per worker (harmless, every job is idempotent, but N times the
work), and the master must not hold graph connections or torch state that its forks inherit.

The first worker compiles librosa's numba kernels while the others wait (``cli.warm_up``):
numba's on-disk cache is not safe for two processes compiling the same kernel at once.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import subprocess
import sys
import threading
import time
from typing import Any

import click

from cli.common import errors_as_messages
from cli.warm_up import compile_once, shared_flag
from services.settings import Settings

log = logging.getLogger("kgtutor.serve")
WORKER_READY = "worker ready"  # logged by each worker once it can plan without waiting
REWARMED = "courses re-read"  # logged by each worker once it read them after a version move


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 exposes the API to the network).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="Worker processes [default: the number of cores].")
@click.option("--connections", type=click.IntRange(1, 10_000), default=1000, show_default=True,
              help="Connections each worker serves at once (greenlets, not threads).")
@click.option("--timeout", type=click.IntRange(1), default=120, show_default=True,
              help="Seconds a worker may be silent before the master restarts it.")
@click.option("--trusted-proxy", default=None, metavar="ADDRESS",
              help="A TLS-terminating reverse proxy whose X-Forwarded-* headers are believed "
                   "(needed for LTI launches behind HTTPS).")
@click.option("--access-log", default=None, metavar="FILE",
              help="Log every request (worker pid, status, ms) to FILE, '-' for stderr.")
@click.option("--no-scheduler", is_flag=True,
              help="Do not run the 15-minute adjustments, outbox and profile jobs here.")
@click.pass_obj
@errors_as_messages
def serve(settings: Settings, host: str, port: int, workers: int | None, connections: int,
          timeout: int, trusted_proxy: str | None, access_log: str | None,
          no_scheduler: bool) -> None:
    """Serve the API with gunicorn: every core busy, the jobs in their own process."""
    from api.server import ApiServer, install_problem_errors

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    workers = workers or cores()
    jobs: dict[str, subprocess.Popen[bytes]] = {}

    def when_ready(_: Any) -> None:
        if not no_scheduler:
            jobs["scheduler"] = subprocess.Popen(
                [sys.executable, "-c", "from cli.main import main; main()", "adjust"])
        click.echo(f"kgtutor on http://{host}:{port}/app/ ({workers} workers; log in with the "
                   f"demo logins), API docs on http://{host}:{port}/docs, OpenAPI on "
                   "/openapi.json", err=True)

    def on_exit(_: Any) -> None:
        for proc in jobs.values():
            proc.terminate()
            proc.wait(timeout=30)

    install_problem_errors()
    options: dict[str, Any] = {
        "bind": f"{host}:{port}", "workers": workers, "worker_connections": connections,
        "worker_class": "gevent", "timeout": timeout, "graceful_timeout": 30,
        "forwarded_allow_ips": trusted_proxy or "",
        "when_ready": when_ready, "on_exit": on_exit, "proc_name": "kgtutor",
        "accesslog": access_log,
        "access_log_format": '%(h)s pid=%(p)s "%(r)s" %(s)s %(b)s %(M)sms',
    }
    compiled = shared_flag()
    ApiServer(lambda: _app(settings, trusted_proxy, compiled), options).run()


def _app(settings: Settings, trusted_proxy: str | None, compiled: ctypes.c_bool) -> Any:
    """One worker's app: its own graph connection and models, built after the fork."""
    from api import create_app
    from api.context import EXTENSION
    from api.server import behind_proxy
    from models import voice_affect
    from services import plan

    app = create_app(settings)
    compile_once(voice_affect.warm_up, compiled)  # librosa's kernels before the first request
    kept, started, seen = app.extensions[EXTENSION], time.monotonic(), None
    try:  # the courses, before the first plan; a worker that cannot still serves
        seen = plan.courses_version(kept.store)
        warmed = ", ".join(plan.warm(kept.store, kept.recommender)) or "no dataset"
    except Exception as e:  # the first plan reads them again, and answers its own error
        warmed = f"nothing ({type(e).__name__}: the first plans will read the courses)"
    freeze_heap()
    log.info("%s %d: %s read in %.1f s", WORKER_READY, os.getpid(), warmed,
             time.monotonic() - started)

    def rewarmed(datasets: list[str], seconds: float) -> None:
        freeze_heap(again=True)
        log.info("%s %d: %s read again in %.1f s", REWARMED, os.getpid(),
                 ", ".join(datasets) or "no dataset", seconds)

    threading.Thread(target=plan.keep_warm, name="keep-warm", daemon=True, args=(
        kept.store, kept.recommender, threading.Event(), seen, rewarmed)).start()
    return behind_proxy(app, trusted_proxy)


def freeze_heap(again: bool = False) -> None:
    """Take what a worker holds for good (models, catalogues, indexes: some 460,000 objects on
    ASSIST2009) out of the garbage collector's full passes, each of which otherwise walked all
    of it, the GIL held, for about 225 ms of CPU: the p99 of every route under load halved
    without them (``gc.freeze``; docs/evaluation/api-load.md). ``again``, after the courses
    were read anew: the old ones are collected first (one such pause per re-read), so garbage
    the freeze kept is not kept for good."""
    if again:
        gc.unfreeze()
    gc.collect()
    gc.freeze()

