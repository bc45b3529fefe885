"""Benchmarks of DESIGN §9 on PostgreSQL and Redis with the `county` data: `python manage.py bench`.

`runner.run` measures; the other modules each hold one kind of measurement (pages under load, the quarter
tally, PDFs, the Excel import) or a helper (percentiles, the result table, the environment checks).
"""
