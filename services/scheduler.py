"""In-process scheduling with APScheduler: the 15-minute adjustment, outbox delivery every
minute, the daily profile refresh (with the KPs' population priors, ``services.priors``, and
the IRT refit of the courses with enough new answers, ``services.calibration``) and, when an
LRS is configured, its 5-minute sync.

The jobs read the time from an injected clock (epoch ms), so tests run them at any instant
without sleeping; two processes running the same schedule are safe because every job is
idempotent in the graph (see ``services.adjust``, ``graph.notify`` and ``services.lrs``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from graph import accounts
from graph import lti as lti_store
from graph import notify as outbox
from services import adjust, calibration, priors, profiles
from services import lrs as lrs_sync
from services.notify import SmtpMailer
from services.recommend import Recommender
from services.settings import Settings
from tutor.ports import GraphStore

Clock = Callable[[], int]


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class Jobs:
    """What runs, each given the current time in epoch ms."""

    adjust: Callable[[int], object]
    deliver: Callable[[int], object]
    profiles: Callable[[int], object]
    lrs: Callable[[int], object] | None = None  # None: no LRS configured, no sync job


def service_jobs(store: GraphStore, recommender: Recommender, settings: Settings) -> Jobs:
    mailer = SmtpMailer(settings)
    return Jobs(adjust=lambda now: adjust.run_once(store, recommender, now),
                deliver=lambda now: outbox.deliver_due(store, mailer, now),
                profiles=lambda now: (profiles.refresh_all(store, recommender, now),
                                      housekeeping(store, now), _priors(store, recommender),
                                      _refits(store, recommender, now)),
                lrs=(lambda now: lrs_sync.sync_once(store, settings, now)) if settings.lrs_url
                else None)


def _priors(store: GraphStore, recommender: Recommender) -> dict[str, int]:
    """Recompute the KPs' population priors from the day's answers (daily, with the profiles),
    then drop the recommender's cached catalogues that hold the old ones."""
    written = priors.refresh_priors(store)
    recommender.invalidate()
    return written


def _refits(store: GraphStore, recommender: Recommender, now: int) -> dict[str, object]:
    """Refit the IRT of the courses with enough new answers (daily, with the profiles)."""
    done = calibration.refit_due(store, now)
    if done:
        recommender.invalidate()
    return done


def housekeeping(store: GraphStore, now: int) -> dict[str, int]:
    """Forget what has expired anyway: revoked tokens past their expiry, LTI login state.
    Run with the daily profiles."""
    return {"revoked_tokens": accounts.purge_revoked(store, now // 1000),
            "lti_state": lti_store.purge_state(store, now)}


def build(jobs: Jobs, clock: Clock = now_ms, scheduler: BaseScheduler | None = None
          ) -> BaseScheduler:
    """Add the jobs to ``scheduler`` (a background one by default; not started).
    Adjustments fire on the quarter hours, the same windows ``tutor.adjust`` uses."""
    s = scheduler or BackgroundScheduler(timezone=UTC)
    common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300,
              "replace_existing": True}
    s.add_job(lambda: jobs.adjust(clock()), CronTrigger(minute="*/15", timezone=UTC),
              id="adjust", name="15-minute adjustment", **common)
    s.add_job(lambda: jobs.deliver(clock()), IntervalTrigger(minutes=1, timezone=UTC),
              id="outbox", name="e-mail outbox delivery", **common)
    s.add_job(lambda: jobs.profiles(clock()), CronTrigger(hour=2, minute=30, timezone=UTC),
              id="profiles", name="daily student profiles", **common)
    if jobs.lrs is not None:
        lrs = jobs.lrs
        s.add_job(lambda: lrs(clock()), IntervalTrigger(minutes=5, timezone=UTC),
                  id="lrs", name="LRS statement sync", **common)
    return s
