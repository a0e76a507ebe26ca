"""Whether water may be shut off at an account for nonpayment on a day: asked of collections, which holds the
shutoff policy (SB 998). Field work sits below collections, so collections registers its answer when it loads
(CollectionsConfig). With no answer registered every lock-off is refused: a lock-off order never exists, nor
is scheduled or completed, on a day the policy would not allow it.
"""

from collections.abc import Callable
from datetime import date, time

# A guard takes an account id, a day and (when the lock-off is being done now) the time of day, and returns
# None when a lock-off is allowed, else why it is not.
ShutoffGuard = Callable[[int, date, time | None], str | None]

_guard: list[ShutoffGuard] = []


def register(guard: ShutoffGuard) -> None:
    _guard[:] = [guard]


def refusal(account_id: int | None, day: date, at: time | None = None) -> str | None:
    """Why a lock-off at `account_id` on `day` (at `at`, the district's time, when given) is not allowed, or
    None when it is."""
    if account_id is None:
        return "A lock-off for nonpayment is for an account: name the account."
    if not _guard:
        return "No shutoff policy is installed, so no lock-off is allowed."
    return _guard[0](account_id, day, at)
