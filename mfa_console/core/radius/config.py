"""RADIUS clients and upstream targets: validated, audited, their secrets in the secret store."""

from __future__ import annotations

import ipaddress
from dataclasses import asdict, dataclass

from sqlalchemy import func, select

from mfa_console.core import audit
from mfa_console.core.db import Database
from mfa_console.core.errors import AlreadyExistsError, NotFoundError, ValidationError
from mfa_console.core.radius.models import RadiusClientRow, RadiusTargetRow
from mfa_console.core.secrets import SecretStore

MIN_SECRET = 8
MAX_SECRET = 128


@dataclass(frozen=True)
class RadiusClient:
    address: str  # one address ("10.0.0.5") or a subnet ("10.0.0.0/24")
    name: str = ""
    # As the original's Add RADIUS Client dialog: both unticked unless asked for.
    require_user_match: bool = False
    fallback_oath: bool = False
    append_code: bool = False
    message_authenticator: bool = True


@dataclass(frozen=True)
class RadiusTarget:
    host: str
    auth_port: int = 1812
    acct_port: int = 1813
    timeout: int = 5

    @property
    def key(self) -> str:
        return f"{self.host}:{self.auth_port}"


def client_secret_name(address: str) -> str:
    return f"radius.client-secret:{address}"


def target_secret_name(target: RadiusTarget) -> str:
    return f"radius.target-secret:{target.key}"


def canonical_address(text: str) -> str:
    """``10.0.0.5`` stays an address, ``10.0.0.7/24`` becomes ``10.0.0.0/24``; else an error."""
    text = text.strip()
    try:
        if "/" not in text:
            return str(ipaddress.ip_address(text))
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValidationError(
            {"address": f"{text!r} is not an IP address or a subnet (10.0.0.5, 10.0.0.0/24)"}
        ) from None
    if network.num_addresses == 1:
        return str(network.network_address)
    return str(network)


def check_secret(secret: str, field: str = "secret") -> None:
    if not MIN_SECRET <= len(secret) <= MAX_SECRET:
        raise ValidationError(
            {field: f"a shared secret has {MIN_SECRET} to {MAX_SECRET} characters"}
        )
    if secret != secret.strip():
        raise ValidationError({field: "a shared secret must not start or end with spaces"})


