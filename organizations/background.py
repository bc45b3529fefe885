"""Background jobs for actions of the lower apps (a large Excel import), run by the job store of the top app.

The job store — the `Job` rows, the Celery task that runs them, the page with the progress bar, retries and
clean-up — lives in `disclosure`, at the top of the stack (DESIGN §8), where it began with batch printing.
Nothing imports upward, so this module is the registry between the two: an app below registers a job kind
(the work to do and the template that shows its outcome), and `disclosure` registers itself as the store
when it loads. Every background job thus has one table, one task, one policy and one page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .errors import DomainError


class JobRun(Protocol):
    """What a running job offers the work of its kind."""

    organization: Any
    started_by: Any
    params: dict

    def progress(self, done: int, total: int) -> None:
        """Record how far the work is (cheap to call often: the store writes at most a few times a second)."""

    def finish(self, outcome: dict) -> None:
        """Record the outcome and mark the job done. Work that writes data calls it inside its transaction, so
        a job delivered twice finds itself done and does not write again."""


@dataclass(frozen=True)
class JobKind:
    name: str  # stored on the job; at most 30 characters
    label: str  # Chinese, shown as the job's title
    run: Callable[[JobRun], dict]  # does the work and returns the outcome (JSON) shown on the job page
    outcome_template: str  # renders the outcome (and the way back) inside the job's progress card


class JobStore(Protocol):
    def __call__(self, *, kind: str, organization, by, params: dict) -> Any:
        """Start a job of a registered kind (or return the same one still running) and return it; the returned
        object has `pk` and `get_absolute_url()`, the page where its starter follows it."""


_kinds: dict[str, JobKind] = {}
_store: JobStore | None = None


def register_kind(kind: JobKind) -> None:
    if len(kind.name) > 30:
        raise ValueError(f"job kind name too long: {kind.name}")
    _kinds[kind.name] = kind


def get_kind(name: str) -> JobKind | None:
    return _kinds.get(name)


def kind_choices() -> list[tuple[str, str]]:
    return [(k.name, k.label) for k in _kinds.values()]


def register_store(start: JobStore) -> None:
    global _store
    _store = start


def start_job(*, kind: str, organization, by, params: dict):
    if kind not in _kinds:
        raise DomainError("不支持的任务类型。")
    if _store is None:
        raise DomainError("后台任务服务未启用，请联系系统管理员。")
    return _store(kind=kind, organization=organization, by=by, params=params)
