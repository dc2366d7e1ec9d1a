"""The activation service's HTTPS JSON API (stdlib ``http.server`` over ``ssl``, TLS only).

POST /v1/credentials/check  {email, password}                       -> {account, groups}
POST /v1/activations        {email, password, server_name, join_group|null}
                                                                    -> identity + token
POST /v1/deactivations      Authorization: Bearer TOKEN             -> {}
GET  /v1/health                                                     -> {service, version}
Refusals are ``{"error": CODE, "message": TEXT}`` with a 4xx status. Bodies are never logged.
"""

from __future__ import annotations

import json
import logging
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from mfa_console.core.activation import protocol as p
from mfa_console.core.activation.server.store import ActivationStore, ServiceError

log = logging.getLogger(__name__)
HANDSHAKE_TIMEOUT = 15.0


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[v6]:PORT`` for IPv6) as a (host, port) pair."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"--listen takes HOST:PORT, e.g. 0.0.0.0:8443, not {text!r}")
    return host.strip("[]") or "0.0.0.0", int(port)


def tls_context(cert: str, key: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context


class _Handler(BaseHTTPRequestHandler):
    server: ActivationHTTPServer
    server_version = "MFAConsoleActivation/1"
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        # The handshake runs here, on the request's thread, so a slow client blocks nobody.
        self.request.settimeout(HANDSHAKE_TIMEOUT)
        self.request.do_handshake()
        super().setup()

    def do_GET(self) -> None:
        if self.path == p.PATH_HEALTH:
            self._send(200, {"service": p.SERVICE_NAME, "version": 1})
        else:
            self._send(404, {"error": p.BAD_REQUEST, "message": f"No such path {self.path}."})

    def do_POST(self) -> None:
        routes: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            p.PATH_CHECK: self._check,
            p.PATH_ACTIVATE: self._activate,
            p.PATH_DEACTIVATE: self._deactivate,
        }
        route = routes.get(self.path)
        try:
            if route is None:
                raise ServiceError(p.BAD_REQUEST, f"No such path {self.path}.", 404)
            self._send(200, route(self._body()))
        except ServiceError as exc:
            self._send(exc.status, {"error": exc.code, "message": exc.message})

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        if length > p.MAX_BODY_BYTES:
            raise ServiceError(p.BAD_REQUEST, "Request too large.", 413)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            raise ServiceError(p.BAD_REQUEST, "The request is not JSON.", 400) from None
        if not isinstance(body, dict):
            raise ServiceError(p.BAD_REQUEST, "The request must be a JSON object.", 400)
        return body

    def _check(self, body: dict[str, Any]) -> dict[str, Any]:
        account, groups = self.server.store.check(_text(body, "email"), _text(body, "password"))
        return {"account": account, "groups": [asdict(g) for g in groups]}

    def _activate(self, body: dict[str, Any]) -> dict[str, Any]:
        join = body.get("join_group")
        return self.server.store.activate(
            _text(body, "email"),
            _text(body, "password"),
            _text(body, "server_name"),
            str(join) if join else None,
        )

    def _deactivate(self, _body: dict[str, Any]) -> dict[str, Any]:
        scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise ServiceError(p.NOT_AUTHORIZED, "Missing the server's token.", 401)
        self.server.store.deactivate(token.strip())
        return {}

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str):
        raise ServiceError(p.BAD_REQUEST, f"Missing {name!r}.", 400)
    return value


class ActivationHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], store: ActivationStore, context: ssl.SSLContext):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.store = store
        self.socket = context.wrap_socket(
            self.socket, server_side=True, do_handshake_on_connect=False
        )

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = str(host)
        return f"https://{f'[{host}]' if ':' in host else host}:{port}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that rejects our certificate or hangs up is normal, not a crash.
        log.info("Connection from %s ended with an error", client_address, exc_info=True)


def make_server(listen: str, cert: str, key: str, store: ActivationStore) -> ActivationHTTPServer:
    return ActivationHTTPServer(parse_listen(listen), store, tls_context(cert, key))


def serve_in_thread(server: ActivationHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="activation-service", daemon=True)
    thread.start()
    return thread
