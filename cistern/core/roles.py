"""The district's roles (Django groups), what each may do, and the default authority limits.

This is data: `sync_roles` (run after every migrate) creates missing groups and sets their permissions
to exactly these; authority limits are created once and then belong to the district (admin-editable).
"""

from decimal import Decimal

CSS_I = "CSS I"
CSS_II = "CSS II"
SUPERVISOR = "Supervisor"
CASHIER = "Cashier"
FIELD_TECHNICIAN = "Field Technician"
BILLING_ADMIN = "Billing Admin"
AUDITOR = "Auditor"
# Machines (AMI head-ends, the payment processor, the IVR): API tokens only, never a web sign-in.
INTEGRATION = "Integration"

ROLES = [CSS_I, CSS_II, SUPERVISOR, CASHIER, FIELD_TECHNICIAN, BILLING_ADMIN, AUDITOR, INTEGRATION]

VIEW_ACCOUNTS = [
    "customers.view_customer",
    "customers.view_premise",
    "customers.view_account",
    "customers.view_contactentry",
    "customers.view_accountflag",
    "core.view_auditevent",
]
WORK_ACCOUNTS = [
    "customers.add_contactentry",
    "customers.change_customer",
    "customers.start_service",
    "customers.transfer_service",
    "customers.stop_service",
    "customers.add_accountflag",
    "customers.change_accountflag",
]
VIEW_METERS = [
    "metering.view_meter",
    "metering.view_read",
    "metering.view_servicepoint",
    "metering.view_meterinstallation",
    "metering.view_route",
]
TAKE_READS = ["metering.add_read"]  # a customer-supplied or manual read; validation decides its status
# Reads with source ami/amr and batches of reads through the API: the integrations' own (metering.services).
MACHINE_READS = "api.post_machine_reads"
REVIEW_READS = ["metering.review_read", "metering.import_reads"]
LEAD = [
    "customers.place_shutoff_hold",
    "core.view_user_audit",
]
VIEW_ORDERS = [
    "fieldwork.view_serviceorder",
    "fieldwork.view_serviceordertype",
    "fieldwork.view_connectionapplication",
]
WORK_ORDERS = ["fieldwork.add_serviceorder", "fieldwork.change_serviceorder"]  # create, schedule, follow up
DISPATCH_ORDERS = [
    "fieldwork.dispatch_serviceorder",
    "fieldwork.void_serviceorder",
    "fieldwork.complete_serviceorder",
    "fieldwork.run_order_program",
    "fieldwork.add_connectionapplication",
]
VIEW_LEDGER = ["ledger.view_journalentry"]  # balances, aging, the account's ledger
ADJUST = ["ledger.add_adjustment", "ledger.view_adjustment"]  # within the role's authority limit
APPROVE_ADJUSTMENTS = ["ledger.approve_adjustment"]  # others' adjustments above their limit, within one's own
GL_EXPORT = ["ledger.view_glaccount"]
LATE_FEES = ["ledger.assess_late_fees"]  # the daily GL summary for the accounting software
DEPOSIT_CREDIT_BACK = ["ledger.credit_back_deposits"]  # the deposit's good-payment rule, run daily
CONVERSION = ["ledger.post_opening_balance"]  # balances converted from the previous system
VIEW_BILLS = ["billing.view_bill", "billing.view_billrun", "billing.view_billcycle"]
FINAL_BILLS = ["billing.add_bill"]  # a stopped account's final bill
UNBILLED = ["billing.view_unbilledreview"]  # the Accounts not billed queue
WORK_UNBILLED = ["billing.add_unbilledreview", "billing.change_unbilledreview"]  # "I am looking at it"
RUN_BILLS = ["billing.add_billrun", "billing.calculate_billrun", "billing.post_billrun"]
VIEW_HIGH_USAGE = ["billing.view_highusagenotice"]  # an account's high-usage notices
WORK_HIGH_USAGE = ["billing.change_highusagenotice"]  # the "High usage to call" queue: done, with a note
HIGH_USAGE_RULES = [f"billing.{a}_highusagerule" for a in ("view", "add", "change")]  # its thresholds (admin)
APPROVE_BILLS = ["billing.approve_billrun", "billing.cancel_bill"]  # approve a trial; cancel and rebill
MANAGE_CYCLES = ["billing.add_billcycle", "billing.change_billcycle", "billing.add_cycleroute",
                 "billing.change_cycleroute", "billing.delete_cycleroute"]  # fmt: skip
