"""Help for training: the index, a topic's how-to page, and "Help for this page" (the topic of a page's URL name,
cistern/core/help.py). Every signed-in person reads them."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import help as topics


@require_GET
def help_index(request):
    return render(request, "core/help/index.html", {"topics": topics.TOPICS})


@require_GET
def help_topic(request, topic):
    found = topics.BY_SLUG.get(topic)
    if found is None:
        raise Http404("No help page of that name.")
    return render(request, found.template, {"topic": found, "topics": topics.TOPICS})


@require_GET
def help_for(request, view_name):
    """The link in every page's header: the page's own topic, or the index when it has none (or the name is not a
    page's)."""
    found = topics.topic_for(view_name[:200])
    if found is None:
        return help_index(request)
    return render(request, found.template, {"topic": found, "topics": topics.TOPICS})
