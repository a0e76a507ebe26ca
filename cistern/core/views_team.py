"""The home page's queue list as a fragment (refreshed in place), and the lead's team page: each member's queues
and owned work (core/queues.py, core/assignments.py), with handing an item to someone else."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import assignments, queues

BIGINT = 2**63 - 1


@require_GET
def home_queues(request):
    """The home page's "Waiting for you" list, fetched every minute and when the window gets the focus back.
    `seen` is what the page shows now (queues.fingerprint): unchanged counts answer 204, and htmx keeps the list
    as it is (the polite live region says nothing)."""
    found = queues.queues_for(request.user)
    seen = queues.fingerprint(found)
    if request.GET.get("seen", "") == seen:
        return HttpResponse(status=204)
    return render(request, "core/_queues_items.html", {"queues": found, "queues_seen": seen, "oob": True})


class ReassignForm(forms.Form):
    item_id = forms.IntegerField(min_value=1, max_value=BIGINT, widget=forms.HiddenInput)
    to_user = forms.ModelChoiceField(queryset=None, label="Hand to", empty_label="Choose who takes it")
    reason = forms.CharField(max_length=200, label="Reason", strip=True)

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = assignees
        self.fields["to_user"].label_from_instance = _name


def _name(user) -> str:
    return user.get_full_name() or user.username


def _assignees(kind):
    return kind.assignees() if kind.assignees is not None else assignments.team_members()


def _team(request) -> list[dict]:
    """Each member with their queues (as they would see them on their home page) and the owned work of each kind,
    with whom each kind can go to."""
    kinds = assignments.work_kinds()
    takers = {kind.key: list(_assignees(kind)) for kind in kinds}
    team = []
    for member in assignments.team_members().prefetch_related("groups"):
        owned = []
        for kind in kinds:
            items = kind.items_for(member)
            if items:
                owned.append(
                    {
                        "kind": kind,
                        "items": items,
                        "can_reassign": request.user.has_perm(kind.permission),
                        "takers": [u for u in takers[kind.key] if u.pk != member.pk],
                    }
                )
        found = queues.queues_for(member)
        team.append(
            {
                "member": member,
                "name": _name(member),
                "roles": ", ".join(g.name for g in member.groups.all()),
                "queues": found,
                "busy": [q for q in found if q.count],
                "idle": [q for q in found if not q.count],
                "owned": owned,
                "waiting": sum(len(o["items"]) for o in owned),
            }
        )
    return team


@permission_required("core.view_team", raise_exception=True)
def team(request):
    return render(request, "core/team.html", {"team": _team(request)})


@require_POST
@permission_required("core.view_team", raise_exception=True)
def team_reassign(request):
    """Hand one owned item to someone else, with a reason: the kind's own service does it (its permission, its
    audit). A kind no longer registered (a stale page) or the app's refusal comes back as a message."""
    try:
        kind = assignments.get(request.POST.get("kind", ""))
    except KeyError:
        messages.error(request, "That kind of work is not handed on from this page. Reload the team page.")
        return redirect("team")
    if not request.user.has_perm(kind.permission):
        raise PermissionDenied
    form = ReassignForm(request.POST, assignees=_assignees(kind))
    if not form.is_valid():
        return render(
            request,
            "core/team.html",
            {"team": _team(request), "reassign_form": form, "kind": kind},
            status=400,
        )
    to_user = form.cleaned_data["to_user"]
    try:
        kind.reassign(
            actor=request.user,
            item_id=form.cleaned_data["item_id"],
            to_user=to_user,
            reason=form.cleaned_data["reason"],
        )
    except kind.errors as exc:
        messages.error(request, f"{kind.title}: {exc}")
    else:
        messages.success(request, f"{kind.title}: handed to {_name(to_user)}.")
    return redirect("team")
