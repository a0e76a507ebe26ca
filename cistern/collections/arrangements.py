"""Payment arrangements (amortization of a past-due balance over up to 12 months)."""


def register() -> None:
    """Register what arrangements add to the apps below (the bill's extra lines)."""
