"""What a caller hands the correspondence services: whom to write to and what with (plain frozen values)."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Recipient:
    name: str
    lines: tuple[str, ...]  # mailing lines after the name
    zip_code: str
    email: str = ""


@dataclass(frozen=True)
class LetterRequest:
    template_code: str
    context: dict = field(hash=False)
    recipient: Recipient
    account_id: int | None = None
    channel: str = "letter"
    language: str = "en"  # falls back to "en" when the template has no such language
    key: str | None = (
        None  # idempotency: a request whose key exists returns the existing record, sends nothing twice
    )
    source_kind: str = ""
    source_id: int | None = None
