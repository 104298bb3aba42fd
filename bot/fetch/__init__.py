"""Safe downloads of user-supplied URLs (see `client` and `netguard`)."""

from bot.fetch.client import Fetcher, FetchResult, FetchSettings, GuardedResolver
from bot.fetch.netguard import Policy, check_address

__all__ = ["FetchResult", "FetchSettings", "Fetcher", "GuardedResolver", "Policy", "check_address"]
