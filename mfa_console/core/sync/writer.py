"""Turns planned changes into batch writes: new users, updates, members, changes, email, removals.

``RunWriter`` collects a batch and writes it in one transaction (or, for a dry run, only records
what it would write). It never disables or removes anyone on its own: the engine hands it the
guarded list of destructive actions at the end of a complete read.
"""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from mfa_console.core import audit
from mfa_console.core.company import CompanySettings
from mfa_console.core.db import Database
from mfa_console.core.db.base import utcnow
from mfa_console.core.db.models import UserRow
from mfa_console.core.email_queue import AdminNotice, EmailQueue
from mfa_console.core.sync import store
from mfa_console.core.sync.items import SyncItem
from mfa_console.core.sync.models import SyncPendingRow
from mfa_console.core.sync.plan import (
    Desired,
    changed_fields,
    enabled_for_new,
    new_user_defaults,
)
from mfa_console.core.sync.results import Change, Counts

if TYPE_CHECKING:
    from mfa_console.core.directory.records import DirectoryUser

DRY_RUN_CHANGES_CAP = 10_000


@dataclass(frozen=True)
class Destructive:
    user_id: int
    action: str  # "disable" | "remove"
    username: str
    directory_id: str
    reason: str


def approval_summary(actions: list[Destructive]) -> str:
    """ "Remove 2 users: deleted from the directory. Disable 3 users: out of scope: ..." """
    groups = Counter((a.action, a.reason.split(";")[0]) for a in actions)
    return " ".join(
        f"{action.capitalize()} {count} user{'' if count == 1 else 's'}: {reason}."
        for (action, reason), count in sorted(groups.items(), key=lambda g: (-g[1], g[0]))
    )


@dataclass
class _New:
    user: DirectoryUser
    item: SyncItem
    want: Desired
    source: int


