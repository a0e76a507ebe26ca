"""The conversion's domain error."""


class ConversionError(Exception):
    """A conversion refused: the message says why; `run` is the ConversionRun kept for it (outcome refused,
    with its errors), or None."""

    def __init__(self, message: str, run=None):
        super().__init__(message)
        self.run = run
