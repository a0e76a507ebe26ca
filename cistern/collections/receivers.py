"""What collections does when other apps tell it something happened (connected in CollectionsConfig.ready)."""


def connect() -> None:
    """Connect collections' receivers to the signals of the apps below it."""