class RunWriter:
    def __init__(
        self,
        db: Database,
        company: CompanySettings,
        email: EmailQueue,
        counts: Counts,
        *,
        run_id: int | None,
        dry_run: bool,
    ) -> None:
        self._db, self._company, self._email = db, company, email
        self.counts, self.run_id, self.dry_run = counts, run_id, dry_run
        self.dry_changes: list[Change] = []
        self._actor = audit.current_actor()
        self._reset()

    def _reset(self) -> None:
        self._written = (self.counts.added, self.counts.updated)  # what the data file has
        self._new: list[_New] = []
        self._updates: list[tuple[dict[str, Any], str, str, str]] = []  # row, did, name, email
        self._members: list[dict[str, Any]] = []
        self._changes: list[Change] = []

    def pending(self) -> int:
        return len(self._new) + len(self._updates) + len(self._members)

    # Collecting ---------------------------------------------------------------------------
    def change(self, action: str, username: str, directory_id: str, detail: str = "") -> None:
        self._changes.append(Change(action, username, directory_id, detail))

    def add_new(self, user: DirectoryUser, item: SyncItem, want: Desired, source: int) -> None:
        self._new.append(_New(user, item, want, source))

    def update(self, row: dict[str, Any], directory_id: str, item: SyncItem) -> None:
        """``row`` holds b_id, b_version and the new column values."""
        email = item.email_policy == "new-and-updated" and bool(row.get("email"))
        self._updates.append(
            (row, directory_id, str(row.get("username", "")), "u" if email else "")
        )
        self.counts.updated += 1

    def member(
        self,
        user_id: int,
        item_id: int | None,
        disabled_by_sync: bool,
        source_digest: int = 0,
        written_version: int = 0,
    ) -> None:
        self._members.append(
            {
                "user_id": user_id,
                "item_id": item_id,
                "disabled_by_sync": disabled_by_sync,
                "source_digest": source_digest,
                "written_version": written_version,
            }
        )

    # Writing ------------------------------------------------------------------------------
    def flush(self) -> None:
        if self.dry_run:
            self._flush_dry()
        else:
            try:
                with self._db.write() as session:
                    new_ids = self._flush_new(session)
                    self._flush_updates(session)
                    store.replace_members(session, self._members, new_ids)
                    self._write_changes(session, self._changes)
            except BaseException:
                # Rolled back (a full disk, say): the counts say what was really written.
                self.counts.added, self.counts.updated = self._written
                raise
        self._reset()

    def _flush_dry(self) -> None:
        for new in self._new:
            self.counts.added += 1
            self._changes.append(Change("add", new.want.values["username"], new.user.directory_id))
        for _row, did, name, _ in self._updates:
            self._changes.append(Change("update", name, did))
        room = DRY_RUN_CHANGES_CAP - len(self.dry_changes)
        self.dry_changes.extend(self._changes[: max(room, 0)])

    def _flush_new(self, session: Session) -> set[int]:
        """Insert the new users; returns their ids."""
        if not self._new:
            return set()
        keys = [n.want.values["username"].lower() for n in self._new]
        taken = store.users_by_username(session, keys)
        rows: list[dict[str, Any]] = []
        emails: dict[str, str] = {}
        for new, key in zip(self._new, keys, strict=True):
            did, name = new.user.directory_id, new.want.values["username"]
            if key in taken:
                self._adopt_or_refuse(session, new, taken[key])
                continue
            taken[key] = (0, did)
            rows.append(self._new_row(new, key))
            if new.item.email_policy in ("new", "new-and-updated") and new.want.values["email"]:
                emails[did] = "new"
            self._changes.append(Change("add", name, did))
        ids = store.insert_users(session, rows)
        self.counts.added += len(ids)
        for row in rows:
            user_id = ids[row["directory_id"]]
            self.member(
                user_id, row.pop("_item_id"), row.pop("_disabled_by_sync"), row.pop("_source"), 1
            )
        for did, reason in emails.items():
            self._email(session, ids[did], "new" if reason == "new" else "updated")
        return set(ids.values())

    def _new_row(self, new: _New, key: str) -> dict[str, Any]:
        method, mode, languages = new_user_defaults(new.item, self._company)
        for method_name, language in new.want.languages.items():
            languages[f"language_{method_name.replace('-', '_')}"] = language
        now = utcnow()
        values = new.want.values
        return {
            **values,
            "username_key": key,
            "method": method,
            "mode": mode,
            **languages,
            "enabled": enabled_for_new(new.user, new.item, values["phone"] is not None),
            "pin_hash": None,
            "pin_change_required": False,
            "pin_history": "[]",
            "source": "directory",
            "directory_id": new.user.directory_id,
            "created_at": now,
            "updated_at": now,
            "updated_by": self._actor,
            "version": 1,
            "_item_id": new.item.id,
            "_disabled_by_sync": bool(new.user.disabled),
            "_source": new.source,
        }

    def _adopt_or_refuse(self, session: Session, new: _New, owner: tuple[int, str | None]) -> None:
        user_id, directory_id = owner
        name, did = new.want.values["username"], new.user.directory_id
        if directory_id is not None or user_id == 0:
            self.counts.errors += 1
            self._changes.append(
                Change("error", name, did, f"the username {name!r} belongs to another user")
            )
            return
        version = session.scalar(select(UserRow.version).where(UserRow.id == user_id)) or 1
        row = {"b_id": user_id, "b_version": version, **self._stamp(), **new.want.values}
        row.update({"directory_id": did, "source": "directory"})
        store.update_users(session, [row])
        self._members.append(
            {"user_id": user_id, "item_id": new.item.id, "disabled_by_sync": False}
        )
        self.counts.updated += 1
        self._changes.append(Change("update", name, did, "linked to its directory account"))

    def _flush_updates(self, session: Session) -> None:
        if not self._updates:
            return
        ids = [row["b_id"] for row, *_ in self._updates]
        before = store.current_values(session, ids)
        renamed = [r["username"].lower() for r, *_ in self._updates if "username" in r]
        taken = store.users_by_username(session, renamed)
        rows: list[dict[str, Any]] = []
        for row, did, name, email in self._updates:
            owner = taken.get(name.lower()) if "username" in row else None
            if owner is not None and owner[0] != row["b_id"]:
                self.counts.updated -= 1
                self.counts.errors += 1
                self._changes.append(
                    Change("error", name, did, f"the username {name!r} belongs to another user")
                )
                continue
            if "username" in row:
                row["username_key"] = name.lower()
            rows.append({**row, **self._stamp()})
            fields = changed_fields(before.get(row["b_id"], {}), row)
            detail = ", ".join(f for f in fields if not f.startswith(("b_", "username_key")))
            self._changes.append(Change("update", name, did, detail))
            if email:
                self._email(session, row["b_id"], "updated")
        store.update_users(session, rows)

    def _stamp(self) -> dict[str, Any]:
        return {"updated_at": utcnow(), "updated_by": self._actor}

    def _write_changes(self, session: Session, changes: list[Change]) -> None:
        store.add_changes(
            session,
            [
                {
                    "run_id": self.run_id,
                    "action": c.action,
                    "username": c.username,
                    "directory_id": c.directory_id,
                    "detail": c.detail,
                }
                for c in changes
            ],
        )

    # Destructive actions, after the guard -------------------------------------------------
    def apply_destructive(
        self, actions: list[Destructive], renew: Callable[[], None], batch_size: int
    ) -> None:
        for start in range(0, len(actions), batch_size):
            chunk = actions[start : start + batch_size]
            changes = [Change(a.action, a.username, a.directory_id, a.reason) for a in chunk]
            disable = [a.user_id for a in chunk if a.action == "disable"]
            remove = [a.user_id for a in chunk if a.action == "remove"]
            if self.dry_run:
                self.counts.disabled += len(disable)
                self.counts.removed += len(remove)
                self.dry_changes.extend(
                    changes[: max(DRY_RUN_CHANGES_CAP - len(self.dry_changes), 0)]
                )
                continue
            with self._db.write() as session:
                self.counts.disabled += store.disable_users(session, disable, self._stamp())
                self.counts.removed += store.remove_users(session, remove)
                session.execute(delete(SyncPendingRow).where(SyncPendingRow.user_id.in_(remove)))
                self._write_changes(session, changes)
            renew()

    def hold_for_approval(self, actions: list[Destructive], replace_all: bool) -> bool:
        """Keep ``actions`` for approval; True when they differ from what was already held."""
        self.counts.pending_approval = len(actions)
        changes = [
            Change("pending", a.username, a.directory_id, f"{a.action}: {a.reason}")
            for a in actions
        ]
        if self.dry_run:
            self.dry_changes.extend(changes[: max(DRY_RUN_CHANGES_CAP - len(self.dry_changes), 0)])
            return False
        with self._db.write() as session:
            ids = [a.user_id for a in actions]
            held = set(session.scalars(select(SyncPendingRow.user_id)))
            query = delete(SyncPendingRow)
            if not replace_all:
                query = query.where(SyncPendingRow.user_id.in_(ids))
            session.execute(query)
            session.execute(
                insert(SyncPendingRow),
                [
                    {
                        "run_id": self.run_id,
                        "user_id": a.user_id,
                        "action": a.action,
                        "reason": a.reason,
                        "created_at": utcnow(),
                    }
                    for a in actions
                ],
            )
            self._write_changes(session, changes)
        return not set(ids) <= held

    def notify_approval(
        self, notify: AdminNotice, threshold: int, actions: list[Destructive]
    ) -> None:
        """Tell the administrators (Email settings) that changes wait for their approval."""
        with self._db.write() as session:
            notify(session, "sync-approval", {
                "change_count": str(self.counts.pending_approval),
                "threshold": str(threshold),
                "sync_item": "all synchronization items",
                "requested_at": f"{utcnow():%Y-%m-%d %H:%M} UTC",
                "server": socket.gethostname(),
                "details": approval_summary(actions),
            })  # fmt: skip

    def clear_pending(self) -> None:
        if not self.dry_run:
            with self._db.write() as session:
                session.execute(delete(SyncPendingRow))
