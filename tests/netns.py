"""Machines of our own on one computer, for tests that run the site as several hosts:
Linux network namespaces (iproute2's `ip netns`), each with a veth pair whose other end
sits on a bridge in the test's own namespace, one private /24 for all of them.

Every name carries a tag (random, or BS_NETNS_TAG for a person who wants to know which
namespaces are theirs), so runs side by side on one machine never meet; `close()`
removes everything it made. The test process reaches each host at its address, and the
hosts reach the test process (and the relays below) at the bridge's address.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import secrets
import shutil
import socket
import subprocess
import threading
from dataclasses import dataclass, field

# 10.231.0.0/16: a run takes one free /24 of it.
SUPERNET = ipaddress.ip_network("10.231.0.0/16")


class Unavailable(Exception):
    """Namespaces cannot be made here (not root, no iproute2, a kernel without them)."""


def _ip(*args: str) -> str:
    done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise subprocess.CalledProcessError(
            done.returncode, ["ip", *args], done.stdout, done.stderr
        )
    return done.stdout


def _free_subnet() -> ipaddress.IPv4Network:
    used = _ip("-4", "-o", "addr", "show") + _ip("-4", "route", "show", "table", "all")
    taken = {
        ipaddress.ip_network(m, strict=False) for m in re.findall(r"\d+\.\d+\.\d+\.\d+/\d+", used)
    }
    taken |= {ipaddress.ip_network(f"{m}/32") for m in re.findall(r"\b\d+\.\d+\.\d+\.\d+\b", used)}
    candidates = [ipaddress.IPv4Network(s) for s in SUPERNET.subnets(new_prefix=24)]
    start = secrets.randbelow(len(candidates))
    for subnet in candidates[start:] + candidates[:start]:
        if not any(subnet.overlaps(other) for other in taken if other.prefixlen >= 16):
            return subnet
    raise Unavailable(f"no free /24 in {SUPERNET}")


@dataclass
class Host:
    """One namespace: a machine with its own loopback and one address on the bridge."""

    name: str
    namespace: str
    address: str

    def command(self, argv: list[str]) -> list[str]:
        """`argv` run inside this host's network namespace."""
        return ["ip", "netns", "exec", self.namespace, *argv]


@dataclass
class Network:
    tag: str
    subnet: ipaddress.IPv4Network
    bridge: str
    hosts: dict[str, Host] = field(default_factory=dict)
    _namespaces: list[str] = field(default_factory=list)

    @property
    def gateway(self) -> str:
        """The bridge's address: the test process, as the hosts see it."""
        return str(self.subnet.network_address + 1)

    @classmethod
    def create(cls) -> Network:
        """A bridge and its subnet; raises Unavailable with the reason when it cannot."""
        if shutil.which("ip") is None:
            raise Unavailable("iproute2's `ip` is not installed")
        if os.geteuid() != 0:
            raise Unavailable("network namespaces need root (CI runs as root)")
        tag = os.environ.get("BS_NETNS_TAG") or secrets.token_hex(3)
        if not re.fullmatch(r"[a-z0-9]{1,8}", tag):
            raise Unavailable(f"BS_NETNS_TAG must be 1-8 of a-z0-9, not {tag!r}")
        try:
            subnet = _free_subnet()
            network = cls(tag=tag, subnet=subnet, bridge=f"bs{tag}br")
            _ip("link", "add", network.bridge, "type", "bridge")
        except (subprocess.CalledProcessError, OSError) as error:
            raise Unavailable(f"cannot make a bridge: {getattr(error, 'stderr', error)}") from None
        try:
            _ip("addr", "add", f"{network.gateway}/24", "dev", network.bridge)
            _ip("link", "set", network.bridge, "up")
        except subprocess.CalledProcessError as error:
            network.close()
            raise Unavailable(f"cannot set up the bridge: {error.stderr}") from None
        return network

    def add_host(self, name: str) -> Host:
        """A namespace `bs-<tag>-<name>`, its veth on the bridge, the next address."""
        index = len(self.hosts) + 1
        namespace = f"bs-{self.tag}-{name}"
        outside = f"bs{self.tag}v{index}"
        address = str(self.subnet.network_address + 10 + index)
        try:
            _ip("netns", "add", namespace)
            self._namespaces.append(namespace)
            _ip("link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", namespace)
            _ip("link", "set", outside, "master", self.bridge, "up")
            _ip("-n", namespace, "addr", "add", f"{address}/24", "dev", "eth0")
            _ip("-n", namespace, "link", "set", "eth0", "up")
            _ip("-n", namespace, "link", "set", "lo", "up")
        except subprocess.CalledProcessError as error:
            raise Unavailable(f"cannot make namespace {namespace}: {error.stderr}") from None
        host = Host(name=name, namespace=namespace, address=address)
        self.hosts[name] = host
        return host

    def close(self) -> None:
        """Remove the namespaces (their veths go with them) and the bridge. The processes
        inside must have been stopped first."""
        for namespace in reversed(self._namespaces):
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True, check=False)
        self._namespaces.clear()
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True, check=False)


class Relay:
    """A TCP relay in the test process: connections to `listen` are joined to `target`.

    The machine's PostgreSQL and Redis listen on 127.0.0.1 only, which a namespace cannot
    reach; the hosts reach them at the bridge's address through this, as they would
    reach a database host on a private network. (A relay, not a NAT rule: it changes
    nothing on the machine.)"""

    def __init__(self, listen: tuple[str, int], target: tuple[str, int]) -> None:
        self.target = target
        self.server = socket.create_server(listen)
        self.server.settimeout(0.5)
        self.closed = threading.Event()
        self.sockets: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True, name=f"relay {listen}")
        self.thread.start()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                client, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=10)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            client.settimeout(None)
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.closed.set()
        self.server.close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.close()
        self.thread.join(2)