VIEW_RATES = [
    "rates.view_rateschedule",
    "rates.view_fee",
    "rates.view_feecap",
]  # the rate tables, the fee catalog, the estimator
MANAGE_RATES = [  # in admin: a board's new schedule version, which schedule is billed, the fee catalog
    f"rates.{action}_{model}"
    for model in (
        "rateschedule",
        "ratescheduleversion",
        "billedschedule",
        "basicfee",
        "usageblock",
        "fee",
        "feecap",
    )
    for action in ("view", "add", "change")
]
VIEW_PAYMENTS = ["payments.view_payment", "payments.view_drawersession"]
TAKE_PAYMENTS = VIEW_PAYMENTS + ["payments.use_drawer"]  # a drawer of one's own: post, void, close
CUSTOMER_PAYMENTS = ["payments.view_autopayenrolment", "payments.add_autopayenrolment",
                     "payments.change_autopayenrolment", "payments.view_refund", "payments.add_refund"]  # fmt: skip
LEAD_PAYMENTS = [  # audit others' drawers, reverse after the close, deposits, returned payments, refunds
    "payments.audit_drawer", "payments.reverse_payment", "payments.prepare_deposit", "payments.view_bankdeposit",
    "payments.record_return", "payments.approve_refund", "payments.view_lockboxitem", "payments.change_lockboxitem",
]  # fmt: skip
# A second returned payment in 12 months makes the account cash-only (a flag, customers.flag_add): whoever
# records returns adds that flag.
BANK_FILES = ["payments.import_lockbox", "payments.view_lockboxitem", "payments.change_lockboxitem",
              "payments.export_autopay", "payments.export_refunds", "payments.record_return",
              "payments.view_bankdeposit", "customers.add_accountflag"]  # fmt: skip
VIEW_COLLECTIONS = ["collections.view_notice", "collections.view_phonecontact", "collections.view_hold",
                    "collections.view_lockofflist", "collections.view_arrangement"]  # fmt: skip
WORK_COLLECTIONS = [
    "collections.add_phonecontact",
    "collections.add_hold",
    "collections.add_arrangement",
]  # the call script; disputes, extensions; payment arrangements
LEAD_COLLECTIONS = [
    "collections.change_hold",
    "collections.confirm_lockofflist",
    "collections.change_arrangement",
]  # close disputes; lock-off lists; cancel an arrangement
RUN_COLLECTIONS = ["collections.run_collections"]  # the daily run (it assesses late fees: LATE_FEES too)
# Final accounts: the write-offs page and the agency referrals (leads, billing, audit); writing a final balance off
# to bad debt within the role's write-off limit, and approving others' above theirs (leads); the referral file
# for the collection agency and the agency's payments (a supervisor, billing).
VIEW_WRITE_OFFS = ["collections.view_writeoff", "collections.view_agencyreferral"]
WRITE_OFFS = ["collections.add_writeoff", "collections.approve_writeoff"]
AGENCY_REFERRALS = ["collections.export_agencyreferral", "collections.post_agencypayment"]
DISTRICT_ADMIN = [
    "core.view_districtsettings",
    "core.change_districtsettings",
    "core.view_closureday",
    "core.add_closureday",
    "core.change_closureday",
    "core.delete_closureday",
    "core.view_holiday",
    "core.add_holiday",
    "core.change_holiday",
    "core.view_authoritylimit",
    "core.change_authoritylimit",
    "core.view_districtsuspension",
    "core.add_districtsuspension",
    "core.change_districtsuspension",
]

