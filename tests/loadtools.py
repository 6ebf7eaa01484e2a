"""Shared parts of the load and fault runs: a real server under gunicorn, and tablets that autosave.

The tablet client follows the browser's rules (static/capture.js): every note has a uid made
on the device, every save a higher running number, and a save that fails is sent again,
unchanged, until the server answers.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"|name="csrf_token" type="hidden" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(database_url: str, scale: float) -> None:
    """Build the schema and fill it with generated data, in a child process (clean app state)."""
    code = (
        "from tests.bench import _make_app, _reset_schema\n"
        "from extensions import db\n"
        "from tests.datagen import generate\n"
        f"app = _make_app({database_url!r})\n"
        "with app.app_context():\n"
        "    _reset_schema(app, db)\n"
        f"    generate({scale})\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def pairs_for_tablets(database_url: str, count: int) -> list[tuple[str, int]]:
    """Return (username, open meeting id) pairs where the user may write notes in that meeting."""
    code = (
        "import json\n"
        "from tests.bench import _make_app\n"
        "from extensions import db\n"
        "from meetings.models import Meeting\n"
        "from roles.models import RoleAssignment, User\n"
        f"app = _make_app({database_url!r})\n"
        "with app.app_context():\n"
        "    rows = db.session.execute(db.select(User.username, Meeting.id)"
        ".join(RoleAssignment, RoleAssignment.user_id == User.id)"
        ".join(Meeting, Meeting.course_id == RoleAssignment.course_id)"
        f".where(Meeting.closed_at.is_(None)).order_by(Meeting.id).limit({count})).all()\n"
        "    print(json.dumps([list(r) for r in rows]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    return [tuple(r) for r in json.loads(out.strip().splitlines()[-1])]


@dataclass
class Server:
    database_url: str
    workers: int
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log: Path = field(default_factory=lambda: Path(tempfile.mkstemp(prefix="rundbord-gunicorn-", suffix=".log")[1]))

    def start(self) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": "load-test-secret-key-0123456789abcdef",
            # Hundreds of logins from one address are the test, not an attack.
            "RUNDBORD_LOGIN_RATE_LIMIT": "100000 per minute",
            "PYTHONPATH": str(ROOT),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}",
             "--timeout", "60", "--graceful-timeout", "2", "app:create_app()"],
            cwd=ROOT, env=env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                status, _h, _b = request(self.port, "GET", "/health", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start; see {self.log}")

    def kill(self) -> None:
        """SIGKILL the whole server (master and workers): no goodbye, like a power cut."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None, timeout: float = 10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


class Session:
    """A logged-in browser: cookie, CSRF token."""

    def __init__(self, port: int, username: str, password: str):
        self.port = port
        self.cookie = ""
        status, headers, body = self.call("GET", "/login")
        token = self._token(body)
        form = urlencode({"username": username, "password": password, "csrf_token": token}).encode()
        status, headers, body = self.call("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302:
            raise RuntimeError(f"login failed for {username}: {status}")
        status, headers, body = self.call("GET", "/")
        self.token = self._token(body)

    @staticmethod
    def _token(body: bytes) -> str:
        m = TOKEN.search(body.decode())
        if not m:
            raise RuntimeError("no CSRF token")
        return m.group(1) or m.group(2)

    def call(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None, timeout: float = 10):
        h = dict(headers or {})
        if self.cookie:
            h["Cookie"] = self.cookie
        status, rh, rb = request(self.port, method, path, body, h, timeout)
        self.last_headers = rh
        set_cookie = rh.get("Set-Cookie")
        if set_cookie:
            self.cookie = set_cookie.split(";", 1)[0]
        return status, rh, rb

    def save_note(self, meeting_id: int, uid: str, text: str, seq: int, device: str):
        body = json.dumps({"uid": uid, "text": text, "seq": seq, "device": device, "kind": "own_words"}).encode()
        return self.call("POST", f"/meetings/{meeting_id}/notes", body,
                         {"Content-Type": "application/json", "X-CSRFToken": self.token, "Accept": "application/json"})


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def stored_notes(database_url: str, uids: list[str]) -> dict[str, list[str]]:
    """Return uid -> texts of the notes with those uids (a list, to see duplicates)."""
    code = (
        "import json, sys\n"
        "from tests.bench import _make_app\n"
        "from extensions import db\n"
        "from meetings.models import Note\n"
        f"app = _make_app({database_url!r})\n"
        "uids = json.load(sys.stdin)\n"
        "out = {}\n"
        "with app.app_context():\n"
        "    for start in range(0, len(uids), 500):\n"
        "        for uid, text in db.session.execute(db.select(Note.client_uid, Note.text).where(Note.client_uid.in_(uids[start:start+500]))):\n"
        "            out.setdefault(uid, []).append(text)\n"
        "print(json.dumps(out))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, input=json.dumps(uids), capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(run.stdout.strip().splitlines()[-1])
