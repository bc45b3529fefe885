"""Move every table's id sequence forward, so a seed run again gets other primary keys than the first run.

A determinism test that re-seeds into ids that happen to repeat the first run's proves little: on PostgreSQL
the order of rows that tie in an ORDER BY follows hash joins over the ids, so a text built from a partial
order changes with the ids alone (a 通报's list of overdue items did; CI caught it only by chance).
"""

from django.apps import apps
from django.db import connection


def move_ids(by: int = 1009) -> None:
    tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
            for (name,) in cursor.fetchall():
                cursor.execute(f'SELECT setval(%s, COALESCE((SELECT last_value FROM "{name}"), 1) + %s)', [name, by])
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_sequence")
            for (name,) in cursor.fetchall():
                if name in tables:
                    cursor.execute("UPDATE sqlite_sequence SET seq = seq + %s WHERE name = %s", [by, name])
