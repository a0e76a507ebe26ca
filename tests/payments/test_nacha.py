"""The autopay NACHA file, record by record, against records laid out here field by field from the
positions in payments.md; and a return file read back."""

from datetime import date, datetime
from decimal import Decimal as D

import pytest

from cistern.payments.aba import routing_check_digit
from cistern.payments.nacha import (
    AutopayFile,
    Batch,
    Debit,
    NachaError,
    Originator,
    parse_notices_of_change,
    parse_returns,
    write_autopay_file,
)

ORIGINATOR = Originator(
    company_name="CISTERN WATER",
    company_id="1946001234",
    immediate_origin="1946001234",
    immediate_origin_name="Cistern Water District",
    immediate_destination="121000358",
    immediate_destination_name="Bank of America",
    odfi_routing="12100035",
)
DEBITS = [
    Debit("021000021", "123456789", D("45.56"), "1001-01", "Ana Peña"),
    Debit("011000015", "98765-4321", D("411.72"), "1002-01", "Bartholomew Montgomery-Fitzwilliam", "savings"),
    Debit("322271627", "5550001", D("0.01"), "1003-01", "Lee Chu"),
    Debit("091000019", "77777777777777777", D("1234.00"), "1004-01", "O'Brien & Sons"),
]
PRENOTES = [Debit("021000021", "4444", D("0.00"), "1005-01", "New Customer", "savings", prenote=True)]
FILE = AutopayFile(
    originator=ORIGINATOR,
    created=datetime(2026, 12, 6, 9, 5),
    file_id_modifier="A",
    batches=[
        Batch(date(2026, 12, 8), DEBITS, descriptive_date="DEC 26"),
        Batch(date(2026, 12, 8), PRENOTES, entry_description="PRENOTE"),
    ],
)


def fixed(*fields: tuple[int, int, str]) -> str:
    """A record laid out from (first position, last position, text), 1-based and inclusive, as the rules print."""
    record, expected_start = "", 1
    for start, end, text in fields:
        assert start == expected_start, (start, text)
        assert len(text) == end - start + 1, (start, end, text)
        record += text
        expected_start = end + 1
    assert expected_start == 95
    return record


def expected_entry(code, routing, account, cents, individual_id, name, trace):
    return fixed(
        (1, 1, "6"),
        (2, 3, code),
        (4, 11, routing[:8]),
        (12, 12, routing[8]),
        (13, 29, account.ljust(17)),
        (30, 39, f"{cents:010d}"),
        (40, 54, individual_id.ljust(15)),
        (55, 76, name.ljust(22)),
        (77, 78, "  "),
        (79, 79, "0"),
        (80, 94, trace),
    )


def expected_records() -> list[str]:
    file_header = fixed(
        (1, 1, "1"),
        (2, 3, "01"),
        (4, 13, " 121000358"),
        (14, 23, "1946001234"),
        (24, 29, "261206"),
        (30, 33, "0905"),
        (34, 34, "A"),
        (35, 37, "094"),
        (38, 39, "10"),
        (40, 40, "1"),
        (41, 63, "BANK OF AMERICA".ljust(23)),
        (64, 86, "CISTERN WATER DISTRICT".ljust(23)),
        (87, 94, " " * 8),
    )

    def batch_header(description, descriptive_date, number):
        return fixed(
            (1, 1, "5"),
            (2, 4, "225"),
            (5, 20, "CISTERN WATER".ljust(16)),
            (21, 40, " " * 20),
            (41, 50, "1946001234"),
            (51, 53, "PPD"),
            (54, 63, description.ljust(10)),
            (64, 69, descriptive_date.ljust(6)),
            (70, 75, "261208"),
            (76, 78, "   "),
            (79, 79, "1"),
            (80, 87, "12100035"),
            (88, 94, f"{number:07d}"),
        )

    def batch_control(count, hash_, debits, number):
        return fixed(
            (1, 1, "8"),
            (2, 4, "225"),
            (5, 10, f"{count:06d}"),
            (11, 20, f"{hash_:010d}"),
            (21, 32, f"{debits:012d}"),
            (33, 44, "0" * 12),
            (45, 54, "1946001234"),
            (55, 73, " " * 19),
            (74, 79, " " * 6),
            (80, 87, "12100035"),
            (88, 94, f"{number:07d}"),
        )

    # Entry hash of batch 1 by hand: 02100002 + 01100001 + 32227162 + 09100001 = 44527166.
    hash_1 = 2100002 + 1100001 + 32227162 + 9100001
    assert hash_1 == 44527166
    debits_1 = 4556 + 41172 + 1 + 123400
    records = [
        file_header,
        batch_header("WATER BILL", "DEC 26", 1),
        expected_entry("27", "021000021", "123456789", 4556, "1001-01", "ANA PENA", "121000350000001"),
        expected_entry(
            "37", "011000015", "98765-4321", 41172, "1002-01", "BARTHOLOMEW MONTGOMERY", "121000350000002"
        ),
        expected_entry("27", "322271627", "5550001", 1, "1003-01", "LEE CHU", "121000350000003"),
        expected_entry(
            "27", "091000019", "77777777777777777", 123400, "1004-01", "O'BRIEN & SONS", "121000350000004"
        ),
        batch_control(4, hash_1, debits_1, 1),
        batch_header("PRENOTE", "", 2),
        expected_entry("38", "021000021", "4444", 0, "1005-01", "NEW CUSTOMER", "121000350000005"),
        batch_control(1, 2100002, 0, 2),
    ]
    file_control = fixed(
        (1, 1, "9"),
        (2, 7, "000002"),
        (8, 13, "000002"),  # 11 records and the file control: 2 blocks of 10
        (14, 21, "00000005"),
        (22, 31, f"{hash_1 + 2100002:010d}"),
        (32, 43, f"{debits_1:012d}"),
        (44, 55, "0" * 12),
        (56, 94, " " * 39),
    )
    return [*records, file_control] + ["9" * 94] * 9


