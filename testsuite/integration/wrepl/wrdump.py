#!/usr/bin/env python3
"""Dump a WINS server's records over WINS replication (TCP 42).

    wrdump.py --bind SRC SERVER [OWNER...]

Starts an association from SRC (which must be a push partner of SERVER),
asks for the Owner-Version Map and prints one line per owner
("owner IP max=N min=N"), then, for every owner (or only the OWNERs given),
asks for all its records and prints one line per record:

    NAME<TT> owner=IP version=N type=unique|group|sgroup|mhomed
        state=active|released|tombstone|invalid static=0|1 addrs=A,B

Then a Stop (reason 0).  Exit 0 if the dialogue completed, 1 otherwise.
A test tool written for the tdbwins integration tests; only addresses in
198.18.0.0/15 and 127.0.0.0/8 are accepted.
"""
import argparse
import ipaddress
import socket
import struct
import sys

TYPES = ["unique", "group", "sgroup", "mhomed"]
STATES = ["active", "released", "tombstone", "invalid"]
ALLOWED = [ipaddress.ip_network("198.18.0.0/15"),
           ipaddress.ip_network("127.0.0.0/8")]


def allowed_ip(s):
    a = ipaddress.ip_address(s)
    if not any(a in n for n in ALLOWED):
        raise argparse.ArgumentTypeError("%s: not in 198.18/15 or 127/8" % s)
    return s


def rd(c, n):
    b = b""
    while len(b) < n:
        d = c.recv(n - len(b))
        if not d:
            raise EOFError("connection closed")
        b += d
    return b


def pdu(c):
    n = struct.unpack(">I", rd(c, 4))[0]
    if n > 64 << 20:
        raise ValueError("packet length %d" % n)
    return rd(c, n)


def send(c, body):
    c.sendall(struct.pack(">I", len(body)) + body)


def repl(handle, op, payload=b""):
    return struct.pack(">IIII", 0x7800, handle, 3, op) + payload


def parse_names(b):
    # b: body of a Name Records Response (after the 12-byte header)
    off = 4
    n = struct.unpack(">I", b[off:off + 4])[0]
    off += 4
    out = []
    for _ in range(n):
        nl = struct.unpack(">I", b[off:off + 4])[0]
        off += 4
        raw = b[off:off + nl]
        off += nl
        off += 4 - (off % 4) if off % 4 else 4
        flags = struct.unpack(">I", b[off:off + 4])[0] & 0xff
        off += 4
        off += 4        # group + reserved
        vhi, vlo = struct.unpack(">II", b[off:off + 8])
        off += 8
        et = flags & 3
        addrs = []
        if et in (0, 1):
            addrs.append(socket.inet_ntoa(b[off:off + 4]))
            off += 4
        else:
            k = b[off]
            off += 4
            for _ in range(k):
                addrs.append(socket.inet_ntoa(b[off + 4:off + 8]))
                off += 8
        off += 4        # reserved3
        name = raw[:16]
        if name[0:1] == b"\x1b":
            name = name[15:16] + name[1:15] + name[0:1]
        text = name[:15].decode("latin-1").rstrip(" ")
        out.append((text, name[15], (vhi << 32) | vlo, TYPES[et],
                    STATES[(flags >> 2) & 3], (flags >> 7) & 1, addrs))
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bind", type=allowed_ip, required=True)
    p.add_argument("--port", type=int, default=42)
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("server", type=allowed_ip)
    p.add_argument("owners", nargs="*", type=allowed_ip)
    a = p.parse_args()
    c = socket.socket()
    c.bind((a.bind, 0))
    c.settimeout(a.timeout)
    c.connect((a.server, a.port))
    send(c, struct.pack(">IIIIHH", 0x7800, 0, 0, 0x0d0d, 2, 5) + bytes(21))
    b = pdu(c)
    if struct.unpack(">I", b[8:12])[0] != 1:
        print("no start response", file=sys.stderr)
        return 1
    h = struct.unpack(">I", b[12:16])[0]
    send(c, repl(h, 0))
    b = pdu(c)
    if struct.unpack(">II", b[8:16]) != (3, 1):
        print("no map response (stopped?)", file=sys.stderr)
        return 1
    n = struct.unpack(">I", b[16:20])[0]
    owners = []
    for i in range(n):
        o = b[20 + 24 * i:44 + 24 * i]
        ip = socket.inet_ntoa(o[0:4])
        mx = struct.unpack(">Q", o[4:12])[0]
        mn = struct.unpack(">Q", o[12:20])[0]
        print("owner %s max=%d min=%d" % (ip, mx, mn))
        owners.append((ip, mx))
    for ip, mx in owners:
        if a.owners and ip not in a.owners:
            continue
        req = socket.inet_aton(ip) + struct.pack(">QQI", mx, 1, 1)
        send(c, repl(h, 2, req))
        b = pdu(c)
        if struct.unpack(">II", b[8:16]) != (3, 3):
            print("no names response for %s" % ip, file=sys.stderr)
            return 1
        for (nm, t, v, et, st, static, addrs) in parse_names(b[12:]):
            print("%s<%02X> owner=%s version=%d type=%s state=%s static=%d "
                  "addrs=%s" % (nm, t, ip, v, et, st, static,
                                ",".join(addrs)))
    send(c, struct.pack(">IIII", 0x7800, h, 2, 0) + bytes(24))
    c.close()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, EOFError, ValueError, IndexError, struct.error) as e:
        print("wrdump: %s" % e, file=sys.stderr)
        sys.exit(1)
