"""Errors the core raises for users to read.

Every error a user can cause is one of these types. Its message says what was wrong and what to
try, in one or two plain sentences: the CLI prints it as one line (exit 2) and the bot replies with
it privately. Anything else that escapes the core is a bug, logged with a reference id.
"""

from __future__ import annotations


class ThreadBriefError(Exception):
    """Base of every error whose message is meant for the user."""

    #: a short, stable name for logs, JSON output and tests
    code = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __reduce__(self) -> tuple[type[ThreadBriefError], tuple[str], dict[str, str | None]]:
        # Errors cross the worker-process boundary: keep the hint when pickled.
        return (type(self), (self.message,), {"hint": self.hint})

    def user_message(self) -> str:
        """The message with its hint, as one line."""
        return f"{self.message} {self.hint}" if self.hint else self.message

    def __str__(self) -> str:
        return self.user_message()


class BadInput(ThreadBriefError):
    """The input is not something ThreadBrief can read (empty, binary, not a thread)."""

    code = "bad-input"


class UnsupportedSource(BadInput):
    """The content type or format is not one ThreadBrief reads (PDF, image, unknown JSON...)."""

    code = "unsupported"


class MalformedInput(BadInput):
    """A known format that is broken: says the format and where it broke."""

    code = "malformed"


class UnsafeInput(BadInput):
    """Input refused for safety: XML entity expansion, external entities, a decompression bomb."""

    code = "unsafe-input"


class NotFoundError(BadInput):
    """The thread, item, post or digest named does not exist (HTTP 404/410, an unknown id)."""

    code = "not-found"


class FetchError(ThreadBriefError):
    """A URL could not be read: network failure, timeout, HTTP error."""

    code = "fetch-failed"


class FetchRefused(FetchError):
    """The URL was refused before connecting: private address, bad scheme, too many redirects."""

    code = "fetch-refused"


class AccessDenied(FetchError):
    """The site wants a login or blocks readers (HTTP 401/403, paywall, login page)."""

    code = "access-denied"


class RateLimited(FetchError):
    """The site asked us to slow down (HTTP 429)."""

    code = "rate-limited"


class TooLarge(ThreadBriefError):
    """A body, file or thread is past a configured limit."""

    code = "too-large"


class DeadlineExceeded(ThreadBriefError):
    """A job or a source read took longer than its deadline and was stopped."""

    code = "deadline"


class WorkerLost(ThreadBriefError):
    """The worker process making a brief died (killed, out of memory) before it finished."""

    code = "worker-lost"


class PermissionMissing(ThreadBriefError):
    """The user, or the bot, lacks a Discord permission the request needs."""

    code = "forbidden"


class PostRejected(ThreadBriefError):
    """Discord refused a digest message for good: the channel is gone or the bot may not post
    there."""

    code = "post-rejected"


class PayloadRefused(PostRejected):
    """Discord refused this message itself (400: AutoMod, an invalid form): posting the same
    payload again can only fail again, so it is dropped, not retried."""

    code = "payload-refused"


class Busy(ThreadBriefError):
    """The user or the bot is at a limit (cooldown, concurrent jobs): try again shortly."""

    code = "busy"


class ConfigError(ThreadBriefError):
    """A setting is missing or invalid: the message names the key and what is wrong."""

    code = "config"


class TooManyComments(TooLarge):
    """A thread past the comment limit, found while it is read: the rest is never parsed."""

    code = "too-many-comments"
