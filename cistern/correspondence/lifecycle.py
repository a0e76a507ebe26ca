"""What may happen to a piece of correspondence in each status: a plain transition table that the services
and the pages both ask."""

QUEUED, SENT, PRINTED, RETURNED, FAILED = "queued", "sent", "printed", "returned", "failed"

PRINT = "print"  # a queued letter goes into a print batch
SEND = "send"  # a queued (or failed) e-mail goes to the mail server
FAIL = "fail"  # the mail server refused it
RETURN = "return"  # the post office sent it back undeliverable

TRANSITIONS: dict[tuple[str, str], str] = {
    (QUEUED, PRINT): PRINTED,
    (QUEUED, SEND): SENT,
    (FAILED, SEND): SENT,
    (QUEUED, FAIL): FAILED,
    (FAILED, FAIL): FAILED,
    (PRINTED, RETURN): RETURNED,
    (SENT, RETURN): RETURNED,
}


def can(status: str, action: str) -> bool:
    return (status, action) in TRANSITIONS


def after(status: str, action: str) -> str:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise ValueError(f"A {status} letter cannot {action}.") from None
