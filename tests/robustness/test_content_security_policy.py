"""The Content-Security-Policy header, and templates that keep to it.

The policy allows only this site's own scripts, styles and images (plus data: images); the browser tests in
tests/browser/test_content_security_policy.py show the pages still work under it. The template checks here
catch an inline script, an event-handler attribute or a style attribute before a browser would refuse it.
"""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

EXPECTED = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}


def directives(response) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = set(values)
    return parsed


@pytest.mark.parametrize("url", ["/accounts/login/", "/gs/"])
def test_anonymous_pages_carry_the_policy(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert directives(response) == EXPECTED


def test_signed_in_pages_carry_the_policy(client, tree):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for url in (reverse("home"), reverse("organizations:tree"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert directives(response) == EXPECTED, url


def test_no_unsafe_source_anywhere(client):
    header = client.get("/accounts/login/")["Content-Security-Policy"]
    for word in ("unsafe-inline", "unsafe-eval", "unsafe-hashes", "*", "http:", "https:"):
        assert word not in header.split(), word


def test_htmx_is_configured_without_eval(client, tree):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    page = client.get(reverse("organizations:tree")).content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
    assert config and '"allowEval": false' in config.group(1) and '"includeIndicatorStyles": false' in config.group(1)


# What the policy refuses in a page: inline scripts, event-handler attributes, javascript: links, hx-on (needs
# eval), <style> elements and style attributes.
FORBIDDEN = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on…= event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"\bhx-on", re.I), "hx-on handler"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
]


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_keep_to_the_policy(template):
    text = template.read_text(encoding="utf-8")
    # json_script output is data, not a script; Django template comments are not sent.
    text = re.sub(r"\{#.*?#\}", "", text)
    found = [label for pattern, label in FORBIDDEN if pattern.search(text)]
    assert not found, f"{template.relative_to(TEMPLATES)}: {', '.join(found)}"
