"""problem+json for the errors waitress answers itself, before the application sees a request
(broken chunked framing, a bad Content-Length, an oversized header, a request line it cannot
parse): its plain-text bodies become the same RFC 7807 documents the API answers with.

waitress's extension point is ``HTTPChannel.error_task_class``, the task that writes such an
error; :func:`install` sets it for this process (`kgtutor serve`).
"""

from __future__ import annotations

import json

from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

from api.problems import TYPE_BASE


class ProblemErrorTask(ErrorTask):
    """waitress's error response, as problem+json."""

    def execute(self) -> None:
        error = self.request.error
        body = json.dumps({"type": TYPE_BASE + error.reason.lower().replace(" ", "-"),
                           "title": error.reason, "status": error.code,
                           "detail": str(error.body).strip() or error.reason}).encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/problem+json"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


def install() -> None:
    """Make every waitress channel of this process answer its own errors as problem+json."""
    HTTPChannel.error_task_class = ProblemErrorTask
