"""A template version's subject and body, rendered against a context: Django's template language on an
engine of its own (no loaders, no libraries beyond the built-in tags and filters; autoescape off, since the
result is plain text for paper or an e-mail body). Spanish templates render with Spanish month names
(`{{ day|date:"j \\d\\e F \\d\\e Y" }}` gives "5 de noviembre de 2026")."""

import re
from functools import lru_cache

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.utils import translation

ENGINE = Engine(loaders=[], autoescape=False, libraries={})

_BLANKS = re.compile(r"\n{3,}")


class TemplateTextError(ValueError):
    """Template text that does not compile or render."""


@lru_cache(maxsize=512)
def compiled(source: str) -> Template:
    try:
        return Template(source, engine=ENGINE)
    except TemplateSyntaxError as exc:
        raise TemplateTextError(str(exc)) from None


def tidy_body(text: str) -> str:
    """Lines without trailing spaces, at most one blank line between paragraphs (what a tag's line leaves)."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def tidy_subject(text: str) -> str:
    return " ".join(text.split())


def render_text(source: str, context: dict, language: str = "en") -> str:
    template = compiled(source)
    with translation.override(language):
        return template.render(Context(context, autoescape=False))


def render(subject: str, body: str, context: dict, language: str = "en") -> tuple[str, str]:
    """(subject, body) rendered and tidied."""
    subject_template, body_template = compiled(subject), compiled(body)
    with translation.override(language):
        return (
            tidy_subject(subject_template.render(Context(context, autoescape=False))),
            tidy_body(body_template.render(Context(context, autoescape=False))),
        )


def check(subject: str, body: str, sample: dict, language: str = "en") -> list[str]:
    """What is wrong with a template's text: each problem a sentence an administrator can act on."""
    problems = []
    for label, source in (("Subject", subject), ("Body", body)):
        try:
            render_text(source, sample, language)
        except TemplateTextError as exc:
            problems.append(f"{label}: the template does not read: {exc}")
        except Exception as exc:  # an {% include %}, a filter given a wrong value
            problems.append(f"{label}: the template cannot be rendered: {exc}")
    if not subject.strip():
        problems.append("Subject: give the letter a subject.")
    if not body.strip():
        problems.append("Body: the letter has no text.")
    return problems
