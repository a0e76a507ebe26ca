"""Bill cycles are data the district keeps in admin (Billing Admin, Supervisor): their read and bill days and
which routes they hold. Runs and bills are worked on their own pages, never edited here."""

from django.contrib import admin

from .models import BillCycle, CycleRoute


class CycleRouteInline(admin.TabularInline):
    model = CycleRoute
    extra = 0


@admin.register(BillCycle)
class BillCycleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "read_day", "bill_day", "active"]
    inlines = [CycleRouteInline]