# Letters and e-mails: see them on the account, write one from a template, mark one returned undeliverable
# (CSS I and up); work the returned-mail queue; print the day's letters; a template's new wording.
VIEW_CORRESPONDENCE = [
    "correspondence.view_correspondence",
    "correspondence.view_lettertemplate",
    "correspondence.view_templateversion",
    "correspondence.view_printbatch",
]
WRITE_LETTERS = ["correspondence.add_correspondence", "correspondence.mark_returned"]
RETURNED_MAIL = ["correspondence.resolve_returned"]
PRINT_LETTERS = ["correspondence.add_printbatch"]
MANAGE_TEMPLATES = ["correspondence.add_templateversion", "correspondence.change_lettertemplate"]
# The forms library (blank forms the counter hands out): everyone who reads letters opens and prints them (their
# check is correspondence.view_correspondence); the billing administrator and the supervisor add forms and PDFs.
MANAGE_FORMS = ["correspondence.add_formdocument", "correspondence.add_formversion"]
CORRESPONDENCE = VIEW_CORRESPONDENCE + WRITE_LETTERS + RETURNED_MAIL

# The leak-relief program (Customer Account Assistance Program): take an application from the account page (CSS I
# and up); approve or deny it (leads: the relief is credited under their adjustment limit); the terms in admin.
VIEW_ASSISTANCE = ["assistance.view_leakreliefapplication", "assistance.view_leakreliefterms"]
WORK_ASSISTANCE = ["assistance.add_leakreliefapplication", "assistance.change_leakreliefapplication"]
DECIDE_ASSISTANCE = ["assistance.decide_leakreliefapplication"]
MANAGE_ASSISTANCE = ["assistance.add_leakreliefterms", "assistance.change_leakreliefterms"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    CSS_I: VIEW_ACCOUNTS
    + VIEW_ASSISTANCE
    + WORK_ASSISTANCE
    + WORK_ACCOUNTS
    + VIEW_METERS
    + TAKE_READS
    + VIEW_ORDERS
    + WORK_ORDERS
    + VIEW_RATES
    + VIEW_LEDGER
    + ADJUST
    + VIEW_BILLS
    + VIEW_HIGH_USAGE
    + WORK_HIGH_USAGE
    + FINAL_BILLS
    + TAKE_PAYMENTS
    + CUSTOMER_PAYMENTS
    + CORRESPONDENCE
    + VIEW_COLLECTIONS
    + WORK_COLLECTIONS,
    CSS_II: VIEW_ACCOUNTS
    + VIEW_ASSISTANCE
    + WORK_ASSISTANCE
    + DECIDE_ASSISTANCE
    + WORK_ACCOUNTS
    + LEAD
    + VIEW_METERS
    + TAKE_READS
    + REVIEW_READS
    + VIEW_ORDERS
    + WORK_ORDERS
    + DISPATCH_ORDERS
    + VIEW_RATES
    + VIEW_LEDGER
    + ADJUST
    + APPROVE_ADJUSTMENTS
    + VIEW_BILLS
    + VIEW_HIGH_USAGE
    + WORK_HIGH_USAGE
    + FINAL_BILLS
    + UNBILLED
    + WORK_UNBILLED
    + RUN_BILLS
    + APPROVE_BILLS
    + TAKE_PAYMENTS
    + CUSTOMER_PAYMENTS
    + LEAD_PAYMENTS
    + CORRESPONDENCE
    + PRINT_LETTERS
    + VIEW_COLLECTIONS
    + WORK_COLLECTIONS
    + LEAD_COLLECTIONS
    + VIEW_WRITE_OFFS
    + WRITE_OFFS,
    SUPERVISOR: VIEW_ACCOUNTS
    + VIEW_ASSISTANCE
    + WORK_ASSISTANCE
    + DECIDE_ASSISTANCE
    + MANAGE_ASSISTANCE
    + WORK_ACCOUNTS
    + LEAD
    + DISTRICT_ADMIN
    + VIEW_METERS
    + TAKE_READS
    + REVIEW_READS
    + ["metering.add_meterinstallation", "metering.add_meter", "metering.change_readrules"]
    + VIEW_ORDERS
    + WORK_ORDERS
    + DISPATCH_ORDERS
    + MANAGE_RATES
    + VIEW_LEDGER
    + GL_EXPORT
    + LATE_FEES
    + DEPOSIT_CREDIT_BACK
    + ADJUST
    + APPROVE_ADJUSTMENTS
    + VIEW_BILLS
    + VIEW_HIGH_USAGE
    + WORK_HIGH_USAGE
    + HIGH_USAGE_RULES
    + FINAL_BILLS
    + UNBILLED
    + WORK_UNBILLED
    + RUN_BILLS
    + APPROVE_BILLS
    + MANAGE_CYCLES
    + TAKE_PAYMENTS
    + CUSTOMER_PAYMENTS
    + LEAD_PAYMENTS
    + BANK_FILES
    + CORRESPONDENCE
    + PRINT_LETTERS
    + MANAGE_FORMS
    + VIEW_COLLECTIONS
    + WORK_COLLECTIONS
    + LEAD_COLLECTIONS
    + RUN_COLLECTIONS
    + VIEW_WRITE_OFFS
    + WRITE_OFFS
    + AGENCY_REFERRALS,
    CASHIER: VIEW_ACCOUNTS
    + ["customers.add_contactentry"]
    + VIEW_RATES
    + VIEW_LEDGER
    + VIEW_BILLS
    + TAKE_PAYMENTS,
    # Field technicians work from their phone page: reads and meters, never balances or payments.
    FIELD_TECHNICIAN: TAKE_READS + ["metering.add_meterinstallation", "fieldwork.complete_serviceorder"],
    BILLING_ADMIN: VIEW_ACCOUNTS
    + VIEW_ASSISTANCE
    + DECIDE_ASSISTANCE
    + MANAGE_ASSISTANCE
    + VIEW_METERS
    + TAKE_READS
    + REVIEW_READS
    + ["customers.add_contactentry", "core.view_districtsettings", "metering.change_readrules"]
    + VIEW_ORDERS
    + MANAGE_RATES
    + VIEW_LEDGER
    + GL_EXPORT
    + LATE_FEES
    + DEPOSIT_CREDIT_BACK
    + CONVERSION
    + ADJUST
    + APPROVE_ADJUSTMENTS
    + VIEW_BILLS
    + VIEW_HIGH_USAGE
    + HIGH_USAGE_RULES
    + FINAL_BILLS
    + UNBILLED
    + WORK_UNBILLED
    + RUN_BILLS
    + APPROVE_BILLS
    + MANAGE_CYCLES
    + VIEW_PAYMENTS
    + BANK_FILES
    + VIEW_CORRESPONDENCE
    + WRITE_LETTERS
    + PRINT_LETTERS
    + MANAGE_TEMPLATES
    + MANAGE_FORMS
    + VIEW_COLLECTIONS
    + RUN_COLLECTIONS
    + VIEW_WRITE_OFFS
    + AGENCY_REFERRALS,
    AUDITOR: VIEW_ACCOUNTS
    + VIEW_ASSISTANCE
    + VIEW_METERS
    + ["core.view_user_audit", "core.view_districtsettings", "core.view_closureday", "core.view_holiday"]
    + VIEW_ORDERS
    + VIEW_RATES
    + VIEW_LEDGER
    + GL_EXPORT
    + VIEW_BILLS
    + VIEW_HIGH_USAGE
    + UNBILLED
    + VIEW_PAYMENTS
    + VIEW_CORRESPONDENCE
    + VIEW_COLLECTIONS
    + VIEW_WRITE_OFFS
    + ["core.view_districtsuspension"],
    # An AMI head-end posts reads (batches, source ami/amr); the IVR and the payment processor look an account
    # up and read its bills and balance. Nothing else: no web page, no review, no money moved.
    INTEGRATION: TAKE_READS
    + [MACHINE_READS, "customers.view_account", "billing.view_bill", "ledger.view_journalentry"]
    + ["payments.post_remote_payment", "collections.view_notice"],
}

