"""Outbound HTTP to addresses subscribers give us, without letting them point us inside.

A subscriber chooses the URL, so a URL is a request to reach a place from our network: loopback,
private, link-local (cloud metadata) and other non-public addresses are refused unless the
operator lists them in WEBHOOK_ALLOWED_HOSTS. The check runs when a URL is subscribed and again
before every send, after DNS resolution, and the connection goes to the address that was vetted,
so a name that resolves differently a second time (DNS rebinding) cannot slip through.
"""

import http.client
import ipaddress
import socket
import urllib.parse
from dataclasses import dataclass

from django.conf import settings

# Shown for every refused address, whatever the port: a refusal must not reveal what listens there.
REFUSED = "Refused: the URL points to an internal address."
UNRESOLVED = "Could not resolve the receiver's host name."
SCHEMES = {"http": 80, "https": 443}


class Refused(Exception):
    """The URL may not be reached; the message is safe to show to the subscriber."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the vetted IP the connection goes to


def _split(url: str) -> tuple[str, str, int, str]:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise Refused("Use an http or https URL.")
    try:
        port = parts.port or SCHEMES[parts.scheme]
    except ValueError:
        raise Refused("The URL's port is not a number between 1 and 65535.") from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, parts.hostname.lower(), port, path


def _allowed(host: str, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    for entry in settings.WEBHOOK_ALLOWED_HOSTS:
        entry = entry.strip().lower()
        if entry == host:
            return True
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue  # a host name entry that is not this host
    return False


def _forbidden(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    # is_global is False for loopback, private, link-local (169.254.169.254), shared and reserved
    # ranges; multicast is global but is never a receiver.
    return not ip.is_global or ip.is_multicast


def _vet(host: str, addresses: list[str]) -> str:
    ips = [ipaddress.ip_address(a.split("%")[0]) for a in addresses]
    if not ips:
        raise Refused(UNRESOLVED)
    # Every address must pass: otherwise a name with one public and one internal address would
    # reach inside whenever the resolver happened to order them that way.
    if any(_forbidden(ip) and not _allowed(host, ip) for ip in ips):
        raise Refused(REFUSED)
    return str(ips[0])


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Refused(UNRESOLVED) from None
    return list(dict.fromkeys(info[4][0] for info in infos))


def url_check(url: str) -> None:
    """At subscription: refuse a bad scheme or an internal address. A name that does not resolve
    yet is accepted; it is checked again before each send."""
    scheme, host, port, _ = _split(url)
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        try:
            addresses = _resolve(host, port)
        except Refused:
            return
    else:
        addresses = [str(literal)]
    _vet(host, addresses)


def target_for(url: str) -> Target:
    """At send time: resolve once, vet every address, and name the one to connect to."""
    scheme, host, port, path = _split(url)
    return Target(scheme, host, port, path, _vet(host, _resolve(host, port)))


def post(target: Target, *, body: bytes, headers: dict, timeout: float) -> int:
    """POST to the vetted address with Host and TLS SNI of the URL's host; redirects are answers,
    not followed. Returns the status code; raises OSError or http.client errors."""
    cls = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    conn = cls(target.host, target.port, timeout=timeout)

    def pinned(address, timeout, source_address=None):
        # http.client connects to (host, port): connect to the vetted address instead; the TLS
        # layer still verifies the certificate for target.host.
        return socket.create_connection((target.address, target.port), timeout, source_address)

    conn._create_connection = pinned
    try:
        conn.request("POST", target.path, body=body, headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()
