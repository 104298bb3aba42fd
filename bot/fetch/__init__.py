"""Safe downloads of user-supplied URLs (see `client` and `netguard`)."""

from bot.fetch.client import (
    AiohttpTransport,
    Fetcher,
    FetchResult,
    FetchSettings,
    GuardedResolver,
    MockTransport,
    Request,
    Response,
    Transport,
    settings_from,
)
from bot.fetch.netguard import Policy, check_address

__all__ = [
    "AiohttpTransport",
    "FetchResult",
    "FetchSettings",
    "Fetcher",
    "GuardedResolver",
    "MockTransport",
    "Policy",
    "Request",
    "Response",
    "Transport",
    "check_address",
    "settings_from",
]
