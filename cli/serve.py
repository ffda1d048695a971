"""`kgtutor serve`: the web API under waitress, with the scheduled jobs in the same process.

waitress rather than gunicorn: one process with a thread pool keeps the models, the
recommender's caches and the scheduler in one place (gunicorn's forked workers would each
load the models and each run the jobs); throughput is measured in ``bench/api_load.py``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import click

from cli.common import errors_as_messages
from services.settings import Settings

if TYPE_CHECKING:
    from api.context import Services

log = logging.getLogger("kgtutor.serve")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 exposes the API to the network).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--threads", type=click.IntRange(1, 256), default=16, show_default=True,
              help="Worker threads (concurrent requests).")
@click.option("--trusted-proxy", default=None, metavar="ADDRESS",
              help="A TLS-terminating reverse proxy whose X-Forwarded-* headers are believed "
                   "(needed for LTI launches behind HTTPS).")
@click.option("--no-scheduler", is_flag=True,
              help="Do not run the 15-minute adjustments, outbox and profile jobs here.")
@click.pass_obj
@errors_as_messages
def serve(settings: Settings, host: str, port: int, threads: int, trusted_proxy: str | None,
          no_scheduler: bool) -> None:
    """Serve the API with waitress (a production WSGI server)."""
    import waitress

    from api import create_app, server_errors
    from api.context import EXTENSION
    from models import voice_affect
    from services import scheduler
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = create_app(settings)
    services: Services = app.extensions[EXTENSION]
    voice_affect.warm_up()  # compile librosa's numba kernels before the first request
    jobs = None
    if not no_scheduler:
        jobs = scheduler.build(scheduler.service_jobs(services.store, services.recommender,
                                                      settings))
        jobs.start()
    click.echo(f"kgtutor on http://{host}:{port}/app/ (pages; log in with the demo logins), "
               f"API docs on http://{host}:{port}/docs, OpenAPI on /openapi.json", err=True)
    proxy = {"trusted_proxy": trusted_proxy, "trusted_proxy_headers":
             "x-forwarded-for x-forwarded-host x-forwarded-proto x-forwarded-port"
             } if trusted_proxy else {}
    server_errors.install()
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="kgtutor",
                       clear_untrusted_proxy_headers=True, **proxy)
    finally:
        if jobs is not None:
            jobs.shutdown(wait=False)
        services.store.close()
