"""Load run: many tablets autosaving and polling, tovholders reloading dashboards, against gunicorn on loopback.

Each tablet also does what an open meeting screen does by itself: every 15 s it asks for the
notes list (with the ETag it has, so an unchanged list is a 304) and for the phase panel.

    python -m tests.load                      # SQLite, 100 tablets + 20 tovholders, 120 s, 4 workers
    DATABASE_URL=postgresql://… python -m tests.load
    python -m tests.load --seconds 30 --tablets 20 --tovholders 5   # a short run

Afterwards every acknowledged note is looked up: it must be in the database exactly once,
with the last text the server acknowledged. Bounded in time and count; loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import threading
import time
from pathlib import Path

from tests.datagen import PASSWORD
from tests.loadtools import Server, Session, pairs_for_tablets, percentile, prepare_database, stored_notes


def run(database_url: str, seconds: int, tablets: int, tovholders: int, workers: int, interval: float, poll: float = 15.0) -> dict:
    prepare_database(database_url, scale=0.1)
    pairs = pairs_for_tablets(database_url, tablets + tovholders)
    server = Server(database_url, workers)
    server.start()
    lock = threading.Lock()
    latencies: dict[str, list[float]] = {"note": [], "dashboard": [], "poll": []}
    not_modified = [0]
    errors: list[str] = []
    acked: dict[str, str] = {}   # uid -> last acknowledged text
    # Everyone logs in first (argon2 is slow on purpose); the clock starts when all are in.
    deadline = [0.0]
    ready = threading.Barrier(tablets + tovholders + 1, action=lambda: deadline.__setitem__(0, time.time() + seconds))

    def timed(kind: str, call):
        start = time.perf_counter()
        try:
            status, _h, body = call()
        except OSError as exc:
            with lock:
                errors.append(f"{kind}: {exc.__class__.__name__}")
            return None, None
        with lock:
            latencies[kind].append((time.perf_counter() - start) * 1000)
            if status >= 400:
                errors.append(f"{kind}: HTTP {status}")
            if status == 304:
                not_modified[0] += 1
        return status, body

    # Logging in is argon2 on purpose (slow): a few at a time, and again if one times out.
    logins = threading.Semaphore(4)

    def log_in(username: str) -> Session:
        for attempt in range(5):
            try:
                with logins:
                    return Session(server.port, username, PASSWORD)
            except OSError:
                time.sleep(1 + attempt)
        raise RuntimeError(f"could not log in {username}")

    def tablet(i: int, username: str, meeting_id: int):
        rnd = random.Random(i)
        session = log_in(username)
        ready.wait()
        device = f"load-tablet-{i}"
        seq, words = 0, []
        uid = f"load-{i}-0"
        time.sleep(rnd.random() * interval)
        next_poll, etag = time.time() + rnd.random() * poll, None
        htmx = {"HX-Request": "true"}
        while time.time() < deadline[0]:
            if time.time() >= next_poll:
                asked = {**htmx, "If-None-Match": etag} if etag else htmx
                status, _body = timed("poll", lambda: session.call("GET", f"/meetings/{meeting_id}/notes/current", headers=asked))
                if status in (200, 304):
                    etag = session.last_headers.get("ETag", etag)
                timed("poll", lambda: session.call("GET", f"/meetings/{meeting_id}/leader", headers=htmx))
                next_poll += poll
            seq += 1
            words.append(rnd.choice(["Jeg", "har", "det", "bedre", "nu", "æøå", "😊"]))
            text = " ".join(words)
            status, body = timed("note", lambda: session.save_note(meeting_id, uid, text, seq, device))
            if status == 200:
                with lock:
                    acked[uid] = text
            if len(words) >= 5:   # the note is done; start the next
                words, uid = [], f"load-{i}-{seq}"
            time.sleep(max(0.0, interval - 0.05 + rnd.random() * 0.1))

    def tovholder(i: int, username: str):
        rnd = random.Random(1000 + i)
        session = log_in(username)
        ready.wait()
        time.sleep(rnd.random() * interval)
        while time.time() < deadline[0]:
            timed("dashboard", lambda: session.call("GET", "/"))
            time.sleep(max(0.0, interval - 0.05 + rnd.random() * 0.1))

    threads = [threading.Thread(target=tablet, args=(i, *pairs[i % len(pairs)])) for i in range(tablets)]
    threads += [threading.Thread(target=tovholder, args=(i, pairs[(tablets + i) % len(pairs)][0])) for i in range(tovholders)]
    for t in threads:
        t.start()
    ready.wait()
    started = time.time()
    for t in threads:
        t.join(seconds + 120)
    elapsed = time.time() - started
    server.stop()

    stored = stored_notes(database_url, list(acked))
    lost = [u for u in acked if u not in stored]
    duplicated = [u for u, texts in stored.items() if len(texts) > 1]
    stale = [u for u, texts in stored.items() if texts and texts[0] != acked[u]]
    all_ms = latencies["note"] + latencies["dashboard"] + latencies["poll"]
    return {
        "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
        "workers": workers, "tablets": tablets, "tovholders": tovholders, "seconds": round(elapsed, 1),
        "requests": len(all_ms), "requests_per_s": round(len(all_ms) / elapsed, 1),
        "p95_ms": round(percentile(all_ms, 0.95), 1), "p99_ms": round(percentile(all_ms, 0.99), 1),
        "note_p99_ms": round(percentile(latencies["note"], 0.99), 1),
        "dashboard_p99_ms": round(percentile(latencies["dashboard"], 0.99), 1),
        "polls": len(latencies["poll"]), "polls_not_modified": not_modified[0],
        "poll_p99_ms": round(percentile(latencies["poll"], 0.99), 1),
        "errors": len(errors), "error_kinds": sorted(set(errors))[:10],
        "acknowledged_notes": len(acked), "lost": len(lost), "duplicated": len(duplicated), "stale": len(stale),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load run against gunicorn on loopback")
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--tablets", type=int, default=100)
    parser.add_argument("--tovholders", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between one client's requests")
    parser.add_argument("--poll", type=float, default=15.0, help="seconds between one tablet's polls (as the meeting screen)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("DATABASE_URL") or "sqlite:///" + str(Path(tmp) / "load.db")
        if url.startswith("postgres://") or url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        result = run(url, args.seconds, args.tablets, args.tovholders, args.workers, args.interval, args.poll)
    print(json.dumps(result, indent=2))
    ok = result["errors"] == 0 and not (result["lost"] or result["duplicated"] or result["stale"])
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
