from ninja import Router, Schema

from cistern.metering.batch import reads_receive
from cistern.metering.services import MeteringError, reads_post_check

from .auth import require_perm
from .errors import BadValue, Error, In, ReadValue, Text

router = Router(tags=["reads"])


class ReadIn(In):
    """One read. Values are strings ("12345.6"); every field is checked here, so one bad read is reported by
    its index instead of refusing the batch. A value of the wrong type (`true`, an object, a number that is
    not finite) refuses the request with 400 naming it (`reads[3].value`)."""

    meter_serial: Text | None = None
    read_on: Text | None = None  # YYYY-MM-DD (or MM/DD/YYYY)
    value: ReadValue = None  # a string, please: 12345.60
    source: Text | None = None  # handheld, amr, ami, manual, service_order
    reader_code: Text | None = None
    note: Text | None = None


class ReadsIn(In):
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


@router.post("/reads", response={200: ReadsOut, 400: Error})
def reads_post(request, payload: ReadsIn):
    """Store a batch of reads (an AMI head-end's): the good ones are stored, accepted or queued as exceptions
    for review; each rejected one is listed with its index and what is wrong. At most 10,000 reads a request."""
    require_perm(request, "metering.add_read")
    reads = [item.model_dump() for item in payload.reads]
    # Batches and ami/amr reads are the Integration role's; a technician's, of meters on their own open orders.
    reads_post_check(actor=request.user, reads=reads)
    try:
        result = reads_receive(actor=request.user, reads=reads)
    except MeteringError as exc:
        raise BadValue("reads", str(exc)) from None
    return ReadsOut(
        accepted=result.accepted,
        exceptions=result.exceptions,
        rejected=result.rejected,
        skipped=result.skipped,
        errors=[ReadError(index=i, error=e) for i, e in result.errors],
    )
