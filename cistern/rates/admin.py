from django.contrib import admin

from .models import BasicFee, BilledSchedule, Fee, RateSchedule, RateScheduleVersion, UsageBlock


class BasicFeeInline(admin.TabularInline):
    model = BasicFee
    extra = 0


class UsageBlockInline(admin.TabularInline):
    model = UsageBlock
    extra = 0


@admin.register(RateSchedule)
class RateScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "resolution"]


@admin.register(RateScheduleVersion)
class RateScheduleVersionAdmin(admin.ModelAdmin):
    list_display = ["schedule", "effective_from"]
    inlines = [BasicFeeInline, UsageBlockInline]


@admin.register(BilledSchedule)
class BilledScheduleAdmin(admin.ModelAdmin):
    list_display = ["effective_from", "schedule", "decision"]


@admin.register(Fee)
class FeeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "amount", "percent", "after_days", "effective_from", "gl_account"]
    list_filter = ["code"]
