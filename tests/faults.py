"""Fault run: SIGKILL the app server at random moments while tablets keep autosaving.

    python -m tests.faults                 # 20 kills, SQLite
    DATABASE_URL=postgresql://… python -m tests.faults --kills 20

The tablets use the browser's retry rule: a save that gets no answer, or a 5xx, is sent
again unchanged (same uid, same running number) until the server answers. Afterwards:
no acknowledged note is lost, none is duplicated, and none is older than the last version
the server acknowledged.
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
from tests.loadtools import Server, Session, pairs_for_tablets, prepare_database, stored_notes


def run(database_url: str, kills: int, tablets: int, workers: int, seed: int = 11) -> dict:
    rnd = random.Random(seed)
    prepare_database(database_url, scale=0.02)
    pairs = pairs_for_tablets(database_url, tablets)
    server = Server(database_url, workers)
    server.start()
    lock = threading.Lock()
    sent: dict[str, dict[int, str]] = {}    # uid -> seq -> text
    acked: dict[str, int] = {}               # uid -> highest acknowledged seq
    retries = [0]
    stop = threading.Event()
    logged_in = threading.Barrier(tablets + 1)

    def tablet(i: int, username: str, meeting_id: int):
        r = random.Random(seed + i)
        session = Session(server.port, username, PASSWORD)
        logged_in.wait()
        device = f"fault-tablet-{i}"
        seq, words, uid = 0, [], f"fault-{i}-0"
        while not stop.is_set():
            seq += 1
            words.append(r.choice(["søvn", "arbejde", "mor", "hest", "æøå", "✓"]))
            text = " ".join(words)
            with lock:
                sent.setdefault(uid, {})[seq] = text
            while True:  # the browser's rule: the same save again until the server answers
                try:
                    status, _h, _b = session.save_note(meeting_id, uid, text, seq, device)
                except OSError:
                    status = None
                if status == 200:
                    with lock:
                        acked[uid] = max(acked.get(uid, 0), seq)
                    break
                if status is not None and status < 500:
                    raise RuntimeError(f"unexpected answer {status}")
                with lock:
                    retries[0] += 1
                time.sleep(0.2 + r.random() * 0.3)
            if len(words) >= 4:
                words, uid = [], f"fault-{i}-{seq}"
            time.sleep(0.05 + r.random() * 0.15)

    threads = [threading.Thread(target=tablet, args=(i, *pairs[i % len(pairs)]), daemon=True) for i in range(tablets)]
    for t in threads:
        t.start()
    logged_in.wait()
    restart_seconds = []
    for _ in range(kills):
        time.sleep(0.5 + rnd.random() * 2.5)
        server.kill()
        started = time.perf_counter()
        server.start()
        restart_seconds.append(time.perf_counter() - started)
    time.sleep(2)
    stop.set()
    for t in threads:
        t.join(60)
    server.stop()

    stored = stored_notes(database_url, list(acked))
    lost = [u for u in acked if u not in stored]
    duplicated = [u for u, texts in stored.items() if len(texts) > 1]
    # What is stored must be the last acknowledged text or one sent after it (its answer lost in a kill).
    older = [u for u, texts in stored.items() if texts[0] not in {t for s, t in sent[u].items() if s >= acked[u]}]
    return {
        "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
        "kills": kills, "tablets": tablets, "workers": workers,
        "saves_acknowledged": len(acked), "retries_after_kills": retries[0],
        "restart_seconds_max": round(max(restart_seconds), 2),
        "lost": len(lost), "duplicated": len(duplicated), "older_than_acknowledged": len(older),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Kill the server while tablets autosave; check nothing is lost")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--tablets", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("DATABASE_URL") or "sqlite:///" + str(Path(tmp) / "faults.db")
        if url.startswith("postgres://") or url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        result = run(url, args.kills, args.tablets, args.workers)
    print(json.dumps(result, indent=2))
    bad = result["lost"] or result["duplicated"] or result["older_than_acknowledged"] or not result["saves_acknowledged"]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
