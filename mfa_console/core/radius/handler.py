"""One request in, one answer out (or nothing): the RADIUS server's decisions.

Order for an Access-Request: the client's secret and Message-Authenticator (else dropped), PAP
only, the user (Username Resolution), the primary target (a wrong password is a reject, never a
challenge), disabled users (Company Settings), then the code: appended to the password or asked
for with an Access-Challenge. Every answer is written to the authentication log.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from pyrad import packet as rp
from pyrad.packet import PacketError

from mfa_console.core.radius import packets as pk
from mfa_console.core.radius.drops import FIRST_REASON, OTHERS, Drops
from mfa_console.core.radius.protocols import (
    AuthEvent,
    AuthLog,
    ConsoleUser,
    RequestContext,
    SecondFactor,
    Verdict,
)
from mfa_console.core.radius.runtime import Client, Runtime
from mfa_console.core.radius.state import Challenges, Counts, Pending
from mfa_console.core.radius.targets import Primary

log = logging.getLogger("mfa_console.radius")

CLOUD_METHODS = frozenset({"phone-call", "text-message", "mobile-app"})
CODE_LENGTH = 6  # an appended code: the last six digits of the password
RETRYABLE = {"FAILED_OATH_CODE_INCORRECT", "FAILED_CODE_MISSING"}


@dataclass
class Outcome:
    """What to send (None: drop) and what to count."""

    reply: bytes | None
    counted: str


class Handler:
    def __init__(
        self,
        runtime: Runtime,
        second_factor: SecondFactor,
        auth_log: AuthLog,
        challenges: Challenges,
        counts: Counts,
        server_ip: str = "",
        drops: Drops | None = None,
    ) -> None:
        self.runtime = runtime
        self.factor = second_factor
        self.auth_log = auth_log
        self.challenges = challenges
        self.counts = counts
        self.server_ip = server_ip
        self.drops = drops if drops is not None else Drops()

    # -- authentication port
    def authenticate(self, data: bytes, source: str, client: Client) -> bytes | None:
        try:
            request = pk.decode_auth(data, client.secret)
        except (PacketError, KeyError, ValueError, IndexError) as exc:
            return self._drop(source, client, "", "malformed packet", str(exc))
        if request.code not in (pk.ACCESS_REQUEST, pk.STATUS_SERVER):
            return self._drop(source, client, "", f"packet code {request.code} on the auth port")
        problem = self._authenticator_problem(request, client)
        if problem:
            return self._drop(source, client, _name(request), problem)
        if request.code == pk.STATUS_SERVER:
            self.counts.add("status-server")
            return _encode(pk.reply_packet(request, pk.ACCESS_ACCEPT, []))
        return self._access(request, client, self._context(source, client.label))

    def _authenticator_problem(self, request: rp.Packet, client: Client) -> str:
        if request.message_authenticator:
            if not request.verify_message_authenticator():
                return "wrong shared secret (the Message-Authenticator does not match)"
            return ""
        if request.code == pk.STATUS_SERVER:
            return "Status-Server without Message-Authenticator (RFC 5997)"
        if client.config.message_authenticator:
            return "no Message-Authenticator (required for this client: BlastRADIUS)"
        return ""

    def _access(self, request: rp.Packet, client: Client, context: RequestContext) -> bytes:
        name = _name(request)
        raw_password = rp.OrderedDict.get(request, pk.USER_PASSWORD)
        if not name or not raw_password:
            return self._reject(
                request,
                name,
                "FAILED_UNSUPPORTED",
                "only PAP is supported (no User-Name or User-Password)",
                context,
            )
        try:
            password = request.PwDecrypt(bytes(raw_password[0]))
        except PacketError:
            return self._reject(request, name, "FAILED_UNSUPPORTED", "bad User-Password", context)
        state = rp.OrderedDict.get(request, pk.STATE)
        if state:
            return self._answer(request, client, bytes(state[0]), name, password, context)
        return self._first(request, client, name, password, context)

    def _first(
        self, request: rp.Packet, client: Client, name: str, password: str, ctx: RequestContext
    ) -> bytes:
        runtime = self.runtime
        user = self.factor.find_user(runtime.resolution.candidates(name))
        no_target = runtime.settings.target == "none"
        if user is None:
            if client.config.require_user_match or no_target:
                return self._reject(
                    request, name, "FAILED_USER_NOT_FOUND", "no console user has this name", ctx
                )
            primary = runtime.target.check(name, password, request)
            if not primary.ok:
                return self._reject(request, name, "FAILED_PRIMARY_AUTH", primary.reason, ctx)
            return self._accept(
                request,
                name,
                "SUCCESS_NO_USER_MATCH",
                "not a console user: the primary answer alone",
                ctx,
                primary,
            )
        code = ""
        secret = password
        if no_target and not client.config.append_code:
            code, secret = password, ""  # the code alone
        elif client.config.append_code:  # (with target None the password part is not checked)
            secret, code = _split_code(password)
            if not code:
                return self._reject(
                    request,
                    name,
                    "FAILED_CODE_MISSING",
                    f"no {CODE_LENGTH}-digit code after the password",
                    ctx,
                )
        primary = runtime.target.check(name, secret, request)
        if not primary.ok:
            return self._reject(request, name, "FAILED_PRIMARY_AUTH", primary.reason, ctx)
        if not user.enabled:
            return self._disabled(request, user, ctx, primary)
        if user.method in CLOUD_METHODS and not client.config.fallback_oath:
            return self._reject(
                request,
                user.username,
                "FAILED_METHOD_REQUIRES_CLOUD",
                f"the user's method is {user.method}; this client does not "
                "allow the fallback OATH token",
                ctx,
            )
        if code or no_target or client.config.append_code:
            verdict = self.factor.verify(user.username, code, ctx)
            return self._after_code(request, user.username, verdict, ctx, primary)
        pending = Pending(
            name=name,
            username=user.username,
            client=ctx.client_ip,
            expires=time.monotonic() + runtime.settings.challenge_seconds,
            attempts_left=runtime.settings.challenge_attempts,
            attributes=primary.attributes,
            upstream=primary.upstream,
        )
        return self._challenge(request, self.challenges.open(pending), runtime.prompt, name, ctx)

    def _answer(
        self,
        request: rp.Packet,
        client: Client,
        state: bytes,
        name: str,
        code: str,
        ctx: RequestContext,
    ) -> bytes:
        pending = self.challenges.take(state, ctx.client_ip)
        if pending is None or pending.name != name:
            return self._reject(
                request,
                name,
                "FAILED_CHALLENGE_EXPIRED",
                "unknown or expired State (answer the challenge in time, to the same server)",
                ctx,
            )
        verdict = self.factor.verify(pending.username, code, ctx)
        if verdict.ok:
            primary = Primary(True, attributes=pending.attributes, upstream=pending.upstream)
            return self._accept(
                request, pending.username, verdict.code, "", ctx, primary, logged=True
            )
        pending.attempts_left -= 1
        if verdict.code in RETRYABLE and pending.attempts_left > 0:
            self.challenges.put_back(state, pending)
            prompt = f"Wrong code. {self.runtime.prompt}"
            self.counts.add("challenged")
            return _encode(_challenge_packet(request, state, prompt))
        return self._reject(request, pending.username, verdict.code, verdict.text, ctx, logged=True)

    def _after_code(
        self,
        request: rp.Packet,
        username: str,
        verdict: Verdict,
        ctx: RequestContext,
        primary: Primary,
    ) -> bytes:
        if verdict.ok:
            return self._accept(request, username, verdict.code, "", ctx, primary, logged=True)
        return self._reject(request, username, verdict.code, verdict.text, ctx, logged=True)

    def _disabled(
        self, request: rp.Packet, user: ConsoleUser, ctx: RequestContext, primary: Primary
    ) -> bytes:
        if self.runtime.company.when_user_disabled == "succeed":
            return self._accept(
                request,
                user.username,
                "SUCCESS_USER_DISABLED",
                "disabled user: Company Settings say Succeed Authentication",
                ctx,
                primary,
            )
        return self._reject(
            request, user.username, "FAILED_USER_DISABLED", "the user is disabled", ctx
        )

    # -- answers
    def _accept(
        self,
        request: rp.Packet,
        username: str,
        result: str,
        reason: str,
        ctx: RequestContext,
        primary: Primary,
        *,
        logged: bool = False,
    ) -> bytes:
        reply = request.CreateReply()
        reply.code = pk.ACCESS_ACCEPT
        reply.request_authenticator = request.authenticator
        for key, value in primary.attributes:
            if key in pk.SALT_ENCRYPTED and primary.upstream is not None:
                try:
                    value = pk.salt_reencrypt(
                        value, key == pk.TUNNEL_PASSWORD, primary.upstream, reply
                    )
                except PacketError:
                    continue
            rp.OrderedDict.setdefault(reply, key, []).append(value)
        reply.add_message_authenticator()
        self.counts.add("accepted")
        if not logged:
            self._log(username, result, reason, ctx)
        return _encode(reply)

    def _reject(
        self,
        request: rp.Packet,
        username: str,
        result: str,
        reason: str,
        ctx: RequestContext,
        *,
        logged: bool = False,
    ) -> bytes:
        self.counts.add("rejected")
        if not logged:
            self._log(username, result, reason, ctx)
        return _encode(pk.reply_packet(request, pk.ACCESS_REJECT, []))

    def _challenge(
        self, request: rp.Packet, state: bytes, prompt: str, name: str, ctx: RequestContext
    ) -> bytes:
        self.counts.add("challenged")
        return _encode(_challenge_packet(request, state, prompt))

    def _drop(
        self, source: str, client: Client | None, name: str, why: str, detail: str = ""
    ) -> bytes | None:
        """Counted every time; logged the first time for this source and reason (with
        ``detail``), then summarised once a minute (``core.radius.drops``)."""
        self.counts.add("dropped")
        reason = self.drops.note(source, why)
        if reason is None:
            return None
        label = client.label if client is not None else ""
        if reason == why:
            reason += f" ({detail})" if detail else ""
            log.warning(
                "RADIUS request from %s (%s) dropped: %s (further drops like it from this "
                "address are summarised once a minute).",
                source,
                label or "unknown client",
                reason,
            )
        else:
            log.warning("RADIUS: %s.", reason)
            name = ""
        self._log(name, "RADIUS_REQUEST_DROPPED", reason, self._context(source, label))
        return None

    def unknown_client(self, source: str) -> None:
        self._drop(source, None, "", FIRST_REASON)

    def report_drops(self, *, everything: bool = False) -> None:
        """Write the summaries of dropped requests whose minute is over."""
        for source, reason in self.drops.due(everything=everything):
            client = self.runtime.clients.find(source) if source != OTHERS else None
            log.warning("RADIUS: %s.", reason)
            self._log(
                "",
                "RADIUS_REQUEST_DROPPED",
                reason,
                self._context("" if source == OTHERS else source, client.label if client else ""),
            )

    def _context(self, source: str, label: str) -> RequestContext:
        return RequestContext(source, label, self.runtime.server_name, self.server_ip)

    def _log(self, username: str, result: str, reason: str, ctx: RequestContext) -> None:
        self.auth_log.record(AuthEvent(username, result, reason, ctx))

    # -- accounting port
    def account(self, data: bytes, source: str, client: Client, forward: object) -> bytes | None:
        try:
            request = pk.decode_acct(data, client.secret)
        except (PacketError, KeyError, ValueError, IndexError) as exc:
            return self._drop(source, client, "", "malformed accounting packet", str(exc))
        if request.code == pk.STATUS_SERVER:
            if not (request.message_authenticator and request.verify_message_authenticator()):
                return self._drop(
                    source, client, "", "Status-Server without a valid Message-Authenticator"
                )
            self.counts.add("status-server")
            return _encode(request.CreateReply())
        if request.code != pk.ACCOUNTING_REQUEST or not request.VerifyAcctRequest():
            return self._drop(
                source,
                client,
                "",
                "accounting request with a wrong shared secret (Request Authenticator)",
            )
        if callable(forward) and not forward(pk.raw_attributes(request)):
            log.warning("Accounting from %s not acknowledged upstream: no answer sent.", source)
            return None
        self.counts.add("accounting")
        return _encode(request.CreateReply())


def _challenge_packet(request: rp.Packet, state: bytes, prompt: str) -> rp.Packet:
    return pk.reply_packet(
        request,
        pk.ACCESS_CHALLENGE,
        [(pk.REPLY_MESSAGE, prompt.encode("utf-8")[:253]), (pk.STATE, state)],
    )


def _encode(reply: rp.Packet) -> bytes:
    return reply.ReplyPacket()


def _name(request: rp.Packet) -> str:
    values = rp.OrderedDict.get(request, pk.USER_NAME)
    return bytes(values[0]).decode("utf-8", "replace") if values else ""


def _split_code(password: str) -> tuple[str, str]:
    """(password, code) when the password ends with the code's digits, else (password, "")."""
    tail = password[-CODE_LENGTH:]
    if len(password) > CODE_LENGTH and tail.isdigit() and tail.isascii():
        return password[:-CODE_LENGTH], tail
    return password, ""