def test_the_file_record_by_record():
    written = write_autopay_file(FILE)
    expected = expected_records()
    assert len(written.records) == len(expected) == 20
    for number, (got, want) in enumerate(zip(written.records, expected, strict=True), start=1):
        assert got == want, f"record {number}"
    assert written.text == "\n".join(expected) + "\n"
    assert written.total_debits == D("1691.29")


def test_the_file_obeys_its_own_controls():
    records = write_autopay_file(FILE).records
    assert all(len(r) == 94 for r in records)
    assert len(records) % 10 == 0
    kinds = "".join(r[0] for r in records)
    assert kinds == "1" + "566668" + "568" + "9" + "9" * 9
    entries = [r for r in records if r[0] == "6"]
    controls = [r for r in records if r[0] == "8"]
    file_control = records[kinds.index("9")]
    # Entry hash: the 8-digit routing prefixes (positions 4-11), rightmost 10 digits.
    assert int(file_control[21:31]) == sum(int(e[3:11]) for e in entries) % 10**10
    assert int(file_control[21:31]) == sum(int(c[10:20]) for c in controls) % 10**10
    assert int(file_control[31:43]) == sum(int(e[29:39]) for e in entries) == 169129
    assert int(file_control[13:21]) == len(entries) == sum(int(c[4:10]) for c in controls)
    assert int(file_control[1:7]) == len(controls) == 2
    assert int(file_control[7:13]) == len(records) // 10
    traces = [e[79:94] for e in entries]
    assert traces == sorted(traces) and len(set(traces)) == len(traces)
    assert all(t.startswith("12100035") for t in traces)
    assert all(e[78] == "0" for e in entries)


