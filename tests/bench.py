"""Benchmark Rundbord at municipality scale: server time and SQL queries per request.

    python -m tests.bench            # small (1/10) and large data set, SQLite (or DATABASE_URL)
    python -m tests.bench --quick    # fewer requests per route
    python -m tests.bench --json     # one JSON object on the last line

Every figure is also given as a ratio to a baseline route (one indexed query, a tiny
template), so the numbers mean something on a noisy machine. Measured in-process with
Flask's test client: the time is the server's time for the whole request (routing,
access check, audit entry, queries, rendering), without network.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, text

#: Targets from the issue: (kind, p95 ratio to baseline).
TARGETS = {"htmx": 3.0, "page": 6.0, "docx": 40.0}
MAX_QUERIES = 12


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class QueryCounter:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._on)

    def _on(self, *args, **kwargs):
        self.count += 1


def _make_app(database_uri: str):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_uri, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})


def _fresh_database(size_name: str, workdir: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        from config import database_url

        return database_url("/nonexistent")
    return "sqlite:///" + str(workdir / f"bench-{size_name}.db")


def _reset_schema(app, db) -> None:
    from flask_migrate import upgrade

    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()


def _login(app, username: str):
    from tests.conftest import csrf_token
    from tests.datagen import PASSWORD

    client = app.test_client()
    r = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert r.status_code == 302, r.status_code
    # Login starts a new session, and with it a new CSRF token.
    return client, csrf_token(client)


def run_size(size_name: str, scale: float, requests: int, workdir: Path) -> dict:
    from extensions import db
    from meetings.models import Agreement, AgreementStatus, Meeting
    from roles.models import Role, RoleAssignment, User
    from tests.datagen import generate

    app = _make_app(_fresh_database(size_name, workdir))
    # Set-up runs inside an app context; the measured requests run outside it, as on a server.
    with app.app_context():
        _reset_schema(app, db)
        t0 = time.perf_counter()
        gen = generate(scale)
        gen_seconds = time.perf_counter() - t0
        engine = db.engine
        # A tovholder and the courses/meetings they hold a role in.
        username = gen.sample_staff[0]
        mine = db.select(RoleAssignment.course_id).join(User, RoleAssignment.user_id == User.id).where(User.username == username)
        my_courses = db.session.scalars(mine.where(RoleAssignment.role == Role.TOVHOLDER).order_by(RoleAssignment.course_id)).all()
        open_meetings = db.session.scalars(
            db.select(Meeting.id).where(Meeting.course_id.in_(my_courses), Meeting.closed_at.is_(None)).order_by(Meeting.course_id)
        ).all()
        closed_meetings = db.session.scalars(
            db.select(Meeting.id).where(Meeting.course_id.in_(my_courses), Meeting.closed_at.is_not(None)).order_by(Meeting.id.desc())
        ).all()
        reviewable = db.session.scalars(
            db.select(Agreement.id).where(Agreement.course_id == my_courses[0], Agreement.status == AgreementStatus.OPEN)
        ).all()
        db.session.remove()
    client, token = _login(app, username)
    counter = QueryCounter(engine)
    if True:
        hx = {"HX-Request": "true"}
        results: dict[str, dict] = {}
        seq = iter(range(1, 10**9))

        def measure(name: str, kind: str, call, n: int = requests):
            call(0)  # warm up templates and caches
            times, queries = [], []
            for i in range(n):
                counter.count = 0
                start = time.perf_counter()
                response = call(i)
                times.append((time.perf_counter() - start) * 1000)
                queries.append(counter.count)
                assert response.status_code < 400, (name, response.status_code, response.get_data(as_text=True)[:300])
            results[name] = {
                "kind": kind, "n": n, "p50_ms": round(_percentile(times, 0.5), 2), "p95_ms": round(_percentile(times, 0.95), 2),
                "queries_max": max(queries), "queries_median": statistics.median(queries),
            }

        def pick(seq_list, i):
            return seq_list[i % len(seq_list)]

        measure("baseline", "baseline", lambda i: client.get("/health"))
        measure("dashboard", "page", lambda i: client.get("/"))
        measure("course page", "page", lambda i: client.get(f"/courses/{pick(my_courses, i)}"))
        measure("meeting leader screen", "page", lambda i: client.get(f"/meetings/{pick(open_meetings, i)}"))
        measure("add a note", "htmx", lambda i: client.post(
            f"/meetings/{open_meetings[0]}/notes",
            data=json.dumps({"uid": f"bench-{size_name}-{next(seq)}", "text": "Jeg har det bedre.", "device": "bench", "seq": 1}),
            headers={"Content-Type": "application/json", "X-CSRFToken": token}))
        measure("record a review", "htmx", lambda i: client.post(
            f"/meetings/{open_meetings[0]}/reviews/{pick(reviewable, i)}",
            data={"outcome": "partly", "comment": f"Delvist, runde {i}", "csrf_token": token}, headers=hx))
        closable = list(open_meetings[1:])
        n_close = min(requests, len(closable))
        measure("close a meeting", "htmx", lambda i: client.post(
            f"/meetings/{closable[i % len(closable)]}/close", data={"csrf_token": token}, headers=hx), n=max(1, n_close - 1))
        if "exports.summary" in app.view_functions:
            measure("summary page", "page", lambda i: client.get(f"/meetings/{pick(closed_meetings, i)}/summary"))
            measure("summary DOCX", "docx", lambda i: client.get(f"/meetings/{pick(closed_meetings, i)}/summary.docx"))
        if "exports.citizen_data_zip" in app.view_functions:
            measure("citizen data export", "docx", lambda i: client.get(f"/courses/{pick(my_courses, i)}/citizen-data.zip"),
                    n=max(3, requests // 5))
        transfer = first_load_bytes(client, f"/meetings/{open_meetings[0]}")
        base = results["baseline"]
        for r in results.values():
            r["p95_ratio"] = round(r["p95_ms"] / base["p95_ms"], 2)
            r["p50_ratio"] = round(r["p50_ms"] / base["p50_ms"], 2)
    engine.dispose()
    return {
        "size": size_name, "scale": scale, "generate_seconds": round(gen_seconds, 1),
        "meeting_screen_first_load": transfer,
        "data": {"citizens": gen.citizens, "meetings": gen.meetings, "notes": gen.notes, "agreements": gen.agreements, "staff": gen.staff},
        "routes": results,
    }


def first_load_bytes(client, url: str) -> dict:
    """Return what a first visit to `url` transfers: the page and every script and stylesheet it loads, gzipped."""
    import gzip
    import re

    page = client.get(url).get_data()
    assets = re.findall(rb'(?:src|href)="(/static/[^"]+)"', page)
    sizes = {"page": len(gzip.compress(page))}
    for asset in dict.fromkeys(assets):
        body = client.get(asset.decode()).get_data()
        sizes[asset.decode()] = len(gzip.compress(body))
    return {"total_gzip_bytes": sum(sizes.values()), "parts": sizes}


def verdicts(small: dict, large: dict) -> list[str]:
    """Compare the large run with the targets and with the small run; return what is missed."""
    missed = []
    if large["meeting_screen_first_load"]["total_gzip_bytes"] > 100_000:
        missed.append("meeting screen first load > 100 KB gzipped")
    for name, r in large["routes"].items():
        target = TARGETS.get(r["kind"])
        if target and r["p95_ratio"] > target:
            missed.append(f"{name}: p95 {r['p95_ratio']}× baseline > {target}×")
        if r["kind"] != "baseline" and r["queries_max"] > MAX_QUERIES and name != "citizen data export":
            missed.append(f"{name}: {r['queries_max']} queries > {MAX_QUERIES}")
        s = small["routes"].get(name)
        if s and s["queries_max"] != r["queries_max"]:
            missed.append(f"{name}: queries differ with size ({s['queries_max']} small, {r['queries_max']} large)")
        if s and r["p95_ms"] > 1.5 * s["p95_ms"]:
            missed.append(f"{name}: p95 grew {r['p95_ms'] / s['p95_ms']:.2f}× from small to large")
    return missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 requests per route instead of 100")
    parser.add_argument("--json", action="store_true", help="print one JSON object on the last line")
    parser.add_argument("--only-small", action="store_true", help="only the 1/10 data set")
    args = parser.parse_args(argv)
    requests = 20 if args.quick else 100
    os.environ.setdefault("RUNDBORD_ENV", "development")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        small = run_size("small", 0.1, requests, work)
        large = small if args.only_small else run_size("large", 1.0, requests, work)
    report = {
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "database": "postgresql" if os.environ.get("DATABASE_URL") else "sqlite",
        "small": small, "large": large, "missed": verdicts(small, large),
    }
    for run in (small, large) if large is not small else (small,):
        print(f"\n{run['size']} data set ({run['data']}), generated in {run['generate_seconds']} s")
        print(f"meeting screen first load: {run['meeting_screen_first_load']['total_gzip_bytes']} bytes gzipped")
        print(f"{'route':26} {'p50 ms':>8} {'p95 ms':>8} {'p95 ×base':>10} {'queries':>8}")
        for name, r in run["routes"].items():
            print(f"{name:26} {r['p50_ms']:8.2f} {r['p95_ms']:8.2f} {r['p95_ratio']:10.2f} {r['queries_max']:8d}")
    print("\nmissed targets:" if report["missed"] else "\nall targets met")
    for m in report["missed"]:
        print("  -", m)
    if args.json:
        print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
