"""Requests built with pyrad and sent over a plain UDP socket, for exact control of each field
(no Message-Authenticator, a chosen identifier and authenticator, a repeat of the same bytes)."""

from __future__ import annotations

import socket

from pyrad import packet as rp

from mfa_console.core.radius.packets import dictionary


def access_request(
    secret: str, user: str, password: str, *, authenticator: bool = True, **attributes: object
) -> rp.AuthPacket:
    request = rp.AuthPacket(secret=secret.encode(), dict=dictionary())
    request.authenticator = request.CreateAuthenticator()
    request.AddAttribute("User-Name", user)
    request["User-Password"] = request.PwCrypt(password)
    for name, value in attributes.items():
        request.AddAttribute(name.replace("_", "-"), value)
    if authenticator:
        request.add_message_authenticator()
    return request


def exchange(port: int, raw: bytes, timeout: float = 2.0) -> bytes | None:
    """Send ``raw`` once and return the first datagram that comes back (None on timeout)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.connect(("127.0.0.1", port))
        sock.send(raw)
        try:
            return sock.recv(4096)
        except TimeoutError:
            return None


def ask(port: int, request: rp.AuthPacket, timeout: float = 2.0) -> rp.Packet | None:
    """Send ``request``; its verified reply (Message-Authenticator required), or None."""
    data = exchange(port, request.RequestPacket(), timeout)
    if data is None:
        return None
    reply = request.CreateReply(packet=data)
    assert request.VerifyReply(reply, data, enforce_ma=True), "reply not signed for our secret"
    return reply