@pytest.mark.parametrize("debits", [1, 5, 6, 7, 16, 17])
def test_padding_to_whole_blocks(debits):
    batch = Batch(date(2026, 12, 8), [DEBITS[0]] * debits)
    records = write_autopay_file(AutopayFile(ORIGINATOR, datetime(2026, 12, 6, 9, 5), "B", [batch])).records
    unpadded = 1 + 1 + debits + 1 + 1
    blocks = -(-unpadded // 10)
    assert len(records) == blocks * 10
    assert records[unpadded:] == tuple(["9" * 94] * (blocks * 10 - unpadded))
    assert records[unpadded - 1][7:13] == f"{blocks:06d}"
    assert records[unpadded - 1][0] == "9" and records[unpadded - 1][1:7] == "000001"


def test_entry_hash_keeps_the_rightmost_ten_digits():
    routing = "99999999" + str(routing_check_digit("99999999"))
    many = [Debit(routing, "1", D("1.00"), str(i), "X") for i in range(150)]
    written = write_autopay_file(
        AutopayFile(ORIGINATOR, datetime(2026, 12, 6, 9, 5), "C", [Batch(date(2026, 12, 8), many)])
    )
    # 150 x 99,999,999 = 14,999,999,850: eleven digits, of which the file keeps the last ten.
    batch_control = written.records[1 + 1 + 150]
    assert batch_control[0] == "8" and batch_control[10:20] == "4999999850"
    file_control = next(r for r in written.records if r[0] == "9" and r != "9" * 94)
    assert file_control[21:31] == "4999999850"
    assert written.trace_numbers[0] == "121000350000001" and written.trace_numbers[-1] == "121000350000150"


def test_trace_numbers_continue_from_the_sequence_given():
    file = AutopayFile(ORIGINATOR, datetime(2026, 12, 6, 9, 5), "A", FILE.batches, first_trace_sequence=9000)
    assert write_autopay_file(file).trace_numbers == tuple(f"12100035{n:07d}" for n in range(9000, 9005))


@pytest.mark.parametrize(
    ("debit", "problem"),
    [
        (Debit("021000022", "1", D("1.00"), "1", "X"), "check digit"),
        (Debit("021000021", "1", D("0.00"), "1", "X"), "more than zero"),
        (Debit("021000021", "1", D("1.00"), "1", "X", prenote=True), "prenote is for zero"),
        (Debit("021000021", "1", D("1.001"), "1", "X"), "to the cent"),
        (Debit("021000021", "1", 1.5, "1", "X"), "to the cent"),
        (Debit("021000021", "1" * 18, D("1.00"), "1", "X"), "up to 17"),
        (Debit("021000021", "1", D("1.00"), "1", "X", "brokerage"), "checking or savings"),
        (Debit("021000021", "1", D("100000000.00"), "1", "X"), "does not fit in 10 digits"),
    ],
)
def test_refused_debits(debit, problem):
    file = AutopayFile(ORIGINATOR, datetime(2026, 12, 6, 9, 5), "A", [Batch(date(2026, 12, 8), [debit])])
    with pytest.raises(NachaError, match=problem):
        write_autopay_file(file)


def test_refused_files():
    with pytest.raises(NachaError, match="nothing to send"):
        write_autopay_file(
            AutopayFile(ORIGINATOR, datetime(2026, 12, 6), "A", [Batch(date(2026, 12, 8), [])])
        )
    with pytest.raises(NachaError, match="file id modifier"):
        write_autopay_file(AutopayFile(ORIGINATOR, datetime(2026, 12, 6), "a", FILE.batches))


# Returns --------------------------------------------------------------------------------------------


def returned(entry: str, code: str, rdfi_sequence: int) -> list[str]:
    """What the customer's bank sends back for `entry`: the entry as a return (debit code 27 -> 26, 37 -> 36)
    with its addenda indicator set, then the type 99 addenda with the reason and the original trace."""
    return_code = {"27": "26", "37": "36"}[entry[1:3]]
    rdfi = entry[3:11]
    trace = f"{rdfi}{rdfi_sequence:07d}"
    entry_record = "6" + return_code + entry[3:78] + "1" + trace
    addenda = fixed(
        (1, 1, "7"),
        (2, 3, "99"),
        (4, 6, code),
        (7, 21, entry[79:94]),
        (22, 27, " " * 6),
        (28, 35, rdfi),
        (36, 79, "INSUFFICIENT FUNDS".ljust(44) if code == "R01" else " " * 44),
        (80, 94, trace),
    )
    return [entry_record, addenda]


def test_return_file_round_trip():
    written = write_autopay_file(FILE)
    sent = [r for r in written.records if r[0] == "6"]
    lines = [
        written.records[0],
        written.records[1],
        *returned(sent[1], "R01", 1),
        *returned(sent[3], "R02", 2),
        "8" + " " * 93,
        "9" + " " * 93,
    ] + ["9" * 94] * 4
    returns = parse_returns("\r\n".join(line.rstrip() for line in lines) + "\r\n")  # blanks trimmed, CRLF
    assert [(r.return_code, r.original_trace, r.amount) for r in returns] == [
        ("R01", written.trace_numbers[1], D("411.72")),
        ("R02", written.trace_numbers[3], D("1234.00")),
    ]
    first = returns[0]
    assert (first.individual_id, first.individual_name, first.routing, first.transaction_code) == (
        "1002-01",
        "BARTHOLOMEW MONTGOMERY",
        "011000015",
        "36",
    )
    assert first.return_trace == "011000010000001"
    assert first.addenda_information == "INSUFFICIENT FUNDS"
    # The same file as one unbroken line of 94-character records reads the same.
    assert parse_returns("".join(lines)) == returns


def test_notifications_of_change_are_not_returns():
    entry = write_autopay_file(FILE).records[2]
    noc = "798C01" + entry[79:94] + " " * 73
    assert parse_returns("\n".join(["6" + entry[1:78] + "1" + entry[79:], noc])) == []


def test_notices_of_change_are_read_not_dropped():
    """Nothing vanishes: a notice of change left out of the returns is read by its own parser."""
    entry = write_autopay_file(FILE).records[2]
    noc = (
        "798C01"
        + entry[79:94]
        + " " * 6
        + "01100001"
        + "12345678901".ljust(29)
        + " " * 15
        + "0110000150000001"[:15]
    )
    notices = parse_notices_of_change("\n".join(["6" + entry[1:78] + "1" + entry[79:], noc]))
    assert len(noc) == 94
    assert [(n.change_code, n.original_trace, n.corrected_data, n.trace) for n in notices] == [
        ("C01", entry[79:94], "12345678901", "011000015000000")
    ]
    assert notices[0].routing == entry[3:12]


def test_unreadable_return_files():
    written = write_autopay_file(FILE)
    entry, addenda = returned(written.records[2], "R03", 1)
    with pytest.raises(NachaError, match="line 1: the entry says an addenda follows"):
        parse_returns(entry)
    with pytest.raises(NachaError, match="line 1: an addenda record with no entry"):
        parse_returns(addenda)
    with pytest.raises(NachaError, match="line 2: the return reason"):
        parse_returns("\n".join([entry, addenda[:3] + "X01" + addenda[6:]]))
    with pytest.raises(NachaError, match="line 2: the original trace number"):
        parse_returns("\n".join([entry, addenda[:6] + "ABC" + addenda[9:]]))
    with pytest.raises(NachaError, match="a record is 94 characters, this one 95"):
        parse_returns(entry + " ")
    with pytest.raises(NachaError, match="unknown record type 'X'"):
        parse_returns("X" + entry[1:])
