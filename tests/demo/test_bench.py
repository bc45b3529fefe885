"""The helpers of `python manage.py bench` (bench/): percentiles, the table and JSON it writes, the refusals
without PostgreSQL or Redis, the load clients. Fast unit tests; nothing here times anything."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command

from bench import env, load
from bench.imports import roster_xlsx
from bench.report import Measurement, display_width, render_table, result_document, write_results
from bench.stats import percentile, summarize
from organizations.resources import read_xlsx
from organizations.validators import validate_id_number

# --- percentiles -------------------------------------------------------------------------------------------


def test_percentile_interpolates_between_ranks_like_numpy():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([4, 1, 3, 2], 0) == 1
    assert percentile([4, 1, 3, 2], 100) == 4
    assert percentile(range(1, 101), 95) == pytest.approx(95.05)
    assert percentile([10, 20], 25) == 12.5


def test_percentile_of_one_value_and_of_none():
    assert percentile([7.5], 95) == 7.5
    assert percentile([], 50) is None


@pytest.mark.parametrize("p", [-1, 100.5])
def test_percentile_outside_0_to_100_is_refused(p):
    with pytest.raises(ValueError):
        percentile([1, 2], p)


def test_summarize_reports_milliseconds_and_throughput():
    result = summarize([0.010, 0.020, 0.030, 0.040], duration=2.0, errors=1)
    assert result["requests"] == 4
    assert result["errors"] == 1
    assert result["rps"] == 2.0
    assert result["p50_ms"] == 25.0
    assert result["mean_ms"] == 25.0
    assert result["max_ms"] == 40.0


def test_summarize_without_requests():
    result = summarize([], duration=1.0)
    assert result["requests"] == 0 and result["rps"] == 0 and result["p95_ms"] is None


# --- the table and the JSON --------------------------------------------------------------------------------


def _measurements():
    return [
        Measurement(
            "支部公开栏", "p50 / p95（8 并发）", "40 / 150 ms", target="p95 ≤ 200 ms", ok=True, key="board.p95"
        ),
        Measurement("支部公开栏", "吞吐量（8 并发）/ 最小页面", 0.12, unit="倍", target="≥ 0.25", ok=False),
        Measurement("全县季度统计", "手写 SQL", 0.1192, unit="s"),
        Measurement("Excel 导入", "导入 20,000 名党员", 31.5, unit="s", target="≤ 60 s", ok=True),
    ]


def test_display_width_counts_chinese_as_two_columns():
    assert display_width("abc") == 3
    assert display_width("党员a") == 5
    assert display_width("（≤）") == 5  # full-width brackets are wide, ≤ is not


def test_table_has_a_row_per_measurement_with_marks_and_a_summary():
    text = render_table(_measurements(), title="性能测试")
    lines = text.splitlines()
    assert lines[0] == "性能测试"
    assert "测量项" in text and "目标" in text and "达标" in text
    assert "【支部公开栏】" in text and "【Excel 导入】" in text
    assert "0.12 倍" in text and "31.5 s" in text and "0.12 s" in text
    assert text.count("✔") == 2 and text.count("✘") == 1
    assert lines[-1] == "达标 2 项，未达标 1 项。"


def test_table_columns_line_up_for_chinese_text():
    text = render_table(_measurements())
    header = text.splitlines()[0]
    start = display_width(header[: header.index("结果")])
    for line in text.splitlines():
        if "吞吐量" in line:
            assert display_width(line[: line.index("0.12")]) == start


def test_measurement_values_are_written_as_people_read_them():
    assert Measurement("g", "l", 1234.4, unit="ms").value_text == "1,234 ms"
    assert Measurement("g", "l", 0.5, unit="s").value_text == "0.5 s"
    assert Measurement("g", "l", 20000).value_text == "20,000"
    assert Measurement("g", "l", None).value_text == "—"
    assert Measurement("g", "l", 1, ok=None).mark == "—"


def test_results_are_written_as_json_named_by_time(tmp_path):
    now = datetime.datetime(2026, 11, 26, 14, 5, 9)
    path = write_results(_measurements(), {"size": "county"}, directory=tmp_path, now=now)
    assert path.name == "20261126-140509.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["meta"] == {"size": "county"}
    assert data["summary"] == {"passed": 2, "failed": 1}
    first = data["measurements"][0]
    assert first["label"] == "p50 / p95（8 并发）" and first["mark"] == "✔" and first["key"] == "board.p95"
    assert data["measurements"][2]["mark"] == "—"
    # Chinese stays readable in the file.
    assert "支部公开栏" in path.read_text(encoding="utf-8")


def test_a_second_run_in_the_same_second_does_not_overwrite(tmp_path):
    now = datetime.datetime(2026, 11, 26, 14, 5, 9)
    first = write_results(_measurements(), {}, directory=tmp_path, now=now)
    second = write_results(_measurements(), {}, directory=tmp_path, now=now)
    assert first != second and second.name == "20261126-140509-2.json"


def test_result_document_keeps_details():
    doc = result_document([Measurement("g", "l", 1, details={"rps": 12.5})], {"a": 1})
    assert doc["measurements"][0]["details"] == {"rps": 12.5}


# --- refusals ------------------------------------------------------------------------------------------------


def test_sqlite_is_refused_with_a_chinese_message_naming_database_url():
    message = env.database_refusal({"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/db.sqlite3"})
    assert "PostgreSQL" in message and "SQLite" in message and "DATABASE_URL" in message


def test_postgresql_is_accepted():
    assert env.database_refusal({"ENGINE": "django.db.backends.postgresql", "NAME": "pledge"}) is None


def test_redis_url_comes_from_the_broker_then_the_cache_then_the_default():
    assert env.redis_url_from_env({}) == "redis://127.0.0.1:6379/0"
    assert env.redis_url_from_env({"REDIS_URL": "redis://cache:6379/1"}) == "redis://cache:6379/1"
    both = {"REDIS_URL": "redis://cache:6379/1", "CELERY_BROKER_URL": "redis://broker:6379/0"}
    assert env.redis_url_from_env(both) == "redis://broker:6379/0"


def test_unreachable_redis_is_refused_with_the_reason():
    def refuse(url):
        raise ConnectionError("Connection refused")

    message = env.redis_refusal("redis://127.0.0.1:1/0", ping=refuse)
    assert "Redis" in message and "redis://127.0.0.1:1/0" in message and "Connection refused" in message
    assert env.redis_refusal("redis://ok", ping=lambda url: True) is None


def test_check_environment_refuses_sqlite_before_asking_redis():
    asked = []
    with pytest.raises(env.BenchRefused, match="PostgreSQL"):
        env.check_environment({"ENGINE": "django.db.backends.sqlite3"}, {}, ping=asked.append)
    assert asked == []


def test_check_environment_returns_the_redis_url():
    database = {"ENGINE": "django.db.backends.postgresql"}
    assert env.check_environment(database, {"REDIS_URL": "redis://r/2"}, ping=lambda url: None) == "redis://r/2"


def test_the_command_refuses_without_postgresql_or_redis(monkeypatch):
    # On SQLite (make test) the database is refused; on PostgreSQL (CI) the unreachable Redis is.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    with pytest.raises(CommandError) as refused:
        call_command("bench", "--seconds", "1")
    assert "性能测试" in str(refused.value)


def test_the_command_rejects_unknown_parts():
    with pytest.raises(CommandError, match="不认识的测量项"):
        call_command("bench", "--only", "pages,speed")


def test_data_of_the_wrong_size_or_without_demo_accounts_does_not_match():
    accounts = set(env.DEMO_ACCOUNTS)
    county = env.expected_members("county")
    assert 15_000 < county < 25_000
    assert env.data_matches("county", 19_896, accounts)
    assert not env.data_matches("county", 300, accounts)
    assert not env.data_matches("city", 19_896, accounts)
    assert not env.data_matches("county", 19_896, accounts - {"xianwei"})


# --- load ----------------------------------------------------------------------------------------------------


def test_wrk_script_shares_ballot_codes_between_threads_and_prints_json():
    request = load.Request(
        path="/pj/{code}/",
        method="POST",
        headers={"Cookie": "csrftoken=abc"},
        body="overall=satisfied",
        codes=["AAAA", "BBBB"],
    )
    script = load.wrk_script(request, threads=2)
    assert 'wrk.method = "POST"' in script
    assert 'wrk.headers["Cookie"] = "csrftoken=abc"' in script
    assert 'local codes = {"AAAA","BBBB"}' in script
    assert "idx = idx + nthreads" in script and "local nthreads = 2" in script
    assert 'string.format("/pj/%s/", code)' in script
    assert load.JSON_MARK in script


def test_wrk_script_for_a_page_sets_the_path_only():
    script = load.wrk_script(load.Request(path="/gs/?q=红星"), threads=1)
    assert "wrk.path = " in script and "function request()" not in script


def test_wrk_output_is_read_into_the_common_summary():
    line = (
        'BENCH_JSON {"requests":1000,"duration_us":10000000,"connect":0,"read":0,"write":0,"status":3,'
        '"timeout":0,"p50_us":12000,"p95_us":45000,"p99_us":80000,"mean_us":15000,"max_us":120000}'
    )
    result = load.parse_wrk_output("Running 10s test\n" + line + "\n")
    assert result["requests"] == 1000 and result["rps"] == 100.0
    assert result["p50_ms"] == 12.0 and result["p95_ms"] == 45.0
    assert result["errors"] == 3 and result["error_kinds"] == {"status": 3}


def test_wrk_output_without_the_summary_is_an_error():
    with pytest.raises(RuntimeError):
        load.parse_wrk_output("unable to connect to 127.0.0.1:1 Connection refused")


def test_load_is_refused_off_loopback():
    with pytest.raises(ValueError):
        load.run_python("http://example.com", load.Request(path="/"), connections=1, seconds=0.1)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        status = 404 if "missing" in self.path else 200
        body = b"ok"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_python_client_counts_requests_and_errors(local_server):
    ok = load.run_python(local_server, load.Request(path="/"), connections=2, seconds=0.3)
    assert ok["tool"] == "python" and ok["connections"] == 2
    assert ok["requests"] > 0 and ok["errors"] == 0 and ok["p95_ms"] is not None
    missing = load.run_python(local_server, load.Request(path="/missing"), connections=1, seconds=0.2)
    assert missing["requests"] > 0 and missing["errors"] == missing["requests"]


def test_probe_sends_the_first_code(local_server):
    status, size, location = load.probe(local_server, load.Request(path="/pj/{code}/", codes=["ABC"]))
    assert (status, size, location) == (200, 2, "")


# --- the import file -----------------------------------------------------------------------------------------


def test_generated_roster_has_valid_distinct_id_numbers():
    dataset = read_xlsx(roster_xlsx("430621001001", 1200))
    assert len(dataset) == 1200
    ids = dataset["身份证号"]
    assert len(set(ids)) == 1200
    for value in ids[:5] + ids[-5:]:
        validate_id_number(value)
    assert set(dataset["所在党组织代码"]) == {"430621001001"}