class RadiusConfig:
    """The client list and the ordered target list of one data file."""

    def __init__(self, db: Database, secrets: SecretStore) -> None:
        self._db = db
        self._secrets = secrets

    # -- clients
    def clients(self) -> list[RadiusClient]:
        with self._db.read() as session:
            rows = session.scalars(select(RadiusClientRow).order_by(RadiusClientRow.id)).all()
            return [_client(row) for row in rows]

    def save_client(
        self, client: RadiusClient, secret: str | None, *, replace: str | None = None
    ) -> RadiusClient:
        """Add ``client`` (``replace=None``) or change the one at address ``replace``.

        ``secret=None`` keeps the stored secret (an edit that does not change it)."""
        address = canonical_address(client.address)
        client = RadiusClient(**{**asdict(client), "address": address, "name": client.name.strip()})
        if secret is not None:
            check_secret(secret)
        elif replace is None:
            raise ValidationError({"secret": "enter the shared secret the client uses"})
        old_secret = None
        if replace is not None and replace != address and secret is None:
            old_secret = self._secrets.get(client_secret_name(replace))
        with self._db.write() as session:
            if replace != address:
                exists = session.scalar(
                    select(RadiusClientRow).where(RadiusClientRow.address == address)
                )
                if exists is not None:
                    raise AlreadyExistsError(
                        f"A RADIUS client with address {address} exists already.",
                        hint="Edit that client, or choose another address.",
                    )
            row = None
            before = None
            if replace is not None:
                row = session.scalar(
                    select(RadiusClientRow).where(RadiusClientRow.address == replace)
                )
                if row is None:
                    raise NotFoundError(f"There is no RADIUS client with address {replace}.")
                before = asdict(_client(row))
            if row is None:
                row = RadiusClientRow(address=address)
                session.add(row)
            for name, value in asdict(client).items():
                setattr(row, name, value)
            after = asdict(client)
            if secret is not None:
                after["secret"] = "(set)"
            action = "radius.client.add" if replace is None else "radius.client.edit"
            audit.record(session, action, address, before, after)
        # The secret store writes its own transaction (the data file's, when secrets are sealed
        # in it): after this one, never inside it.
        new_secret = secret if secret is not None else old_secret
        if new_secret is not None:
            self._secrets.set(client_secret_name(address), new_secret)
        if replace is not None and replace != address:
            self._secrets.delete(client_secret_name(replace))
        return client

    def remove_client(self, address: str) -> None:
        address = canonical_address(address)
        with self._db.write() as session:
            row = session.scalar(select(RadiusClientRow).where(RadiusClientRow.address == address))
            if row is None:
                raise NotFoundError(
                    f"There is no RADIUS client with address {address}.",
                    hint="`radius client list` shows the clients.",
                )
            audit.record(session, "radius.client.remove", address, asdict(_client(row)), None)
            session.delete(row)
        self._secrets.delete(client_secret_name(address))

    def client_secret(self, address: str) -> str | None:
        return self._secrets.get(client_secret_name(address))

    # -- targets
    def targets(self) -> list[RadiusTarget]:
        with self._db.read() as session:
            rows = session.scalars(select(RadiusTargetRow).order_by(RadiusTargetRow.position))
            return [_target(row) for row in rows]

    def add_target(self, target: RadiusTarget, secret: str) -> RadiusTarget:
        target = _valid_target(target)
        check_secret(secret)
        with self._db.write() as session:
            if any(_target(r).key == target.key for r in session.scalars(select(RadiusTargetRow))):
                raise AlreadyExistsError(
                    f"The RADIUS server {target.key} is in the list already.",
                    hint="Remove it first to change it.",
                )
            position = (session.scalar(select(func.max(RadiusTargetRow.position))) or 0) + 1
            session.add(RadiusTargetRow(position=position, **asdict(target)))
            audit.record(session, "radius.target.add", target.key, None, asdict(target))
        self._secrets.set(target_secret_name(target), secret)
        return target

    def edit_target(self, old_key: str, target: RadiusTarget, secret: str | None) -> RadiusTarget:
        target = _valid_target(target)
        if secret is not None:
            check_secret(secret)
        old = self._find_target(old_key)
        keep = self._secrets.get(target_secret_name(old)) if secret is None else secret
        with self._db.write() as session:
            rows = list(session.scalars(select(RadiusTargetRow)))
            if target.key != old.key and any(_target(r).key == target.key for r in rows):
                raise AlreadyExistsError(f"The RADIUS server {target.key} is in the list already.")
            row = next(r for r in rows if _target(r).key == old.key)
            for name, value in asdict(target).items():
                setattr(row, name, value)
            audit.record(session, "radius.target.edit", target.key, asdict(old), asdict(target))
        if keep is not None:
            self._secrets.set(target_secret_name(target), keep)
        if target.key != old.key:
            self._secrets.delete(target_secret_name(old))
        return target

    def remove_target(self, key: str) -> None:
        target = self._find_target(key)
        with self._db.write() as session:
            for row in session.scalars(select(RadiusTargetRow)):
                if _target(row).key == target.key:
                    session.delete(row)
            audit.record(session, "radius.target.remove", target.key, asdict(target), None)
        self._secrets.delete(target_secret_name(target))

    def move_target(self, key: str, offset: int) -> None:
        """Move a target up (-1) or down (+1) in the order they are tried."""
        target = self._find_target(key)
        with self._db.write() as session:
            rows = list(session.scalars(select(RadiusTargetRow).order_by(RadiusTargetRow.position)))
            index = next(i for i, r in enumerate(rows) if _target(r).key == target.key)
            other = index + offset
            if not 0 <= other < len(rows):
                return
            rows[index], rows[other] = rows[other], rows[index]
            for position, row in enumerate(rows, start=1):
                row.position = position
            audit.record(session, "radius.target.move", target.key, None, {"position": other + 1})

    def target_secret(self, target: RadiusTarget) -> str | None:
        return self._secrets.get(target_secret_name(target))

    def _find_target(self, key: str) -> RadiusTarget:
        """By ``host:port``, or by host alone when only one target has that host."""
        targets = self.targets()
        found = [t for t in targets if t.key == key] or [t for t in targets if t.host == key]
        if len(found) != 1:
            raise NotFoundError(
                f"There is no single RADIUS server {key!r} in the target list.",
                hint="`radius target list` shows them; name one as HOST:PORT.",
            )
        return found[0]


def _client(row: RadiusClientRow) -> RadiusClient:
    return RadiusClient(
        address=row.address,
        name=row.name,
        require_user_match=row.require_user_match,
        fallback_oath=row.fallback_oath,
        append_code=row.append_code,
        message_authenticator=row.message_authenticator,
    )


def _target(row: RadiusTargetRow) -> RadiusTarget:
    return RadiusTarget(row.host, row.auth_port, row.acct_port, row.timeout)


def _valid_target(target: RadiusTarget) -> RadiusTarget:
    problems: dict[str, str] = {}
    host = target.host.strip()
    if not host or " " in host or "/" in host:
        problems["host"] = "enter the server's name or IP address"
    for name in ("auth_port", "acct_port"):
        if not 1 <= getattr(target, name) <= 65535:
            problems[name] = "a port is a number from 1 to 65535"
    if not 1 <= target.timeout <= 60:
        problems["timeout"] = "between 1 and 60 seconds"
    if problems:
        raise ValidationError(problems)
    return RadiusTarget(host, target.auth_port, target.acct_port, target.timeout)
