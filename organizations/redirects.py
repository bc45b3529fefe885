"""Where a page may send the browser after a form: back to the page it came from, never to another site.

Every `next` or `back` address a form carries goes through `safe_return_url`; a value that is missing, points
to another host or scheme, or is not a path on this site falls back to the page the view names.
"""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_return_url(request, default: str, *, field: str = "next") -> str:
    """The address posted (or given in the query) as `field` when it is a path on this site, else `default`."""
    target = request.POST.get(field) or request.GET.get(field) or ""
    # Only absolute paths: the forms post paths, and a bare word would be resolved against the current URL.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def redirect_back(request, default: str, *, field: str = "next") -> HttpResponseRedirect:
    """Redirect to `safe_return_url`; the target is used as an address, never looked up as a view name."""
    return HttpResponseRedirect(safe_return_url(request, default, field=field))
