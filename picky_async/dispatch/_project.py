"""A project: one API token, one phone, and what the dispatcher knows of its speed."""

from __future__ import annotations

import attrs

from ..core import RateLimit

__all__ = ["Project"]

_PUSH_LIMIT = RateLimit(90, 60.0)
_STATUS_LIMIT = RateLimit(3, 60.0)


@attrs.frozen
class Project:
    """One Picky Assist project (one token, one phone) the dispatcher may send through.

    ``seconds_per_message`` is how long the phone takes per message (the app's
    configured delay); the dispatcher uses it to estimate the phone's backlog
    and to share work in proportion to speed. ``push_limit`` and
    ``status_limit`` are the service's request limits for this project, which
    the dispatcher never exceeds. ``name`` appears in receipts, stats and logs;
    it defaults to ``"project-<n>"`` (its place in the dispatcher's list,
    counting from 1), never to the token, which no repr shows.

    Raises:
        ValueError: for an empty token or a speed that is not positive.
    """

    token: str = attrs.field(repr=False, validator=attrs.validators.min_len(1))
    name: str | None = attrs.field(default=None, kw_only=True)
    seconds_per_message: float = attrs.field(
        default=5.0, kw_only=True, validator=attrs.validators.gt(0)
    )
    push_limit: RateLimit = attrs.field(default=_PUSH_LIMIT, kw_only=True)
    status_limit: RateLimit = attrs.field(default=_STATUS_LIMIT, kw_only=True)
