"""The one check every `next`/`back` address passes: only paths on this site are followed."""

import pytest
from django.test import RequestFactory

from organizations.redirects import redirect_back, safe_return_url

DEFAULT = "/queues/"

# Addresses an attacker could post; each must fall back to the page the view names.
OFF_SITE = [
    "https://evil.example/",
    "http://evil.example/queues/",
    "//evil.example",
    "//evil.example/queues/",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    " //evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "https:evil.example",
    "evil.example",
    "ftp://testserver/",
    "http://testserver/queues/",  # this host, but as an absolute URL: the forms post paths only
]


@pytest.mark.parametrize("value", OFF_SITE)
def test_an_off_site_or_odd_address_falls_back(value):
    request = RequestFactory().post("/x/", {"next": value})
    assert safe_return_url(request, DEFAULT) == DEFAULT


@pytest.mark.parametrize("value", ["/queues/?tab=tick", "/orgs/CA/roles/?page=2", "/notifications/#n3"])
def test_a_path_on_this_site_is_followed(value):
    request = RequestFactory().post("/x/", {"next": value})
    assert safe_return_url(request, DEFAULT) == value


def test_the_query_string_is_read_too_and_the_field_name_is_chosen():
    request = RequestFactory().get("/x/", {"back": "/orgs/CA/roles/", "next": "https://evil.example/"})
    assert safe_return_url(request, DEFAULT, field="back") == "/orgs/CA/roles/"
    assert safe_return_url(request, DEFAULT) == DEFAULT


def test_missing_address_falls_back():
    assert safe_return_url(RequestFactory().post("/x/"), DEFAULT) == DEFAULT


def test_redirect_back_uses_the_address_as_is_never_as_a_view_name():
    # `redirect("home")` would look "home" up as a URL name; an address posted by a form is not a view name.
    response = redirect_back(RequestFactory().post("/x/", {"next": "home"}), DEFAULT)
    assert (response.status_code, response["Location"]) == (302, DEFAULT)


def test_control_characters_cannot_split_the_header():
    response = redirect_back(RequestFactory().post("/x/", {"next": "/queues/\r\nSet-Cookie: a=b"}), DEFAULT)
    assert response.status_code == 302 and "\n" not in response["Location"] and "\r" not in response["Location"]
