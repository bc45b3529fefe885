from django.shortcuts import redirect
from django.urls import reverse


class ForcePasswordChangeMiddleware:
    """A user holding an initial password may only change it (or log out) until he has done so."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = {reverse("password_change"), reverse("logout")}
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("password_change")
        return self.get_response(request)


class RejectNulMiddleware:
    """A NUL character in the address or the form never reaches the database (PostgreSQL refuses it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import HttpResponseBadRequest

        values = [request.path, *request.GET.values()]
        if request.method == "POST" and request.content_type != "multipart/form-data":
            values += list(request.POST.values())
        if any("\x00" in v for v in values):
            return HttpResponseBadRequest("请求中含有无效字符。".encode())
        return self.get_response(request)


class StripBidiControlsMiddleware:
    """No page carries bidirectional control characters, whatever the text came from (an old row, an import).

    Text is also cleaned when saved (see organizations.apps); this guarantees it on the way out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .text import BIDI_CONTROLS, strip_bidi

        response = self.get_response(request)
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return response
        charset = response.charset or "utf-8"
        body = response.content.decode(charset, errors="surrogateescape")
        if any(c in body for c in BIDI_CONTROLS):
            response.content = strip_bidi(body).encode(charset, errors="surrogateescape")
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
