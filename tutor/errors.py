"""The one error taxonomy of kgtutor; the CLI and the API translate these, nothing else."""


class KgtutorError(Exception):
    """Base of every error the project raises on purpose.

    ``public``: what an HTTP response may say when the message names internals (the graph
    server, a query file); the message itself goes to the log and the command line."""

    def __init__(self, message: str = "", public: str | None = None) -> None:
        super().__init__(message)
        self.public = public


# what the graph adapters let an HTTP response say (``KgtutorError.public``)
CONFLICT = "the request conflicts with stored data (an id already in use)"
UNAVAILABLE = "the graph database is unavailable; try again shortly"
REJECTED = "the graph database could not run this request"


class InvalidInput(KgtutorError):
    """The caller's input is wrong (bad id, bad value); nothing was changed."""


class NotFound(KgtutorError):
    """A referenced student, KP, question or chapter does not exist."""


class DataFormatError(KgtutorError):
    """An input file is missing or not in the expected format."""


class GraphUnavailable(KgtutorError):
    """The graph server cannot be reached or started."""


class GraphQueryError(KgtutorError):
    """The graph server rejected a query (syntax, constraint, type)."""


class ConstraintViolation(GraphQueryError):
    """A write would break a uniqueness rule."""


class NotAllowed(KgtutorError):
    """The caller may not change this (another tutor's course, a student's role)."""


class StateConflict(KgtutorError):
    """The object's state forbids this now (a closed test, a finished sitting, an answer that
    is final, a concurrent change that won); nothing was changed."""


class TimeUp(StateConflict):
    """An answer arrived after its test sitting's deadline, which the server's clock keeps."""


class TooManyAttempts(KgtutorError):
    """An account refuses log-ins for a while after failures in a row (``retry_after_s``)."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class AccountDisabled(KgtutorError):
    """The right password of an account an admin disabled (``kgtutor users disable``)."""


class ConsentRequired(KgtutorError):
    """Affect processing was asked for a student who has not consented to it."""
