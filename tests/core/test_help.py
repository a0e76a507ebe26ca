"""Help for training: every page's "Help for this page" opens a topic (its URL name's, else its app's namespace's,
else the index); every URL namespace of the project has a topic; every topic renders with 5 to 12 steps."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from cistern.core import help as topics
from cistern.core import roles

pytestmark = pytest.mark.django_db


def _namespaces(resolver=None, prefix=""):
    """(namespace, url name) of every named URL of the project, nested namespaces by their first part."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _namespaces(entry, prefix or entry.namespace or "")
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix, entry.name


def test_every_namespace_and_core_page_has_a_topic_that_exists():
    found = list(_namespaces())
    namespaces = {ns for ns, _ in found if ns}
    assert {"payments", "customers", "frontdesk", "schedule", "reports", "admin", "api"} <= namespaces
    for namespace in namespaces:
        assert namespace in topics.BY_NAMESPACE, f"no help topic for the namespace {namespace!r}"
    for slug in list(topics.BY_NAMESPACE.values()) + list(topics.BY_VIEW_NAME.values()):
        assert slug == "" or slug in topics.BY_SLUG, slug
    # Core's pages have no namespace: each is named in BY_VIEW_NAME.
    for namespace, name in found:
        if not namespace:
            assert name in topics.BY_VIEW_NAME, f"no help topic for the page {name!r}"


def test_topic_for_a_page():
    assert topics.topic_for("payments:counter").slug == "counter-payments"
    assert topics.topic_for("ledger:gl_summary").slug == "reports"
    assert topics.topic_for("reports:dashboard").slug == "reports"
    assert topics.topic_for("district_settings").slug == "district-settings"
    assert topics.topic_for("api:account_list") is None  # the index
    assert topics.topic_for("no:such:page") is None


def test_every_topic_renders_with_its_steps(client, css1):
    client.force_login(css1)
    index = client.get("/help/").content.decode()
    assert re.findall(r'data-topic="([\w-]+)"', index) == [t.slug for t in topics.TOPICS]
    assert len(topics.TOPICS) >= 13
    for topic in topics.TOPICS:
        response = client.get(f"/help/{topic.slug}/")
        assert response.status_code == 200, topic.slug
        page = response.content.decode()
        assert f"<h1>{topic.title}</h1>" in page
        steps = re.search(r'<ol class="steps">(.*?)</ol>', page, re.S).group(1)
        assert 5 <= steps.count("<li>") <= 12, topic.slug
    assert client.get("/help/no-such-topic/").status_code == 404


def _title(response) -> str:
    return re.search(r"<h1>(.*?)</h1>", response.content.decode()).group(1)


def test_help_for_this_page_follows_the_page(client, make_user):
    supervisor = make_user(roles.SUPERVISOR, username="boss")
    client.force_login(supervisor)
    page = client.get("/district/").content.decode()
    assert '<a class="help-link" href="/help/for/district_settings/">Help for this page</a>' in page
    assert _title(client.get("/help/for/district_settings/")) == "District settings"
    page = client.get("/payments/counter/").content.decode()
    assert 'href="/help/for/payments:counter/">Help for this page' in page
    assert _title(client.get("/help/for/payments:counter/")) == "The counter and payments"
    assert _title(client.get("/help/for/reports:dashboard/")) == "Reports and the dashboard"
    # Not a page's name, or a long value: the index.
    assert _title(client.get("/help/for/nothing:here/")) == "Help for training"
    assert _title(client.get("/help/for/" + "x" * 3000 + "/")) == "Help for training"
