"""What the bench needs before it measures anything: PostgreSQL, Redis and the demo data of the chosen size."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


class BenchRefused(Exception):
    """The bench cannot run here; the message (Chinese) says why and what to do."""


def redis_url_from_env(environ: Mapping[str, str] | None = None) -> str:
    """The Redis the site would use: the Celery broker, else the shared cache, else the local default."""
    environ = os.environ if environ is None else environ
    return environ.get("CELERY_BROKER_URL") or environ.get("REDIS_URL") or DEFAULT_REDIS_URL


def database_refusal(database: Mapping) -> str | None:
    """Why the configured database cannot be benchmarked, or None when it is PostgreSQL."""
    engine = database.get("ENGINE", "")
    if "postgresql" in engine:
        return None
    kind = "SQLite" if "sqlite" in engine else (engine.rsplit(".", 1)[-1] or "未知数据库")
    return (
        f"性能测试必须在 PostgreSQL 上运行，当前数据库是 {kind}（{database.get('NAME', '')}）。"
        "请设置环境变量 DATABASE_URL=postgres://用户@主机:5432/库名 后重试，"
        "例如 DATABASE_URL=postgres://postgres@127.0.0.1:5432/pledge_bench。"
    )


def redis_refusal(url: str, ping: Callable[[str], object] | None = None) -> str | None:
    """Why Redis at `url` cannot be used, or None when it answers PING."""
    ping = ping or _ping
    try:
        ping(url)
    except Exception as exc:  # any failure to connect is a refusal with its reason
        return (
            f"性能测试需要 Redis，但无法连接 {url}（{type(exc).__name__}: {exc}）。"
            "请启动 Redis，或用环境变量 CELERY_BROKER_URL / REDIS_URL 指向可用的 Redis。"
        )
    return None


def _ping(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        if not client.ping():
            raise ConnectionError("PING 没有回应")
    finally:
        client.close()


def check_environment(database: Mapping, environ: Mapping[str, str] | None = None, ping=None) -> str:
    """Raise BenchRefused unless the database is PostgreSQL and Redis answers; returns the Redis URL."""
    problem = database_refusal(database)
    if problem:
        raise BenchRefused(problem)
    url = redis_url_from_env(environ)
    problem = redis_refusal(url, ping)
    if problem:
        raise BenchRefused(problem)
    return url


# --- the data ----------------------------------------------------------------------------------------------

DEMO_ACCOUNTS = ("xianwei", "zhenwei", "shuji", "dangyuan1")


def expected_members(size: str) -> int:
    """Roughly how many members `seed_demo --size <size>` makes (branches times members per branch)."""
    from demo.organizations import SIZES

    s = SIZES[size]
    return (s.towns * (s.village_branches + 3) + s.institution_branches) * s.members_per_branch


def data_matches(size: str, members: int, accounts: set[str]) -> bool:
    """Does a database with `members` members and these demo accounts hold the `size` demo data?"""
    expected = expected_members(size)
    return set(DEMO_ACCOUNTS) <= accounts and 0.8 * expected <= members <= 1.25 * expected


def ensure_data(*, size: str, reset: bool, skip_build: bool, say: Callable[[str], None]) -> dict:
    """Migrate, build the demo data of `size` when the database has none, and refresh the planner's statistics.

    A database holding other data is not touched unless `reset` is given.
    """
    from django.core.management import call_command
    from django.db import connection

    from organizations.models import Member, Organization, User

    if not skip_build:
        call_command("migrate", interactive=False, verbosity=0)
    members = Member.objects.count()
    accounts = set(User.objects.filter(username__in=DEMO_ACCOUNTS).values_list("username", flat=True))
    built = False
    if not data_matches(size, members, accounts):
        has_data = Organization.objects.exists()
        if skip_build:
            raise BenchRefused(
                f"数据库中没有 {size} 规模的演示数据（现有党员 {members:,} 名），去掉 --skip-build 即可自动生成。"
            )
        if has_data and not reset:
            raise BenchRefused(
                f"数据库中已有其他数据（党员 {members:,} 名），不是 {size} 规模的演示数据。"
                "请换一个空数据库（DATABASE_URL），或加 --reset 清空后重建（会删除库中全部业务数据）。"
            )
        say(f"正在生成 {size} 规模演示数据（seed_demo --size {size}），需要一到几分钟……")
        call_command("seed_demo", size=size, reset=has_data, verbosity=0)
        built = True
        members = Member.objects.count()
    # The planner needs statistics of the freshly loaded tables; a server with autovacuum off never makes them.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"members": members, "built": built}
