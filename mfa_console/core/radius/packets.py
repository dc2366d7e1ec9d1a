"""pyrad with the project's dictionary, and what pyrad leaves to its callers.

``decode`` reads a datagram with a client's secret; ``salt_reencrypt`` moves salt-encrypted
values (Tunnel-Password, MS-MPPE-Send/Recv-Key, RFC 2868 section 3.5) from one secret and
request authenticator to another, so an upstream server's keys reach the client readable.
"""

from __future__ import annotations

import functools
from importlib import resources

from pyrad import packet as rp
from pyrad.dictionary import Dictionary

ACCESS_REQUEST = rp.AccessRequest
ACCESS_ACCEPT = rp.AccessAccept
ACCESS_REJECT = rp.AccessReject
ACCESS_CHALLENGE = rp.AccessChallenge
ACCOUNTING_REQUEST = rp.AccountingRequest
ACCOUNTING_RESPONSE = rp.AccountingResponse
STATUS_SERVER = rp.StatusServer

CODE_NAMES = {
    ACCESS_REQUEST: "Access-Request",
    ACCESS_ACCEPT: "Access-Accept",
    ACCESS_REJECT: "Access-Reject",
    ACCESS_CHALLENGE: "Access-Challenge",
    ACCOUNTING_REQUEST: "Accounting-Request",
    ACCOUNTING_RESPONSE: "Accounting-Response",
    STATUS_SERVER: "Status-Server",
}

USER_NAME = 1
USER_PASSWORD = 2
REPLY_MESSAGE = 18
STATE = 24
PROXY_STATE = 33
MESSAGE_AUTHENTICATOR = 80
TUNNEL_PASSWORD = 69
MS_MPPE_SEND_KEY = (311, 16)
MS_MPPE_RECV_KEY = (311, 17)
SALT_ENCRYPTED = (TUNNEL_PASSWORD, MS_MPPE_SEND_KEY, MS_MPPE_RECV_KEY)
# Never copied from an upstream reply to the client's (RFC 2865 5.33, RFC 2869 5.14, our State).
NOT_PASSED_THROUGH = (PROXY_STATE, MESSAGE_AUTHENTICATOR, STATE)

RawAttributes = list[tuple[int | tuple[int, int], bytes]]


@functools.cache
def dictionary() -> Dictionary:
    """The shipped dictionary: RFC 2865/2866/2868/2869 and the vendor attributes passed on."""
    text = resources.files("mfa_console.core.radius").joinpath("dictionary")
    with resources.as_file(text) as path:
        return Dictionary(str(path))


def decode_auth(data: bytes, secret: bytes) -> rp.AuthPacket:
    """An Access-Request or Status-Server (raises pyrad's PacketError when malformed)."""
    return rp.AuthPacket(packet=data, secret=secret, dict=dictionary())


def decode_acct(data: bytes, secret: bytes) -> rp.AcctPacket:
    return rp.AcctPacket(packet=data, secret=secret, dict=dictionary())


def raw_attributes(packet: rp.Packet) -> RawAttributes:
    """Every attribute of a decoded packet as (key, raw value), vendor keys as (vendor, type)."""
    out: RawAttributes = []
    for key in list(packet.keys()):
        code = packet._EncodeKey(key) if isinstance(key, str) else key
        values = rp.OrderedDict.__getitem__(packet, code)
        if isinstance(values, dict):  # a TLV: not passed through
            continue
        out.extend((code, bytes(value)) for value in values)
    return out


def salt_reencrypt(value: bytes, tagged: bool, source: rp.Packet, target: rp.Packet) -> bytes:
    """Decrypt ``value`` as ``source`` (secret, request authenticator) encrypted it and encrypt it
    again for ``target``. A tagged attribute (Tunnel-Password) keeps its tag octet in front."""
    tag, body = (value[:1], value[1:]) if tagged and len(value) % 16 != 2 else (b"", value)
    plain = source.SaltDecrypt(body)
    return tag + target.SaltCrypt(plain)


def reply_packet(request: rp.Packet, code: int, attributes: RawAttributes) -> rp.Packet:
    """A reply to ``request`` with ``code``, the raw attributes and a Message-Authenticator."""
    reply = request.CreateReply()
    reply.code = code
    for key, value in attributes:
        rp.OrderedDict.setdefault(reply, key, []).append(value)
    reply.add_message_authenticator()
    return reply
