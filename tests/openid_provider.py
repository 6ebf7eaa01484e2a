"""Start the real test OpenID Provider (tests/oidc/provider.js: panva's oidc-provider on Node) on loopback.

Not a mock: discovery, keys, the authorization endpoint with its own login form, the token
endpoint, userinfo and end-session are the certified library's. The test gives it clients and
users; it picks a free port and says its issuer on its first line of output.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import requests

from tests.conftest import missing

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
START_TIMEOUT = 60  # seconds; a busy CI machine starts Node slowly


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen

    def discovery(self) -> dict:
        return requests.get(self.issuer + "/.well-known/openid-configuration", timeout=10).json()


def client(client_id: str, redirect_base: str, *, tamper: str | None = None, secret: str = "test-client-secret") -> dict:
    """Return a client registration for the provider: Rundbord at `redirect_base`."""
    registration = {
        "client_id": client_id,
        "client_secret": secret,
        "redirect_uris": [redirect_base + "/signin/oidc/callback"],
        "post_logout_redirect_uris": [redirect_base + "/login"],
    }
    if tamper:
        registration["tamper"] = tamper
    return registration


def user(login: str, password: str, sub: str, **claims: str) -> dict:
    """Return a person at the provider: what they type, and the claims it vouches for."""
    return {"login": login, "password": password, "claims": {"sub": sub, **claims}}


@contextmanager
def running_provider(clients: list[dict], users: list[dict]) -> Iterator[Provider]:
    """Run the provider until the block ends; wait (with a deadline) until its discovery document answers."""
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        missing("Node.js is not installed (apt-get install nodejs)")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout.strip()  # nosec B603
    if int(version.lstrip("v").split(".")[0] or 0) < 20:
        missing(f"the test OpenID Provider (oidc-provider 9) needs Node.js 20 or newer, not {version}")
    if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        missing("the test OpenID Provider is not installed (npm ci --prefix tests/oidc)")
    env = {**os.environ, "OIDC_TEST_CONFIG": json.dumps({"clients": clients, "users": users})}
    log = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen([node, "provider.js"], cwd=OIDC_DIR, env=env, stdout=subprocess.PIPE, stderr=log, text=True)  # nosec B603
    try:
        issuer = _read_issuer(process, log)
        provider = Provider(issuer, process)
        _wait_for_discovery(provider, log)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        process.stdout.close()
        log.close()


def _read_issuer(process: subprocess.Popen, log) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            if selector.select(timeout=0.2):
                line = process.stdout.readline()
                if line.strip():
                    return json.loads(line)["issuer"]
    log.seek(0)
    raise RuntimeError(f"the test OpenID Provider did not start:\n{log.read()}")


def _wait_for_discovery(provider: Provider, log) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            if requests.get(provider.issuer + "/.well-known/openid-configuration", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.05)  # polling interval, not a wait for time to pass
    log.seek(0)
    raise RuntimeError(f"the test OpenID Provider never answered discovery:\n{log.read()}")


class _FormFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.action: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "form" and self.action is None:
            self.action = dict(attrs).get("action")


def sign_in_at_provider(
    provider: Provider, authorization_url: str, login: str, password: str, rp_base: str, browser: requests.Session | None = None
) -> str:
    """Play the browser at the provider: open the authorization URL, fill its login form, and
    return the URL it sends the browser back to at the relying party (not followed).
    `browser` keeps the provider's cookies (its own session) for a later request."""
    browser = browser or requests.Session()
    url = authorization_url
    form_seen = False
    for _ in range(20):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            if url.startswith(rp_base):
                return url
            continue
        assert response.status_code == 200, response.text[:500]
        assert not form_seen, "the provider showed its login form twice"
        finder = _FormFinder()
        finder.feed(response.text)
        assert finder.action, response.text[:500]
        form_seen = True
        posted = browser.post(urljoin(url, finder.action), data={"login": login, "password": password}, allow_redirects=False, timeout=10)
        assert posted.is_redirect, posted.text[:500]
        url = urljoin(url, posted.headers["Location"])
        if url.startswith(rp_base):
            return url
    raise AssertionError("the provider never sent the browser back")