# The front desk (calls, visitors, cases, the radio log), the team's schedule (calendar, feeds, coverage, the
# office checklist), the reports and the dashboard: each a role -> permissions table of its own, added to the
# roles above.
# Cases (complaints and disputes, escalation CSS I -> CSS II -> Supervisor), calls and call-backs, visitors, the
# radio log: the counter's work for the customer service staff; calls and visitors for the cashier too; the data
# lists (case categories with their SLA table, where calls are routed) are the supervisor's; audit and billing see.
_FRONTDESK_VIEW = [
    "frontdesk.view_case", "frontdesk.view_caseevent", "frontdesk.view_casecategory", "frontdesk.view_slarule",
    "frontdesk.view_call", "frontdesk.view_routingtarget", "frontdesk.view_visit", "frontdesk.view_radioentry",
]  # fmt: skip
_FRONTDESK_CALLS = ["frontdesk.view_call", "frontdesk.add_call", "frontdesk.change_call", "frontdesk.view_routingtarget",
                    "frontdesk.view_visit", "frontdesk.add_visit", "frontdesk.change_visit"]  # fmt: skip
_FRONTDESK_WORK = _FRONTDESK_VIEW + _FRONTDESK_CALLS + [
    "frontdesk.add_case", "frontdesk.change_case", "frontdesk.escalate_case", "frontdesk.add_radioentry",
]  # fmt: skip
FRONTDESK_BY_ROLE: dict[str, list[str]] = {
    CSS_I: _FRONTDESK_WORK,
    CSS_II: _FRONTDESK_WORK + ["frontdesk.reassign_case"],
    SUPERVISOR: _FRONTDESK_WORK
    + ["frontdesk.reassign_case", "frontdesk.supervise_case"]
    + ["frontdesk.add_casecategory", "frontdesk.change_casecategory", "frontdesk.add_slarule"]
    + ["frontdesk.change_slarule", "frontdesk.add_routingtarget", "frontdesk.change_routingtarget"],
    CASHIER: _FRONTDESK_CALLS,
    BILLING_ADMIN: _FRONTDESK_VIEW,
    AUDITOR: _FRONTDESK_VIEW,
}
# The schedule: everyone in the office sees the calendar and the coverage and has a feed of their own; leads and
# the supervisor manage events and coverage (the "Uncovered slots" queue) and the team's feed; the counter's
# people record the opening and closing steps; the supervisor acknowledges a missed step; the auditor views.
SEE_SCHEDULE = ["schedule.view_event", "schedule.use_feed", "schedule.view_assignment"]
MANAGE_SCHEDULE = ["schedule.add_event", "schedule.change_event", "schedule.delete_event",
                   "schedule.manage_coverage", "schedule.rotate_team_feed"]  # fmt: skip
