"""The RADIUS server's sockets: our own loop, not pyrad's (see the package's docstring).

Each listening address gets an authentication and an accounting socket, bound exclusively (no
SO_REUSEADDR / SO_REUSEPORT: a second server on the same port is an error, reported, instead of
silently sharing it; Windows gets SO_EXCLUSIVEADDRUSE). One receiver thread waits on all sockets
with a timeout, so ``stop()`` returns within half a second; the requests are answered by a pool
of worker threads, so a slow LDAP bind or upstream server stalls neither the receiver nor the
rest of the service. A retransmission is answered from the reply cache.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import selectors
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from mfa_console.core.errors import ConsoleError
from mfa_console.core.radius.handler import Handler
from mfa_console.core.radius.packets import RawAttributes
from mfa_console.core.radius.runtime import Client
from mfa_console.core.radius.state import IN_FLIGHT, ReplyCache
from mfa_console.core.wording import plural

log = logging.getLogger("mfa_console.radius")

MAX_DATAGRAM = 4096
# A request that waited this long for a worker is dropped unanswered: most clients give up
# after 3 to 5 seconds (and retransmit: a retransmission of a dropped request is checked anew).
# Under a load beyond what the server can answer, answering requests whose client has given
# up would only make every later one late too; dropping them keeps the answers in time.
STALE_SECONDS = 4.0
OVERLOAD_LOG_EVERY = 60.0  # seconds between the service log's lines about overload drops


class PortInUseError(ConsoleError):
    """Another program listens on a RADIUS port."""


def bind_udp(address: str, port: int) -> socket.socket:
    """A UDP socket bound exclusively to ``address:port``; PortInUseError when taken."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    if sys.platform == "win32":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
    try:
        sock.bind((address, port))
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.EADDRINUSE, errno.EACCES, getattr(errno, "WSAEADDRINUSE", -1)):
            what = "is used by another program" if exc.errno != errno.EACCES else "needs privileges"
            raise PortInUseError(
                f"UDP port {port} on {address} {what}: the RADIUS server cannot listen there.",
                hint=f"Stop the other program (`ss -ulpn sport = :{port}` shows it) or choose "
                "other ports in RADIUS Authentication > Clients.",
            ) from None
        raise ConsoleError(
            f"The RADIUS server cannot listen on {address}:{port} ({exc.strerror}).",
            hint="Check the listening addresses in the RADIUS settings.",
        ) from None
    sock.setblocking(False)
    return sock


class RadiusServer:
    """Listen, dispatch to workers, answer; ``handler`` and ``clients`` may be replaced live."""

    def __init__(
        self,
        handler: Handler,
        forward_accounting: Callable[[RawAttributes], bool] | None = None,
        *,
        workers: int = 32,
    ) -> None:
        self.handler = handler
        self.forward_accounting = forward_accounting
        self.cache = ReplyCache()
        self._workers = workers
        self._sockets: list[tuple[socket.socket, str]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._overload_logged = -OVERLOAD_LOG_EVERY
        self._overload_dropped = 0
        self._overload_lock = threading.Lock()

    @property
    def listening(self) -> list[str]:
        out = []
        for sock, kind in self._sockets:
            host, port = sock.getsockname()[:2]
            out.append(f"{host}:{port}/udp ({kind})")
        return out

    def start(self, addresses: tuple[str, ...], auth_port: int, acct_port: int) -> None:
        """Bind every socket first (all or none), then start answering."""
        sockets: list[tuple[socket.socket, str]] = []
        try:
            for address in addresses:
                sockets.append((bind_udp(address, auth_port), "auth"))
                sockets.append((bind_udp(address, acct_port), "acct"))
        except ConsoleError:
            for sock, _ in sockets:
                sock.close()
            raise
        self._sockets = sockets
        self._stop.clear()
        self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="radius")
        self._thread = threading.Thread(target=self._receive, name="radius-receiver", daemon=True)
        self._thread.start()
        log.info("RADIUS server listening on %s.", ", ".join(self.listening))

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        for sock, _ in self._sockets:
            sock.close()
        if self._sockets:
            log.info("RADIUS server stopped.")
        self._sockets = []

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _receive(self) -> None:
        with selectors.DefaultSelector() as selector:
            for index, (sock, _kind) in enumerate(self._sockets):
                selector.register(sock, selectors.EVENT_READ, index)
            while not self._stop.is_set():
                for key, _ in selector.select(timeout=0.5):
                    sock, kind = self._sockets[key.data]
                    for _ in range(64):  # drain what is queued, then look at the others
                        try:
                            data, peer = sock.recvfrom(MAX_DATAGRAM)
                        except (BlockingIOError, InterruptedError):
                            break
                        except OSError as exc:  # e.g. ICMP port unreachable on Windows
                            log.debug("RADIUS receive: %s", exc)
                            break
                        self._dispatch(sock, kind, data, peer)

    def _dispatch(self, sock: socket.socket, kind: str, data: bytes, peer: tuple) -> None:
        if len(data) < 20:
            return
        source, port = str(peer[0]), int(peer[1])
        if source.startswith("::ffff:"):
            source = source[7:]
        client = self.handler.runtime.clients.find(source)
        if client is None:
            self.handler.unknown_client(source)
            return
        ident = data[1]
        (length,) = struct.unpack("!H", data[2:4])
        key = (f"{kind}:{source}", port, ident, data[4:20])
        cached = self.cache.claim(key)
        if cached is not None:
            if cached != IN_FLIGHT:
                self._send(sock, cached, peer)
            return
        assert self._pool is not None
        with contextlib.suppress(RuntimeError):  # RuntimeError: the pool stopped (stopping)
            self._pool.submit(
                self._work, sock, kind, data[:length], peer, client, key, time.monotonic()
            )

    def _work(
        self,
        sock: socket.socket,
        kind: str,
        data: bytes,
        peer: tuple,
        client: Client,
        key: tuple,
        arrived: float,
    ) -> None:
        source = str(peer[0]).removeprefix("::ffff:")
        if time.monotonic() - arrived > STALE_SECONDS:
            self.cache.answer(key, None)
            self.handler.counts.add("dropped-overload")
            self._log_overload()
            return
        try:
            if kind == "auth":
                reply = self.handler.authenticate(data, source, client)
            else:
                reply = self.handler.account(data, source, client, self.forward_accounting)
        except Exception:
            log.exception("RADIUS request from %s could not be answered.", source)
            reply = None
        self.cache.answer(key, reply)
        if reply is not None:
            self._send(sock, reply, peer)

    def _log_overload(self) -> None:
        """The first drop, then at most one line a minute with the count (the status counts
        every one)."""
        now = time.monotonic()
        with self._overload_lock:
            self._overload_dropped += 1
            if now - self._overload_logged < OVERLOAD_LOG_EVERY:
                return
            dropped, self._overload_dropped, self._overload_logged = self._overload_dropped, 0, now
        log.warning(
            "RADIUS server overloaded: %s waited over %.0f s for a worker and %s dropped "
            "(the clients retry; next report in a minute at the earliest).",
            plural(dropped, "request"),
            STALE_SECONDS,
            "was" if dropped == 1 else "were",
        )

    @staticmethod
    def _send(sock: socket.socket, reply: bytes, peer: tuple) -> None:
        try:
            sock.sendto(reply, peer)
        except OSError as exc:
            log.warning("RADIUS reply to %s not sent: %s", peer[0], exc)
