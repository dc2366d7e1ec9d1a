"""Read the directory in a child process, so decoding LDAP and writing the data file overlap.

ldap3 decodes BER in pure Python and the GIL keeps a thread from helping, so on a full pass the
directory is read by a child process that streams compact batches of users through a pipe while
this process plans and writes. The pipe's buffer bounds how far the child reads ahead (memory
stays flat). ``ChildSource`` is a ``DirectorySource``: the engine does not know the difference.
The child gets the settings and the bind password through the pipe (never argv or a file), and
an error in the child comes back as the same kind of ``DirectoryError`` with its message and hint.
"""

from __future__ import annotations

import importlib
import multiprocessing
import queue
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from mfa_console.core.errors import ConsoleError
from mfa_console.core.priority import lower_process_priority
from mfa_console.core.progress import Progress, check_cancel
from mfa_console.core.sync.source import LiveSource, open_live_source

if TYPE_CHECKING:
    from mfa_console.core.directory.records import DirectoryUser
    from mfa_console.core.directory.settings import DirectorySettings
    from mfa_console.core.sync.items import SyncItem


class Channel(Protocol):
    """One end of a ``multiprocessing.Pipe`` (a ``Connection``, or a ``PipeConnection`` on
    Windows): what this module uses of it."""

    def send(self, obj: Any) -> None: ...
    def recv(self) -> Any: ...
    def poll(self, timeout: float | None = ...) -> bool: ...
    def close(self) -> None: ...


SEND_BATCH = 500
INBOX_MESSAGES = 64  # batches (and progress reports) read ahead: ~30,000 users at most
_FIELDS = (
    "directory_id",
    "dn",
    "username",
    "first_name",
    "last_name",
    "email",
    "user_group",
    "description",
    "phones",
    "extension",
    "languages",
    "disabled",
)


class ItemScope(NamedTuple):
    """What the child needs of a sync item (the item module would import the database layer)."""

    scope: str
    dn: str
    nested: bool


def usable() -> bool:
    """A frozen build can spawn children only if its entry point calls freeze_support()."""
    return not getattr(sys, "frozen", False)


# -- the child ---------------------------------------------------------------------------------
class _ChildProgress:
    def __init__(self, conn: Channel) -> None:
        self._conn = conn

    def report(self, done: int, total: int | None = None, text: str = "") -> None:
        self._conn.send(("progress", done, total, text))

    def cancelled(self) -> bool:
        return False


def child_main(
    requests: Channel, out: Channel, settings: DirectorySettings, password: str | None
) -> None:
    """Serve the requests read from ``requests`` until told to close (in the child process)."""
    lower_process_priority()  # decoding a directory is background work (core.priority)
    try:
        with open_live_source(settings, password) as source:
            out.send(("ready",))
            _serve(requests, out, source)
    except ConsoleError as exc:
        out.send(("error", type(exc).__module__, type(exc).__name__, exc.message, exc.hint))
    except BaseException:
        out.send(("bug", traceback.format_exc()))
    finally:
        out.close()


def _serve(requests: Channel, out: Channel, source: LiveSource) -> None:
    progress = _ChildProgress(out)
    while True:
        request = requests.recv()
        if request[0] == "marker":
            out.send(("marker", source.change_marker()))
        elif request[0] == "locate":
            out.send(("locate", source.locate(request[1], progress)))
        elif request[0] == "read":
            _, item, extra_filter = request
            batch: list[tuple[Any, ...]] = []
            for user in source.read(item, progress, extra_filter=extra_filter):
                batch.append(tuple(getattr(user, name) for name in _FIELDS))
                if len(batch) >= SEND_BATCH:
                    out.send(("users", batch))
                    batch = []
            out.send(("users", batch))
            out.send(("done",))
        else:
            return