OFFICE_CHECKLIST = ["schedule.view_checklistrecord", "schedule.add_checklistrecord"]
SCHEDULE_BY_ROLE: dict[str, list[str]] = {
    CSS_I: SEE_SCHEDULE + OFFICE_CHECKLIST,
    CSS_II: SEE_SCHEDULE + MANAGE_SCHEDULE + OFFICE_CHECKLIST,
    SUPERVISOR: SEE_SCHEDULE
    + MANAGE_SCHEDULE
    + OFFICE_CHECKLIST
    + ["schedule.acknowledge_checklist_miss", "schedule.view_checklistmiss"],
    CASHIER: SEE_SCHEDULE + OFFICE_CHECKLIST,
    BILLING_ADMIN: SEE_SCHEDULE,
    FIELD_TECHNICIAN: SEE_SCHEDULE,
    AUDITOR: [
        "schedule.view_event",
        "schedule.view_assignment",
        "schedule.view_checklistrecord",
        "schedule.view_checklistmiss",
    ],
}
# The reports (cistern/reports): leads, the supervisor, billing and audit see every report; a clerk the daily cash
# and the service orders. Each report names its permission (reports.ReportAccess, a model with no table).
ALL_REPORTS = [
    "reports.view_reports", "reports.view_daily_cash", "reports.view_deposits", "reports.view_nsf_returns",
    "reports.view_aging", "reports.view_adjustments", "reports.view_write_offs", "reports.view_billing_register",
    "reports.view_consumption_revenue", "reports.view_service_orders", "reports.view_delinquency",
    "reports.view_assistance", "reports.view_audit_trail",
]  # fmt: skip
REPORTS_BY_ROLE: dict[str, list[str]] = {
    CSS_I: ["reports.view_reports", "reports.view_daily_cash", "reports.view_service_orders"],
    CSS_II: ALL_REPORTS,
    SUPERVISOR: ALL_REPORTS,
    BILLING_ADMIN: ALL_REPORTS,
    AUDITOR: ALL_REPORTS,
}
# The lead's team page (each member's queues and owned work; handing an item on needs the kind's own permission too)
# and the dashboard (the day's payments, open orders, exceptions waiting, trends): leads run the team, the billing
# administrator and the auditor read the dashboard.
TEAM_BY_ROLE: dict[str, list[str]] = {
    CSS_II: ["core.view_team", "core.view_dashboard"],
    SUPERVISOR: ["core.view_team", "core.view_dashboard"],
    BILLING_ADMIN: ["core.view_dashboard"],
    AUDITOR: ["core.view_dashboard"],
}
# Going live: converting from the previous system and the parallel bills that prove it.
_CONVERT = ["conversion.run_conversion", "conversion.view_conversionrun",
            "conversion.run_parallel_bills", "conversion.view_parallelrun"]  # fmt: skip
