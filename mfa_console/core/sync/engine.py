"""SyncEngine: one run of the pipeline read -> plan -> guard -> apply in batches -> history.

Safety rules, in the order they act:
- Adds and updates are written batch by batch while the directory is read; each batch is one
  transaction, so an interrupted run leaves whole batches and the next run converges.
- Nothing is disabled or removed until every item was read completely. A failed bind, an
  unreachable server, a search error or a partial result fails the run before that point.
- When more users would be disabled or removed than the approval threshold, none of them is:
  they wait in ``sync_pending`` for ``approve`` while the rest of the run applies.
- Only one process syncs at a time (the ``sync`` lease, renewed between batches).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, update

from mfa_console.core import audit
from mfa_console.core.company import CompanySettings
from mfa_console.core.db import Database
from mfa_console.core.db.base import utcnow
from mfa_console.core.db.lease import Lease
from mfa_console.core.email_queue import AdminNotice, EmailQueue, no_email, no_notice
from mfa_console.core.errors import CancelledError, ConsoleError
from mfa_console.core.progress import NullProgress, Progress, check_cancel
from mfa_console.core.settings import SettingsStore
from mfa_console.core.sync import state, store
from mfa_console.core.sync.items import SyncItem, list_items
from mfa_console.core.sync.models import SyncRunRow
from mfa_console.core.sync.plan import (
    Desired,
    Existing,
    desired,
    item_fingerprint,
    language_columns,
    missing_policy,
    source_digest,
)
from mfa_console.core.sync.results import Counts, RunResult
from mfa_console.core.sync.settings import SyncSettings
from mfa_console.core.sync.source import DirectorySource
from mfa_console.core.sync.writer import Destructive, RunWriter
from mfa_console.core.text import printable
from mfa_console.core.wording import plural

if TYPE_CHECKING:
    from mfa_console.core.directory.records import DirectoryUser

# open_source(parallel): parallel asks for a reader in a child process (full passes).
SourceOpener = Callable[[bool], AbstractContextManager[DirectorySource]]
LEASE_TTL = timedelta(minutes=5)
FULL_PASS_EVERY = timedelta(hours=24)
BATCH_SIZE = 1000
RUNS_KEPT = 500  # runs (and their per-user changes) kept in the history


@contextmanager
def _naming(number: int, item: SyncItem) -> Iterator[None]:
    """Name the item in a directory error met while reading it (the run's message says which)."""
    from mfa_console.core.directory.errors import DirectoryError

    try:
        yield
    except DirectoryError as exc:
        raise type(exc)(
            f"Sync item {number} ({item.title}): {exc.message}",
            hint=exc.hint or "Edit or remove this item (Directory Integration > Synchronization).",
        ) from None


class SyncEngine:
    def __init__(
        self,
        db: Database,
        settings: SettingsStore,
        open_source: SourceOpener,
        *,
        email: EmailQueue | None = None,
        notify: AdminNotice | None = None,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._db, self._settings, self._open_source = db, settings, open_source
        self._email: EmailQueue = email or no_email
        self.notify: AdminNotice = notify or no_notice
        self.batch_size = batch_size
        self.parallel_read = True
        # After each written batch: how long to pause, given how long the batch took. The
        # service pauses while its RADIUS server answers logins (``core.radius.process``).
        self.pause_after_batch: Callable[[float], float] = lambda _seconds: 0.0

    def run(
        self,
        trigger: str = "manual",
        *,
        full: bool = False,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> RunResult:
        """Run once; raises LeaseHeldError if another process syncs, else returns the outcome."""
        progress = progress or NullProgress()
        if dry_run:
            return _Run(self, trigger, full, True, progress, None).execute()
        with Lease(self._db, "sync", LEASE_TTL) as lease:
            return _Run(self, trigger, full, False, progress, lease).execute()


class _Run:
    def __init__(
        self,
        engine: SyncEngine,
        trigger: str,
        full: bool,
        dry_run: bool,
        progress: Progress,
        lease: Lease | None,
    ) -> None:
        self.engine, self.db, self.progress, self.lease = engine, engine._db, progress, lease
        self.settings = engine._settings.load(SyncSettings)
        self.company = engine._settings.load(CompanySettings)
        self.trigger, self.dry_run = trigger, dry_run
        self.started_at = utcnow()
        self.full = full or self.settings.always_full or not self._recent_full()
        self.kind = "full" if self.full else "incremental"
        self.counts = Counts()
        self.seen: set[str] = set()
        self.destructive: list[Destructive] = []
        self.renewed = self.batch_began = time.monotonic()
        self.fingerprints: dict[int | None, str] = {}
        self.stored: dict[int, tuple[int, str]] = {}  # the current buffer's stale users

    def _recent_full(self) -> bool:
        last = state.get(self.db, state.LAST_FULL)
        return bool(last) and utcnow() - datetime.fromisoformat(last) < FULL_PASS_EVERY

    # The pipeline -------------------------------------------------------------------------
    def execute(self) -> RunResult:
        run_id = None if self.dry_run else self._start()
        writer = RunWriter(
            self.db,
            self.company,
            self.engine._email,
            self.counts,
            run_id=run_id,
            dry_run=self.dry_run,
        )
        status, message = "succeeded", ""
        try:
            self._pipeline(writer)
        except CancelledError:
            status, message = (
                "cancelled",
                "Cancelled; users already written stay, nothing was disabled or removed.",
            )
        except ConsoleError as exc:
            status, message = "failed", f"{exc} Nobody was disabled or removed."
        result = RunResult(
            run_id,
            self.trigger,
            self.kind,
            self.dry_run,
            status,
            self.counts,
            self.started_at,
            utcnow(),
            message,
            writer.dry_changes,
        )
        if run_id is not None:
            self._finish(result)
        return result

    def _pipeline(self, writer: RunWriter) -> None:
        items = self._items()
        with self.engine._open_source(self.full and self.engine.parallel_read) as source:
            since = "" if self.full else self._changes_filter(source)
            # The source may start on the marker and the first item now (a reader process does),
            # while the stored users load: a full pass holds every stored directory user (digests
            # only) to find who vanished; an incremental run looks up only those read.
            source.prepare(items[0], since)
            existing = self._existing(None) if self.full else None
            marker = source.change_marker()
            for number, item in enumerate(items, start=1):
                with _naming(number, item):
                    self._read_item(source, item, since, existing, writer)
            self._flush(writer)
            if existing is not None:
                self._plan_missing(source, items, existing)
        self._guard_and_apply(writer)
        if not self.dry_run:
            state.set_many(self.db, self._new_state(source.kind, marker))

    def _items(self) -> list[SyncItem]:
        with self.db.read() as session:
            items = list_items(session)
        if not items:
            raise ConsoleError(
                "There is nothing to synchronize: the list of sync items is empty.",
                hint="Add a container or a group (Directory Integration > Synchronization > Add).",
            )
        return items

    def _changes_filter(self, source: DirectorySource) -> str:
        marker = state.get(self.db, state.MARKER)
        kind, _, value = marker.partition(":")
        if kind != source.kind or not value:
            self.full, self.kind = True, "full"
            return ""
        return source.changed_since(value)

    def _new_state(self, kind: str, marker: str) -> dict[str, str]:
        values = {state.MARKER: f"{kind}:{marker}"}
        if self.full:
            values[state.LAST_FULL] = self.started_at.isoformat()
        return values

    def _read_item(
        self,
        source: DirectorySource,
        item: SyncItem,
        since: str,
        existing: dict[str, Existing] | None,
        writer: RunWriter,
    ) -> None:
        users: Iterator[DirectoryUser] = source.read(item, self.progress, extra_filter=since)
        buffer: list[DirectoryUser] = []
        for user in users:
            if not user.directory_id:
                self.counts.errors += 1
                writer.change("error", user.username, "", f"{user.dn} has no unique id; skipped")
                continue
            if user.directory_id in self.seen:
                continue
            self.seen.add(user.directory_id)
            buffer.append(user)
            if len(buffer) >= self.engine.batch_size:
                self._plan_buffer(buffer, item, existing, writer)
                buffer = []
        self._plan_buffer(buffer, item, existing, writer)

    def _plan_buffer(
        self,
        buffer: list[DirectoryUser],
        item: SyncItem,
        existing: dict[str, Existing] | None,
        writer: RunWriter,
    ) -> None:
        found = existing if existing is not None else self._existing(buffer)
        fingerprint = self._fingerprint(item)
        planned = [(u, found.get(u.directory_id), source_digest(u, fingerprint)) for u in buffer]
        stale = [
            ex.user_id
            for _, ex, source in planned
            if ex is not None and not ex.unchanged_since_written(item.id, source)
        ]
        if stale:
            with self.db.read() as session:
                self.stored = store.row_digests(session, stale)
        for user, ex, source in planned:
            self._plan_user(user, item, ex, source, writer)
        if writer.pending() >= self.engine.batch_size:
            self._flush(writer)
        else:
            self._keep_lease()

    def _existing(self, users: list[DirectoryUser] | None) -> dict[str, Existing]:
        ids = None if users is None else [u.directory_id for u in users]
        if ids == []:
            return {}
        with self.db.read() as session:
            return store.load_existing(session, ids)

    def _flush(self, writer: RunWriter) -> None:
        check_cancel(self.progress)
        writer.flush()
        self._pause()
        self._keep_lease(force=True)
        verb = "Compared" if self.dry_run else "Synchronized"
        self.progress.report(len(self.seen), None, f"{verb} {plural(len(self.seen), 'user')}")

    def _pause(self) -> None:
        """Leave the CPUs and the write lock to others for a while, if the engine is asked to."""
        pause = min(self.engine.pause_after_batch(time.monotonic() - self.batch_began), 1.0)
        if pause > 0:
            time.sleep(pause)
        self.batch_began = time.monotonic()

    def _keep_lease(self, force: bool = False) -> None:
        """Renew the lease after each batch, or every third of its lifetime while only reading."""
        now = time.monotonic()
        if self.lease is not None and (force or now - self.renewed > LEASE_TTL.seconds / 3):
            self.lease.renew()
            self.renewed = now

    def _plan_user(
        self,
        user: DirectoryUser,
        item: SyncItem,
        ex: Existing | None,
        source: int,
        writer: RunWriter,
    ) -> None:
        if ex is not None and ex.unchanged_since_written(item.id, source):
            self.counts.unchanged += 1
            return
        want = desired(user, item, self.company)
        name, did = want.values["username"], user.directory_id
        if not name:
            self.counts.errors += 1
            writer.change("error", "", did, f"{user.dn} has no username attribute; skipped")
            return
        if want.refused:
            self.counts.errors += 1
            writer.change("error", printable(name), did, f"skipped: {printable(want.refused)}")
            return
        for problem in want.problems:
            self.counts.errors += 1
            writer.change("error", name, did, problem)
        if ex is None:
            if item.add_new:
                writer.add_new(user, item, want, source)
            return
        row = self._updates_for(want, item, ex)
        disabled_by_sync, held = ex.disabled_by_sync, False
        if user.disabled and ex.enabled:
            reason = "disabled in the directory"
            self.destructive.append(Destructive(ex.user_id, "disable", name, did, reason))
            held = True  # re-planned next time unless applied: keep the fast path off
        elif not user.disabled and not ex.enabled and ex.disabled_by_sync:
            row["enabled"], disabled_by_sync = True, False
        if row:
            writer.update({"b_id": ex.user_id, "b_version": ex.version, **row}, did, item)
        else:
            self.counts.unchanged += 1
        version = ex.version + 1 if row else ex.version
        writer.member(ex.user_id, item.id, disabled_by_sync, 0 if held else source, version)

    def _updates_for(self, want: Desired, item: SyncItem, ex: Existing) -> dict[str, object]:
        row: dict[str, object] = {}
        stored_digest, stored_languages = self.stored.get(ex.user_id, (0, ""))
        if item.update_existing and stored_languages:
            if want.digest() != stored_digest:
                row.update(want.values)
            languages = want.languages_for(stored_languages)
            if languages != stored_languages:
                row.update(language_columns(languages))
        return row

    def _fingerprint(self, item: SyncItem) -> str:
        found = self.fingerprints.get(item.id)
        if found is None:
            found = self.fingerprints[item.id] = item_fingerprint(item, self.company)
        return found

    def _plan_missing(
        self, source: DirectorySource, items: list[SyncItem], existing: dict[str, Existing]
    ) -> None:
        """Plan what happens to the stored users no item returned (after a complete read).

        Only a user the directory no longer has (not found by its immutable id, whatever the
        filters) is "deleted" and may be removed. A user still in the directory merely fell out
        of scope: at most disabled, so a return into scope brings back its own settings.
        """
        missing = [d for d, ex in existing.items() if ex.managed and d not in self.seen]
        if not missing:
            return
        where = source.locate(missing, self.progress)
        by_id = {item.id: item for item in items}
        with self.db.read() as session:
            names = store.usernames(session, [existing[d].user_id for d in missing])
        for did in missing:
            ex = existing[did]
            item = by_id.get(ex.item_id)
            policy, reason = missing_policy(
                item.on_removed if item else "disable",
                where.get(did),
                remove_missing=self.settings.remove_missing,
            )
            if policy == "none" or (policy == "disable" and not ex.enabled):
                continue
            name = names.get(ex.user_id, "")
            self.destructive.append(Destructive(ex.user_id, policy, name, did, reason))

    def _guard_and_apply(self, writer: RunWriter) -> None:
        actions = self.destructive
        if len(actions) > self.settings.approval_threshold:
            if writer.hold_for_approval(actions, replace_all=self.full):
                writer.notify_approval(
                    self.engine.notify, self.settings.approval_threshold, actions
                )
            return
        if self.full:
            writer.clear_pending()
        renew = self.lease.renew if self.lease is not None else (lambda: None)
        writer.apply_destructive(actions, renew, self.engine.batch_size)

    # History ------------------------------------------------------------------------------
    def _start(self) -> int:
        with self.db.write() as session:
            session.execute(
                update(SyncRunRow)
                .where(SyncRunRow.status == "running")
                .values(status="interrupted", message="The process ended during the run.")
            )
            row = SyncRunRow(
                started_at=self.started_at,
                trigger=self.trigger,
                kind=self.kind,
                status="running",
                holder=self.lease.holder if self.lease else "",
                message="",
                **Counts().as_dict(),
            )
            session.add(row)
            session.flush()
            return row.id

    def _finish(self, result: RunResult) -> None:
        with self.db.write() as session:
            row = session.get(SyncRunRow, result.run_id)
            if row is None:
                return
            row.kind, row.status, row.message = result.kind, result.status, result.message
            row.ended_at = result.ended_at
            for name, value in result.counts.as_dict().items():
                setattr(row, name, value)
            audit.record(
                session,
                "sync.run",
                f"run #{row.id}",
                None,
                {"status": row.status, "kind": row.kind, **result.counts.as_dict()},
            )
            # History keeps the newest runs; their changes go with them (ON DELETE CASCADE).
            session.execute(delete(SyncRunRow).where(SyncRunRow.id <= row.id - RUNS_KEPT))