# -- the parent --------------------------------------------------------------------------------
class ChildSource:
    """A ``DirectorySource`` whose reads run in a child process.

    A pump thread drains the child's pipe into a bounded queue, so the child keeps reading while
    this process writes a batch (the pipe alone would stall it after one batch).
    """

    def __init__(
        self, requests: Channel, responses: Channel, kind: str, changed_since: Any
    ) -> None:
        self._conn = requests
        self._responses = responses
        self._inbox: queue.Queue[tuple[Any, ...]] = queue.Queue(maxsize=INBOX_MESSAGES)
        self.kind = kind
        self._changed_since = changed_since
        self._sent_marker = False
        self._sent_read: tuple[ItemScope, str] | None = None
        self._stopped = threading.Event()
        self._pump = threading.Thread(target=self._pump_messages, daemon=True)
        self._pump.start()

    def _pump_messages(self) -> None:
        while not self._stopped.is_set():
            try:
                message = self._responses.recv()
            except (EOFError, OSError):
                message = ("eof",)
            while not self._stopped.is_set():
                try:
                    self._inbox.put(message, timeout=0.2)
                    break
                except queue.Full:
                    continue
            if message[0] == "eof":
                return

    def _send(self, message: tuple[Any, ...]) -> None:
        try:
            self._conn.send(message)
        except (OSError, ValueError):
            # The child has ended (a failed bind, say): its last word explains why.
            self._receive(None)
            raise _lost() from None

    def stop_pump(self) -> None:
        self._stopped.set()

    def changed_since(self, marker: str) -> str:
        return str(self._changed_since(marker))

    def prepare(self, first: SyncItem, extra_filter: str) -> None:
        """Ask for the marker and the first item's users now; the child starts at once."""
        self._send(("marker",))
        self._sent_marker = True
        self._send(("read", _scope(first), extra_filter))
        self._sent_read = (_scope(first), extra_filter)

    def change_marker(self) -> str:
        if not self._sent_marker:
            self._send(("marker",))
        self._sent_marker = False
        return str(self._receive(None, "marker")[1])

    def locate(self, directory_ids: Sequence[str], progress: Progress) -> dict[str, str]:
        self._send(("locate", list(directory_ids)))
        return dict(self._receive(progress, "locate")[1])

    def read(
        self, item: SyncItem, progress: Progress, *, extra_filter: str = ""
    ) -> Iterator[DirectoryUser]:
        from mfa_console.core.directory.records import DirectoryUser

        request = (_scope(item), extra_filter)
        if self._sent_read != request:
            self._send(("read", *request))
        self._sent_read = None
        while True:
            message = self._receive(progress, "users", "done")
            if message[0] == "done":
                return
            for values in message[1]:
                yield DirectoryUser(*values)
            check_cancel(progress)

    def _receive(self, progress: Progress | None, *wanted: str) -> tuple[Any, ...]:
        while True:
            message = self._inbox.get()
            kind = message[0]
            if kind == "eof":
                raise _lost()
            if kind in wanted:
                return tuple(message)
            if kind == "ready":
                continue
            if kind == "progress" and progress is not None:
                progress.report(*message[1:])
            elif kind == "error":
                raise rebuild_error(*message[1:])
            elif kind == "bug":
                raise RuntimeError(f"The directory reader process failed:\n{message[1]}")


def _scope(item: SyncItem) -> ItemScope:
    return ItemScope(item.scope, item.dn, item.nested)


def _lost() -> ConsoleError:
    from mfa_console.core.directory.errors import DirectoryReadError

    return DirectoryReadError(
        "The directory reader process ended unexpectedly; nothing was read completely.",
        hint="Try again; if it keeps happening, look at the log for the reason.",
    )


def rebuild_error(module: str, name: str, message: str, hint: str) -> ConsoleError:
    """The child's error as the same class (or ConsoleError), with its message and hint."""
    if module.startswith("mfa_console.") and module not in sys.modules:
        importlib.import_module(module)
    cls = getattr(sys.modules.get(module), name, None)
    if not (isinstance(cls, type) and issubclass(cls, ConsoleError)):
        cls = ConsoleError
    error = cls.__new__(cls)
    ConsoleError.__init__(error, message, hint=hint)
    return error


@contextmanager
def open_child_source(settings: DirectorySettings, password: str | None) -> Iterator[ChildSource]:
    context = multiprocessing.get_context("spawn")
    child_requests, requests = context.Pipe(duplex=False)
    responses, child_out = context.Pipe(duplex=False)
    process = context.Process(
        target=child_main,
        args=(child_requests, child_out, settings, password),
        name="mfa-console-reader",
        daemon=True,
    )
    process.start()
    child_requests.close()
    child_out.close()
    source = ChildSource(
        requests, responses, str(settings.kind), LiveSource.changed_filter(settings)
    )
    try:
        source._receive(None, "ready")
        yield source
    except BaseException:
        # Cancelled or failed mid-read: the child may be blocked sending; stop it at once.
        source.stop_pump()
        _stop(process, requests, responses, wait=0)
        raise
    source.stop_pump()
    _stop(process, requests, responses, wait=5)


def _stop(process: Any, requests: Channel, responses: Channel, wait: float) -> None:
    with suppress(OSError, ValueError):
        requests.send(("close",))
    process.join(wait)
    if process.is_alive():
        process.terminate()
        process.join(5)
    requests.close()
    responses.close()
