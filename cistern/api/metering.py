from ninja import Router, Schema, Status

from cistern.metering.batch import reads_receive
from cistern.metering.services import MeteringError

from .auth import require_perm

router = Router(tags=["reads"])


class ReadIn(Schema):
    """One read. Values are strings ("12345.6"); every field is checked here, so one bad read is reported by
    its index instead of refusing the batch."""

    meter_serial: str | None = None
    read_on: str | None = None  # YYYY-MM-DD (or MM/DD/YYYY)
    value: str | int | float | None = None  # a string, please: 12345.60
    source: str | None = None  # handheld, amr, ami, manual, service_order
    reader_code: str | None = None
    note: str | None = None


class ReadsIn(Schema):
    reads: list[ReadIn]


class ReadError(Schema):
    index: int
    error: str


class ReadsOut(Schema):
    accepted: int
    exceptions: int  # stored, waiting in the review queue
    rejected: int
    skipped: int  # identical to a read already stored (same meter, date and value)
    errors: list[ReadError]


class Error(Schema):
    detail: str


@router.post("/reads", response={200: ReadsOut, 400: Error})
def reads_post(request, payload: ReadsIn):
    """Store a batch of reads (an AMI head-end's): the good ones are stored, accepted or queued as exceptions
    for review; each rejected one is listed with its index and what is wrong. At most 10,000 reads a request."""
    require_perm(request, "metering.add_read")
    try:
        result = reads_receive(actor=request.user, reads=[item.model_dump() for item in payload.reads])
    except MeteringError as exc:
        return Status(400, Error(detail=str(exc)))
    return ReadsOut(
        accepted=result.accepted,
        exceptions=result.exceptions,
        rejected=result.rejected,
        skipped=result.skipped,
        errors=[ReadError(index=i, error=e) for i, e in result.errors],
    )
