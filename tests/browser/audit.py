"""axe-core and the 375 px fit on every page the browser tests visit (issue 14).

Every context a browser test opens is watched: the address of each page that finished loading is noted, and before
the context closes (or when the test ends) each address is opened again in that context, with its cookies and its
viewport, and checked:

- axe-core (vendor/axe-core, run as shipped) finds no violation of serious or critical impact;
- the page does not scroll sideways (its width fits the viewport: 375 px on a phone).

Checking again after the fact, rather than while the test clicks on, makes the result the same on every run: a check
racing the test's next click would sometimes be cut off by the navigation. A state that only a POST shows (a form
with its errors) is checked where a test asks for it with `audit.check(page)`.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from playwright.sync_api import Error as PlaywrightError

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
SERIOUS = ("serious", "critical")

# axe.run in the page: the serious and critical violations, each with a few of the elements it names.
RUN_AXE = """async (impacts) => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter((v) => impacts.includes(v.impact))
    .map((v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ") + " — " + (n.failureSummary || "").split("\\n").slice(1, 2).join("").trim()),
      count: v.nodes.length,
    }));
}"""

# How far the page reaches past the right edge of the viewport, and the widest elements that do.
OVERFLOW = """() => {
  const root = document.documentElement;
  const over = root.scrollWidth - root.clientWidth;
  if (over <= 0) return { over: 0, culprits: [] };
  const culprits = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.right > root.clientWidth + 1 && r.width > 0) {
      culprits.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "") + " (" + Math.round(r.right) + "px)");
      if (culprits.length >= 5) break;
    }
  }
  return { over, culprits };
}"""


@dataclass
class Finding:
    url: str
    width: int
    problem: str

    def __str__(self) -> str:
        return f"[{self.width}px] {self.url}\n    {self.problem}"


@dataclass
class Audit:
    """What the pages of one test showed; `assert_clean()` fails the test with every finding."""

    findings: list[Finding] = field(default_factory=list)
    checked: set[tuple[str, int]] = field(default_factory=set)

    def check(self, page) -> None:
        """Run axe-core and the overflow check on the page as it is now."""
        width = (page.viewport_size or {}).get("width", 0)
        url = page.url
        try:
            if page.evaluate("() => document.contentType") != "text/html":
                return
            if not page.evaluate("() => typeof window.axe === 'object'"):
                page.evaluate(AXE_SOURCE + "\n;0")
            violations = page.evaluate(RUN_AXE, list(SERIOUS))
            overflow = page.evaluate(OVERFLOW)
        except PlaywrightError as e:  # the page went away under the check: nothing to say about it
            if "destroyed" in str(e) or "closed" in str(e):
                return
            raise
        self.checked.add((_address(url), width))
        for v in violations:
            nodes = "\n      ".join(v["nodes"])
            self.findings.append(
                Finding(url, width, f"axe {v['impact']} {v['rule']}: {v['help']} ({v['count']} 处)\n      {nodes}")
            )
        if overflow["over"] > 0:
            culprits = ", ".join(overflow["culprits"])
            self.findings.append(Finding(url, width, f"横向溢出 {overflow['over']}px: {culprits}"))

    def revisit(self, context, addresses) -> None:
        """Open each address not yet checked at this context's width in a new page of the context and check it."""
        todo = []
        for address in addresses:
            if address not in todo:
                todo.append(address)
        page = None
        for address in todo:
            if page is None:
                page = context.new_page()
            width = (page.viewport_size or {}).get("width", 0)
            if (address, width) in self.checked:
                continue
            try:
                response = page.goto(address, wait_until="load")
            except PlaywrightError:
                continue  # a download, or an address that only answers once
            if response is None or not response.ok:
                continue
            self.check(page)
        if page is not None:
            page.close()

    def assert_clean(self) -> None:
        if self.findings:
            lines = "\n".join(str(f) for f in self.findings)
            raise AssertionError(f"无障碍或手机适配问题（{len(self.findings)} 处）：\n{lines}")


def _address(url: str) -> str:
    """The address without its #fragment: the same page."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


AUDITED = re.compile(r"^https?://(127\.0\.0\.1|localhost)[:/]")


class AuditedContext:
    """A browser context that notes every page loaded in it and checks them all before it closes."""

    def __init__(self, context, audit: Audit):
        self._context = context
        self._audit = audit
        self._addresses: list[str] = []
        self._closed = False
        context.on("page", self._watch)

    def _watch(self, page) -> None:
        page.on("load", lambda p: self._note(p.url))

    def _note(self, url: str) -> None:
        if AUDITED.match(url):
            self._addresses.append(_address(url))

    def finish(self) -> None:
        if not self._closed:
            self._closed = True
            self._audit.revisit(self._context, self._addresses)

    def close(self, *args, **kwargs):
        self.finish()
        return self._context.close(*args, **kwargs)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __getattr__(self, name):
        return getattr(self._context, name)


class AuditedBrowser:
    """The session's browser, handing out audited contexts."""

    def __init__(self, browser, audit: Audit):
        self._browser = browser
        self._audit = audit
        self.contexts_made: list[AuditedContext] = []

    def new_context(self, *args, **kwargs):
        context = AuditedContext(self._browser.new_context(*args, **kwargs), self._audit)
        self.contexts_made.append(context)
        return context

    def new_page(self, *args, **kwargs):
        return self.new_context(*args, **kwargs).new_page()

    def finish(self) -> None:
        for context in self.contexts_made:
            # A context the test closed without our close() has nothing left to open.
            with contextlib.suppress(PlaywrightError):
                context.finish()

    def __getattr__(self, name):
        return getattr(self._browser, name)
