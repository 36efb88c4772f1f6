"""Offline guard: loaded at interpreter start when this folder is on PYTHONPATH (tests/test_offline.py).

Any attempt to reach a host other than this machine -- ``connect``/``connect_ex``/``sendto``/``sendmsg``
to a non-loopback address, or a name lookup of a non-local host -- is written to the file named by
``COURSE_OFFLINE_LOG`` (with the calling code) and refused with ``OfflineError`` before a packet
leaves. The log catches attempts that calling code swallows. Loopback (127.0.0.0/8, ::1, localhost)
and Unix sockets stay allowed: a Jupyter kernel talks to its client over loopback.
"""

import ipaddress
import os
import socket
import traceback

LOG = os.environ.get("COURSE_OFFLINE_LOG")
LOCAL_NAMES = {"", "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


class OfflineError(OSError):
    """A network access the offline guard refused."""


def is_local(host) -> bool:
    """True for loopback/unspecified addresses and local names (this machine's own name included)."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    host = str(host).strip("[]").split("%")[0].lower()
    if host in LOCAL_NAMES or host == socket.gethostname().lower():
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a host name that would need DNS
    mapped = getattr(address, "ipv4_mapped", None)
    address = mapped or address
    return address.is_loopback or address.is_unspecified


def is_remote_name(host) -> bool:
    """True for a host name whose lookup could use DNS (IP literals and local names never do)."""
    if is_local(host):
        return False
    text = host.decode(errors="replace") if isinstance(host, bytes) else str(host)
    try:
        ipaddress.ip_address(text.strip("[]").split("%")[0])
        return False
    except ValueError:
        return True


def refuse(what: str, target) -> None:
    message = f"offline guard: {what} {target!r} refused (the course must not use the network)"
    if LOG:
        stack = "".join(traceback.format_stack(limit=12)[:-2])
        with open(LOG, "a", encoding="utf-8") as log:
            log.write(f"{message}\n{stack}\n")
    raise OfflineError(message)


def check_address(sock, address, what: str) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
        if not is_local(address[0]):
            refuse(what, address)


def install() -> None:
    cls = socket.socket
    connect, connect_ex, sendto, sendmsg = cls.connect, cls.connect_ex, cls.sendto, cls.sendmsg
    getaddrinfo, gethostbyname, gethostbyname_ex = socket.getaddrinfo, socket.gethostbyname, socket.gethostbyname_ex

    def guarded_connect(self, address):
        check_address(self, address, "connect to")
        return connect(self, address)

    def guarded_connect_ex(self, address):
        check_address(self, address, "connect to")
        return connect_ex(self, address)

    def guarded_sendto(self, data, *args):
        check_address(self, args[-1], "send to")
        return sendto(self, data, *args)

    def guarded_sendmsg(self, buffers, *args):
        if len(args) >= 3:
            check_address(self, args[2], "send to")
        return sendmsg(self, buffers, *args)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if is_remote_name(host):
            refuse("name lookup of", host)
        return getaddrinfo(host, *args, **kwargs)

    def guarded_gethostbyname(host):
        if is_remote_name(host):
            refuse("name lookup of", host)
        return gethostbyname(host)

    def guarded_gethostbyname_ex(host):
        if is_remote_name(host):
            refuse("name lookup of", host)
        return gethostbyname_ex(host)

    guarded_connect.offline_guard = True
    cls.connect, cls.connect_ex, cls.sendto, cls.sendmsg = (
        guarded_connect, guarded_connect_ex, guarded_sendto, guarded_sendmsg)
    socket.getaddrinfo, socket.gethostbyname, socket.gethostbyname_ex = (
        guarded_getaddrinfo, guarded_gethostbyname, guarded_gethostbyname_ex)


install()
