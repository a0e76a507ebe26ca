"""The payments app's pages, one list per area of the work (the counter, the bank, the lockbox, autopay)."""

from . import urls_autopay, urls_bank, urls_counter, urls_lockbox

app_name = "payments"
urlpatterns = [
    *urls_counter.urlpatterns,
    *urls_bank.urlpatterns,
    *urls_lockbox.urlpatterns,
    *urls_autopay.urlpatterns,
]
