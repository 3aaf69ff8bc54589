"""``make bench``: run every benchmark on SQLite and, when reachable, PostgreSQL.

Each database gets a fresh copy filled by bench.data; figures are printed as a
table (median and p95 over the runs, queries, peak memory of the measuring
process), then the server time of the busiest screens (bench.screens) on the
same data, and on PostgreSQL the audit trail's cost per booking (bench.audit).
Options: --sessions N (default 200000), --plans N (default 100), --screen-runs N
(default 100), --only sqlite|postgresql|messages|webhooks|recall|export (messages runs the
webhook deliveries too, next to the reminders'). The patient's self-reschedule
search (bench.reschedule) runs on each database after planning, and the REST API's
session list and availability (bench.api) after the screens. The recall list of a lot
used in 5,000 sessions (bench.recall) and a patient's export (bench.export) run on
PostgreSQL clinics of their own.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SQLITE_FILE = ROOT / "var" / "bench" / "planning.sqlite3"
POSTGRES_ADMIN = os.environ.get(
    "BENCH_POSTGRES_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
POSTGRES_DB = "clinic_bench"


def fresh_sqlite() -> str:
    SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
    SQLITE_FILE.unlink(missing_ok=True)
    return f"sqlite:///{SQLITE_FILE}"


def fresh_postgres(name: str = POSTGRES_DB) -> str | None:
    try:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
    except psycopg.Error as error:
        print(f"PostgreSQL skipped: {error}".strip(), file=sys.stderr)
        return None
    return POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=3).ping())
    except redis.RedisError as error:
        print(f"Reminder benchmark skipped: Redis at {url}: {error}", file=sys.stderr)
        return False


def bench_messages(count: int) -> None:
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    url = fresh_postgres(os.environ.get("BENCH_MESSAGES_DB", POSTGRES_DB + "_messages"))
    if url is None or not redis_reachable(redis_url):
        return
    run_step(url, "build", str(count), module="bench.messages", REDIS_URL=redis_url)
    r = run_step(url, "measure", str(count), module="bench.messages", REDIS_URL=redis_url)
    print(f"\nReminder delivery: {r['messages']} due messages, real worker ({r['worker']}), Redis, "
          "SMTP sink on loopback")  # fmt: skip
    print(f"  {r['per_second']} messages/s ({r['seconds']} s), duplicates {r['duplicates']}, "
          f"losses {r['losses']}, worker peak {r['worker_peak_mb']} MB")  # fmt: skip
    print(f"  rate over each tenth of the run: {r['per_second_by_tenth']}")
    print(f"  CPU per message: worker {r['worker_cpu_ms_per_message']} ms, benchmark process "
          f"(dispatcher, SMTP sink) {r['harness_cpu_ms_per_message']} ms")  # fmt: skip
    print("Targets: at least 200 messages/s, no duplicates, no losses, worker under 250 MB.")


def bench_webhooks(count: int) -> None:
    """Webhook deliveries (issue #18) the same way, to a receiver on loopback."""
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    url = fresh_postgres(os.environ.get("BENCH_WEBHOOKS_DB", POSTGRES_DB + "_webhooks"))
    if url is None or not redis_reachable(redis_url):
        return
    run_step(url, "build", str(count), module="bench.webhooks", REDIS_URL=redis_url)
    r = run_step(url, "measure", str(count), module="bench.webhooks", REDIS_URL=redis_url)
    print(f"\nWebhook delivery: {r['deliveries']} due deliveries, real worker ({r['worker']}), "
          "Redis, signed HTTP POSTs to a receiver on loopback")  # fmt: skip
    print(f"  {r['per_second']} deliveries/s ({r['seconds']} s), duplicates {r['duplicates']}, "
          f"losses {r['losses']}, bad signatures {r['bad_signatures']}, "
          f"worker peak {r['worker_peak_mb']} MB")  # fmt: skip
    print(f"  rate over each tenth of the run: {r['per_second_by_tenth']}")
    print(f"  CPU per delivery: worker {r['worker_cpu_ms_per_delivery']} ms, benchmark process "
          f"(dispatcher, receiver) {r['harness_cpu_ms_per_delivery']} ms")  # fmt: skip
    print("Targets: at least 200 deliveries/s (as the reminders), no duplicates, no losses.")


def bench_recall(sessions: int, runs: int) -> None:
    url = fresh_postgres(POSTGRES_DB + "_lots")
    if url is None:
        return
    run_step(url, "generate", str(sessions))
    r = run_step(url, "measure", "5000", str(runs), module="bench.recall")
    print(f"\nRecall list of a lot used in {r['sessions_with_lot']} of {r['sessions']} sessions "
          "(PostgreSQL, full request handling, a manager)")  # fmt: skip
    print(f"{'page':<28} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name, label in (("page", "recall list, a page of 50"), ("csv", "recall list CSV (all)"),
                        ("lots", "lot list")):  # fmt: skip
        m = r[name]
        print(f"{label:<28} {m['median_ms']:>10} {m['p95_ms']:>8} {m['queries']:>8}")
    print("Target: p95 under 1 s for the recall list.")


def bench_export(runs: int) -> None:
    url = fresh_postgres("clinic_bench_privacy")
    if url is None:
        return
    var = ROOT / "var" / "bench" / "export"
    shutil.rmtree(var, ignore_errors=True)
    built = run_step(url, "build", module="bench.export", VAR_DIR=str(var))
    r = run_step(url, "measure", str(runs), module="bench.export", VAR_DIR=str(var))
    print(f"\nA patient's export (6 sessions, {built['photos']} photos of about 300 KB, "
          f"streamed as a manager's download, {r['zip_mb']} MB)")  # fmt: skip
    print(f"  median {r['median_ms']} ms, p95 {r['p95_ms']} ms over {r['runs']} downloads, "
          f"peak memory {r['peak_rss_mb']} MB")  # fmt: skip
    print("Target: under 5 s.")


def run_step(database_url: str, *args: str, module: str = "bench.planning", **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    # Production-like settings: DEBUG off (it records every query), a throw-away key.
    env.update(
        DATABASE_URL=database_url, DEBUG="0", SECRET_KEY="bench-" + "k" * 60,
        ALLOWED_HOSTS="localhost", LOG_LEVEL="WARNING", **extra,
    )  # fmt: skip
    result = subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", module, *args],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"bench step {args} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def print_requests(results: dict[str, dict], heading: str, label: str, width: int) -> None:
    """One row per request and database: median, p95 and queries (screens, the API)."""
    print(heading)
    print(f"{label:<{width}} {'database':<11} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name in next(iter(results.values())):
        for database, by_name in results.items():
            r = by_name[name]
            print(f"{name:<{width}} {database:<11} {r['median_ms']:>10} {r['p95_ms']:>8} "
                  f"{r['queries']:>8}")  # fmt: skip


def print_screens(screens: dict[str, dict], runs: int) -> None:
    if not screens:
        return
    heading = (f"\nScreens on the same clinic: server time per request over {runs} requests "
               "(full Django request handling, logged in as a manager)")  # fmt: skip
    print_requests(screens, heading, "screen", 30)
    print("Target: p95 under 100 ms for the today board and the week calendar.")


def print_moves(moves: dict[str, dict]) -> None:
    if not moves:
        return
    print("\nThe patient's self-reschedule slot search (one session of a booked course)")
    print(f"{'database':<11} {'searches':>9} {'median ms':>10} {'p95 ms':>8} {'queries':>9} "
          f"{'offers':>7}")  # fmt: skip
    for name, r in moves.items():
        queries = f"{r['queries_min']}-{r['queries_max']}"
        print(f"{name:<11} {r['searches']:>9} {r['median_ms']:>10} {r['p95_ms']:>8} "
              f"{queries:>9} {r['offers_mean']:>7}")  # fmt: skip
    print("Target: p95 under 150 ms.")


def print_api(apis: dict[str, dict], runs: int) -> None:
    if not apis:
        return
    heading = (f"\nThe REST API on the same clinic: server time per request over {runs} "
               "requests (full Django request handling, a manager's bearer token)")  # fmt: skip
    print_requests(apis, heading, "request", 38)
    print("Target: p95 under 100 ms.")


def print_audit(r: dict) -> None:
    print(f"\nAudit trail on PostgreSQL: booking a 6-session course, {r['plans']} courses, "
          "each booked with the trail on and off on the same calendar")  # fmt: skip
    print(f"  on:  median {r['on']['median_ms']} ms, p95 {r['on']['p95_ms']} ms")
    print(f"  off: median {r['off']['median_ms']} ms, p95 {r['off']['p95_ms']} ms")
    print(
        f"  overhead: median {r['overhead_median_pct']} %, p95 {r['overhead_p95_pct']} %, "
        f"median of each course's on/off ratio {r['overhead_paired_median_pct']} %"
    )
    print("Target: at most 15 % more with the trail on.")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--sessions", type=int, default=200_000)
    parser.add_argument("--plans", type=int, default=100)
    parser.add_argument(
        "--only",
        choices=["sqlite", "postgresql", "messages", "webhooks", "recall", "export"],
    )
    parser.add_argument("--exports", type=int, default=20)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--screen-runs", type=int, default=100)
    options = parser.parse_args()
    screens: dict[str, dict] = {}
    audit: dict = {}
    moves: dict[str, dict] = {}
    apis: dict[str, dict] = {}
    targets = {"sqlite": fresh_sqlite, "postgresql": fresh_postgres}
    if options.only == "recall":
        bench_recall(options.sessions, options.screen_runs)
        return
    if options.only == "export":
        bench_export(options.exports)
        return
    print("Planning and booking a 6-session course (20 practitioners, 10 rooms)")
    print(f"{'database':<11} {'sessions':>9} {'plans':>6} {'median ms':>10} {'p95 ms':>8} "
          f"{'queries':>9} {'peak MB':>8}")  # fmt: skip
    for name, make in targets.items():
        if options.only and name != options.only:
            continue
        url = make()
        if url is None:
            continue
        run_step(url, "generate", str(options.sessions))
        r = run_step(url, "measure", str(options.plans))
        queries = f"{r['queries_min']}-{r['queries_max']}"
        print(f"{name:<11} {r['existing_sessions']:>9} {r['plans']:>6} {r['median_ms']:>10} "
              f"{r['p95_ms']:>8} {queries:>9} {r['peak_rss_mb']:>8}", flush=True)  # fmt: skip
        moves[name] = run_step(url, "measure", str(options.plans), module="bench.reschedule")
        screens[name] = run_step(url, "measure", str(options.screen_runs), module="bench.screens")
        apis[name] = run_step(url, "measure", str(options.screen_runs), module="bench.api")
        if name == "postgresql":
            audit = run_step(url, "measure", str(options.plans), module="bench.audit")
    print("Targets: median under 50 ms on each database; peak memory under 300 MB.")
    print_moves(moves)
    if audit:
        print_audit(audit)
    print_screens(screens, options.screen_runs)
    print_api(apis, options.screen_runs)
    if options.only in (None, "messages"):
        bench_messages(options.messages)
    if options.only in (None, "messages", "webhooks"):
        bench_webhooks(options.messages)
    if options.only is None:
        bench_recall(options.sessions, options.screen_runs)
    if options.only is None:
        bench_export(options.exports)


if __name__ == "__main__":
    main()
