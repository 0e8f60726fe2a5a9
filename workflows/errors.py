"""Domain errors of the workflows. Each maps to exactly one HTTP status (backend.core.errors)."""


class WorkflowError(Exception):
    """Base class: carries a human-readable reason (lazy translated)."""

    def __init__(self, reason, *, field: str | None = None):
        super().__init__(str(reason))
        self.reason = reason
        self.field = field


class UnknownTransition(WorkflowError):
    """No transition of that name on this workflow (404)."""


class TransitionForbidden(WorkflowError):
    """The user may not fire this transition here (403)."""


class TransitionConflict(WorkflowError):
    """Not possible from the current state, a guard refuses, or a concurrent change won (409)."""


class InvalidTransitionInput(WorkflowError):
    """The request that comes with the transition is incomplete or wrong (400)."""
