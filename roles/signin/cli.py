"""`flask --app app sign-in …`: the administrator's sign-in rules from the command line."""

from __future__ import annotations

import click

from extensions import db
from roles.signin import oidc, rules
from roles.signin.routes import bp


def _user(username: str):
    user = rules.user_by_username(username)
    if user is None:
        raise click.ClickException(f"No staff account with the username {username!r}.")
    return user


@bp.cli.command("policy")
@click.option("--require-second-factor/--no-require-second-factor", default=None, help="Every password login needs a second factor.")
@click.option(
    "--create-accounts/--no-create-accounts",
    default=None,
    help="Signing in through the provider creates unknown people's accounts (without any course role).",
)
def policy_command(require_second_factor: bool | None, create_accounts: bool | None) -> None:
    """Show the sign-in policy; change it with the options."""
    if require_second_factor is not None or create_accounts is not None:
        rules.set_policy(require_second_factor=require_second_factor, sso_creates_accounts=create_accounts)
    current = rules.policy()
    click.echo(f"second factor required for everyone: {'yes' if current.require_second_factor else 'no'}")
    click.echo(f"sign-in creates unknown accounts: {'yes' if current.sso_creates_accounts else 'no'}")


@bp.cli.command("reset-second-factor")
@click.argument("username")
def reset_command(username: str) -> None:
    """Remove a person's lost second factor, recovery codes and remembered devices."""
    user = _user(username)
    rules.reset_second_factor(user)
    click.echo(f"The second factor of {user.username} is removed.")


@bp.cli.command("forget-sso")
@click.argument("username")
def forget_sso_command(username: str) -> None:
    """Unbind the provider's subject from an account (the person got a new account at the provider)."""
    user = _user(username)
    found = oidc.forget_identity(user)
    db.session.commit()
    click.echo(f"{user.username} is {'no longer' if found else 'not'} bound to a person at the provider.")
