"""The administrator's sign-in rules (page and command line) and what check-deploy says about signing in."""

from __future__ import annotations

from app import create_app
from extensions import db
from kernel.deploy import deploy_findings
from roles.models import AuditEntry, Grant, StaffGrant
from roles.signin import rules, totp
from roles.signin.models import RecoveryCode
from tests.conftest import csrf_token, login
from tests.test_second_factor import _actions, _password, _user, enrol


def _admin(app, username: str = "rikke"):
    user = _user(username)
    db.session.add(StaffGrant(user_id=user.id, kind=Grant.ADMINISTRATOR))
    db.session.commit()
    return login(app.test_client(), username)


def test_an_administrator_resets_a_lost_second_factor(demo, app):
    enrol("tove")
    rikke = _admin(app)
    page = rikke.get("/signin/admin").get_data(as_text=True)
    assert "Tove" in page and "Nulstil" in page
    tove_id = _user("tove").id
    response = rikke.post("/signin/admin/reset", data={"user_id": str(tove_id), "csrf_token": csrf_token(rikke)})
    assert response.status_code == 302
    assert not totp.is_enrolled(_user("tove"))
    assert db.session.scalar(db.select(db.func.count(RecoveryCode.id))) == 0
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "second_factor.reset"))
    assert entry.user_id == _user("rikke").id and entry.object_id == tove_id
    # Tove logs in with her password again (and would set up a new one if it were required).
    assert _password(app.test_client(), "tove").headers["Location"] == "/"


def test_an_administrator_changes_the_policy_and_it_is_audited(demo, app):
    rikke = _admin(app)
    response = rikke.post("/signin/admin/policy", data={"require_second_factor": "y", "csrf_token": csrf_token(rikke)})
    assert response.status_code == 302
    assert rules.policy().require_second_factor and not rules.policy().sso_creates_accounts
    assert "sign_in.policy_changed" in _actions(_user("rikke").id)
    assert 'checked' in rikke.get("/signin/admin").get_data(as_text=True)


def test_the_command_line_sets_the_policy_and_resets_a_second_factor(demo, app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["sign-in", "policy", "--require-second-factor", "--create-accounts"])
    assert result.exit_code == 0, result.output
    assert "second factor required for everyone: yes" in result.output
    assert rules.policy().require_second_factor and rules.policy().sso_creates_accounts
    enrol("tove")
    result = runner.invoke(args=["sign-in", "reset-second-factor", "Tove"])
    assert result.exit_code == 0 and not totp.is_enrolled(_user("tove"))
    unknown = runner.invoke(args=["sign-in", "reset-second-factor", "nobody"])
    assert unknown.exit_code != 0 and "No staff account" in unknown.output


# --- check-deploy -----------------------------------------------------------------------

PRODUCTION = {
    "SECRET_KEY": "a" * 16 + "9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c",
    "RUNDBORD_ENV": "production",
    "SESSION_COOKIE_SECURE": True,
    "PREFERRED_URL_SCHEME": "https",
}


def test_check_deploy_warns_about_password_login_without_a_second_factor(app, demo):
    prod = create_app({**PRODUCTION, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    found = [f.what for f in deploy_findings(prod)]
    assert "Password login is on without a second factor required for everyone." in found
    result = prod.test_cli_runner().invoke(args=["check-deploy"])
    assert result.exit_code == 1 and "second factor" in result.output
    rules.set_policy(require_second_factor=True)
    assert deploy_findings(prod) == []
    with prod.app_context():
        db.engine.dispose()


def test_check_deploy_accepts_sign_in_only_through_an_https_provider(app):
    sso_only = create_app({
        **PRODUCTION, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u:p@127.0.0.1/none", "PASSWORD_LOGIN": False,
        "OIDC_ISSUER": "https://login.microsoftonline.com/tenant-id/v2.0", "OIDC_CLIENT_ID": "id", "OIDC_CLIENT_SECRET": "secret",
    })
    assert deploy_findings(sso_only) == []
    plain = create_app({**PRODUCTION, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u:p@127.0.0.1/none", "PASSWORD_LOGIN": False, "OIDC_ISSUER": "http://idp.example"})
    found = [f.what for f in deploy_findings(plain)]
    assert "The OpenID Connect issuer is not https." in found
    assert "OpenID Connect is set up without a client id or secret." in found
    nobody = create_app({**PRODUCTION, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u:p@127.0.0.1/none", "PASSWORD_LOGIN": False})
    assert any("nobody can log in" in f.what for f in deploy_findings(nobody))
