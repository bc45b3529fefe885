"""Helpers about the request, for every app (this is the lowest layer) and for settings by dotted path."""

import os


def client_ip(request) -> str:
    """The client's address: django-axes counts failed logins by it (AXES_CLIENT_IP_CALLABLE), the public forms
    limit their rate by it. Behind nginx every request comes from the proxy, which passes the real address in the
    header named by CLIENT_IP_HEADER (e.g. HTTP_X_REAL_IP with `proxy_set_header X-Real-IP $remote_addr`); without
    that variable, or without that header, the address of the connection."""
    header = os.environ.get("CLIENT_IP_HEADER", "")
    return (request.META.get(header, "") if header else "") or request.META.get("REMOTE_ADDR", "")