CONVERSION_BY_ROLE: dict[str, list[str]] = {
    BILLING_ADMIN: _CONVERT,
    SUPERVISOR: _CONVERT,
    AUDITOR: ["conversion.view_conversionrun", "conversion.view_parallelrun"],
}
for _table in (FRONTDESK_BY_ROLE, SCHEDULE_BY_ROLE, REPORTS_BY_ROLE, TEAM_BY_ROLE, CONVERSION_BY_ROLE):
    for _role, _permissions in _table.items():
        ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] + [
            p for p in _permissions if p not in ROLE_PERMISSIONS[_role]
        ]

# kind -> role -> amount. Defaults only: the rows are the district's to change.
DEFAULT_AUTHORITY_LIMITS: dict[str, dict[str, Decimal]] = {
    "adjustment": {
        CSS_I: Decimal("50.00"),
        CSS_II: Decimal("500.00"),
        SUPERVISOR: Decimal("5000.00"),
        BILLING_ADMIN: Decimal("1000.00"),
    },
    "payment_void": {
        CASHIER: Decimal("0.00"),
        CSS_I: Decimal("0.00"),
        CSS_II: Decimal("1000.00"),
        SUPERVISOR: Decimal("10000.00"),
    },
    "write_off": {
        CSS_II: Decimal("250.00"),
        SUPERVISOR: Decimal("2500.00"),
    },
}


def user_roles(user) -> frozenset[str]:
    """The names of the district roles `user` holds (their groups that are roles), kept on the user object for
    the request so the middleware and the services ask the database once."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_cistern_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._cistern_roles = cached
    return cached


NO_WEB_SIGN_IN = (
    "This user is an Integration (a machine: AMI head-end, payment processor, IVR). It does not sign in on the "
    "web; it uses its API token. Sign in with your own user name."
)


def integration_only(user) -> bool:
    """A machine's user: its only role is Integration. It uses API tokens and never signs in on the web (a
    superuser is a person, whatever groups it is in)."""
    return (
        user is not None
        and user.is_authenticated
        and not user.is_superuser
        and user_roles(user) == frozenset({INTEGRATION})
    )


# The roles that take a read of any meter; a field technician's own reads are of meters on their open orders.
READ_ANY_METER = frozenset(
    role for role, perms in ROLE_PERMISSIONS.items() if "metering.add_read" in perms
) - {FIELD_TECHNICIAN}


def reads_own_orders_only(user) -> bool:
    """A field technician (with no office role that reads any meter): reads only meters on their open orders."""
    if user is None or not user.is_authenticated or user.is_superuser:
        return False
    held = user_roles(user)
    return FIELD_TECHNICIAN in held and not (held & READ_ANY_METER)
