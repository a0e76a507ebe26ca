"""Rebuild every account's search text with its streets' suffixes in the USPS standard abbreviation ("61750
Chollita Road" is held as "61750 chollita rd"), so that "Road", "Rd" and "Rd." find the same accounts."""

from django.db import migrations

BATCH = 2000


def rebuild(apps, schema_editor):
    from cistern.customers.search_text import build_search_text, service_address_text

    Account = apps.get_model("customers", "Account")
    fields = [
        "pk", "search_text", "number", "customer__name", "customer__phone", "customer__phone_alt",
        "customer__email", "customer__mailing_street", "customer__mailing_unit", "customer__mailing_city",
        "customer__mailing_state", "customer__mailing_zip", "premise__street", "premise__unit", "premise__city",
        "premise__parcel_number",
    ]  # fmt: skip
    last = 0
    while True:
        rows = list(Account.objects.filter(pk__gt=last).order_by("pk").values_list(*fields)[:BATCH])
        if not rows:
            return
        changed = []
        for (pk, old, number, name, phone, phone_alt, email, m_street, m_unit, m_city, m_state, m_zip,
             street, unit, city, parcel) in rows:  # fmt: skip
            m_unit = f" {m_unit}" if m_unit else ""
            text = build_search_text(
                number=number,
                name=name,
                phones=[phone, phone_alt],
                email=email,
                mailing_address=f"{m_street}{m_unit}, {m_city}, {m_state} {m_zip}",  # Customer.mailing_address
                service_address=service_address_text(street, unit, city),
                parcel_number=parcel,
            )
            if text != old:
                changed.append(Account(pk=pk, search_text=text))
        Account.objects.bulk_update(changed, ["search_text"])
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_search_trigram_words")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
