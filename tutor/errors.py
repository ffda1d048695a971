"""The one error taxonomy of kgtutor; the CLI and the API translate these, nothing else."""


class KgtutorError(Exception):
    """Base of every error the project raises on purpose."""


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


class ConsentRequired(KgtutorError):
    """Affect processing was asked for a student who has not consented to it."""
