#!/usr/bin/python3
"""Small NBNS client for the tdbwins integration tests.

It speaks just enough RFC 1002 to register names with a WINS server, query
them back and ask for node status, from a chosen source address, so that the
harness can check what a server acknowledged and what it still answers after
a restart.  Packets are built and parsed here with struct (the harness wants
to see exactly what goes on the wire; tshark checks the capture of it).

Names are written NAME<TT> or NAME#TT (TT hex suffix), optionally followed by
.scope.  Output is one line per name, machine-readable:

    register: NAME<TT> ADDR rcode=N|timeout [wack]
    query:    NAME<TT> ADDR[,ADDR...]|- rcode=N|timeout [group]
    status:   NAME<TT> FLAGS       (one line per name in the status reply)

Exit status: 0 if every operation got the answer asked for (see --expect),
1 otherwise, 2 on usage errors.
"""

import argparse
import ipaddress
import random
import select
import socket
import struct
import sys
import time

# RFC 1002 4.2.1.1 header flag bits in the 16-bit flags word
F_RESPONSE = 0x8000
F_AA = 0x0400
F_TC = 0x0200
F_RD = 0x0100
F_RA = 0x0080
F_BROADCAST = 0x0010

OP_QUERY = 0
OP_REGISTER = 5
OP_RELEASE = 6
OP_WACK = 7
OP_REFRESH = 8
OP_MULTIHOMED = 0xF

T_NB = 0x0020
T_NBSTAT = 0x0021
C_IN = 0x0001

NB_GROUP = 0x8000
ONT_H = 0x6000
NAME_ACTIVE = 0x0400

RCODE_NAMES = {0: "ok", 1: "FMT_ERR", 2: "SRV_ERR", 3: "NAM_ERR",
               4: "IMP_ERR", 5: "RFS_ERR", 6: "ACT_ERR", 7: "CFT_ERR"}

# Only these may ever be put on the wire or into a packet (harness rule).
ALLOWED_NETS = (ipaddress.ip_network("198.18.0.0/15"),
                ipaddress.ip_network("127.0.0.0/8"))


def allowed_ip(text):
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not an IPv4 address: %s" % text)
    if not any(addr in n for n in ALLOWED_NETS):
        raise argparse.ArgumentTypeError(
            "%s is outside 198.18.0.0/15 and 127.0.0.0/8" % text)
    return text


class Name:
    """A NetBIOS name: 15 significant bytes, a suffix byte, a scope."""

    def __init__(self, spec):
        scope = ""
        base = spec
        # suffix forms: NAME<1c> or NAME#1c, then optional .scope
        if "<" in spec:
            base, rest = spec.split("<", 1)
            sfx, rest = rest.split(">", 1)
            if rest.startswith("."):
                scope = rest[1:]
        elif "#" in spec:
            base, rest = spec.split("#", 1)
            sfx, _, scope = rest.partition(".")
        else:
            sfx = "00"
            base, _, scope = spec.partition(".")
        self.name = base.upper()
        self.suffix = int(sfx, 16)
        self.scope = scope
        if len(self.name.encode("latin-1")) > 15 or not 0 <= self.suffix <= 255:
            raise ValueError("bad NetBIOS name %r" % spec)

    def __str__(self):
        s = "%s<%02x>" % (self.name, self.suffix)
        if self.scope:
            s += "." + self.scope
        return s

    def key(self):
        return (self.name, self.suffix, self.scope.lower())

    def wire(self):
        # RFC 1001 14.1 first-level encoding: each half-byte + 'A'
        # the node status wildcard is '*' padded with NULs (RFC 1002
        # 4.2.17), every other name is padded with spaces
        pad = b"\x00" if self.name == "*" else b" "
        raw = self.name.encode("latin-1").ljust(15, pad) + bytes([self.suffix])
        enc = bytearray()
        for b in raw:
            enc.append(0x41 + (b >> 4))
            enc.append(0x41 + (b & 0x0F))
        out = bytes([32]) + bytes(enc)
        for label in self.scope.split(".") if self.scope else []:
            lb = label.encode("latin-1")
            out += bytes([len(lb)]) + lb
        return out + b"\x00"


def read_name(buf, pos):
    """Return (first-level decoded name, scope, position after the name)."""
    labels = []
    end = None
    hops = 0
    while True:
        if pos >= len(buf):
            raise ValueError("name runs past the end")
        ln = buf[pos]
        if ln & 0xC0 == 0xC0:
            if pos + 1 >= len(buf) or hops > 16:
                raise ValueError("bad compression pointer")
            ptr = ((ln & 0x3F) << 8) | buf[pos + 1]
            if end is None:
                end = pos + 2
            if ptr >= pos:
                raise ValueError("forward compression pointer")
            pos = ptr
            hops += 1
            continue
        if ln == 0:
            pos += 1
            break
        if pos + 1 + ln > len(buf):
            raise ValueError("label runs past the end")
        labels.append(buf[pos + 1:pos + 1 + ln])
        pos += 1 + ln
    if end is None:
        end = pos
    if not labels or len(labels[0]) != 32:
        raise ValueError("first label is not 32 bytes")
    enc = labels[0]
    raw = bytes(((enc[i] - 0x41) << 4) | (enc[i + 1] - 0x41)
                for i in range(0, 32, 2))
    scope = ".".join(x.decode("latin-1") for x in labels[1:])
    return raw, scope, end


def parse_reply(buf):
    """Decode the parts of a reply the tests look at."""
    if len(buf) < 12:
        raise ValueError("short reply (%d bytes)" % len(buf))
    trn, flags, qd, an, ns, ar = struct.unpack("!6H", buf[:12])
    rep = {"trn": trn, "flags": flags, "opcode": (flags >> 11) & 0xF,
           "rcode": flags & 0xF, "response": bool(flags & F_RESPONSE),
           "addrs": [], "group": False, "ttl": None, "names": []}
    pos = 12
    for _ in range(qd):
        _, _, pos = read_name(buf, pos)
        pos += 4
    if an == 0:
        return rep
    _, _, pos = read_name(buf, pos)
    if pos + 10 > len(buf):
        raise ValueError("truncated answer RR")
    rtype, rclass, ttl, rdlen = struct.unpack("!HHIH", buf[pos:pos + 10])
    pos += 10
    if pos + rdlen > len(buf):
        raise ValueError("RDLENGTH past the end")
    rdata = buf[pos:pos + rdlen]
    rep["ttl"] = ttl
    rep["rtype"] = rtype
    if rtype == T_NB and rep["opcode"] != OP_WACK:
        for i in range(0, rdlen - rdlen % 6, 6):
            fl, ip = struct.unpack("!H4s", rdata[i:i + 6])
            rep["group"] = bool(fl & NB_GROUP)
            rep["addrs"].append(socket.inet_ntoa(ip))
    elif rtype == T_NBSTAT and rdlen >= 1:
        n = rdata[0]
        for i in range(n):
            ent = rdata[1 + 18 * i:1 + 18 * (i + 1)]
            if len(ent) < 18:
                raise ValueError("truncated node status entry")
            nm = ent[:15].decode("latin-1").rstrip(" ")
            rep["names"].append((nm, ent[15],
                                 struct.unpack("!H", ent[16:18])[0]))
    return rep


class Transport:
    """One socket per source address; UDP datagrams or RFC 1002 TCP."""

    def __init__(self, server, port, tcp, bind_ip):
        self.server = (server, port)
        self.tcp = tcp
        self.rxbuf = b""
        if tcp:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        if bind_ip:
            self.sock.bind((bind_ip, 0))
        if tcp:
            self.sock.settimeout(5)
            self.sock.connect(self.server)
        self.sock.setblocking(False)
        self.eof = False

    def send(self, pkt):
        if self.tcp:
            # RFC 1002 4.2.1: 16-bit length, then the message
            self.sock.setblocking(True)
            self.sock.sendall(struct.pack("!H", len(pkt)) + pkt)
            self.sock.setblocking(False)
        else:
            self.sock.sendto(pkt, self.server)

    def recv(self):
        """Return the list of complete messages readable now."""
        msgs = []
        if not self.tcp:
            while True:
                try:
                    data, src = self.sock.recvfrom(65535)
                except BlockingIOError:
                    break
                if src[0] == self.server[0]:
                    msgs.append(data)
            return msgs
        try:
            chunk = self.sock.recv(65535)
        except BlockingIOError:
            chunk = None
        if chunk == b"":
            self.eof = True
        elif chunk:
            self.rxbuf += chunk
        while len(self.rxbuf) >= 2:
            ln = struct.unpack("!H", self.rxbuf[:2])[0]
            if len(self.rxbuf) < 2 + ln:
                break
            msgs.append(self.rxbuf[2:2 + ln])
            self.rxbuf = self.rxbuf[2 + ln:]
        return msgs

    def close(self):
        self.sock.close()


def build_request(trn, op, name, qtype=T_NB, rd=True, bcast=False,
                  rr=None):
    flags = (op << 11) | (F_RD if rd else 0) | (F_BROADCAST if bcast else 0)
    ar = 1 if rr else 0
    pkt = struct.pack("!6H", trn, flags, 1, 0, 0, ar)
    pkt += name.wire() + struct.pack("!HH", qtype, C_IN)
    if rr:
        ttl, nbflags, addr = rr
        # RR_NAME points back at the question name (offset 12)
        pkt += struct.pack("!HHHIH", 0xC00C, T_NB, C_IN, ttl, 6)
        pkt += struct.pack("!H", nbflags) + socket.inet_aton(addr)
    return pkt


class Op:
    def __init__(self, name, addr, bind_ip, pkt_fn):
        self.name = name
        self.addr = addr
        self.bind_ip = bind_ip
        self.pkt_fn = pkt_fn
        self.trn = None
        self.tries = 0
        self.deadline = 0.0
        self.reply = None
        self.wack = False
        self.error = None


def run_ops(args, ops):
    """Send every op (at most args.window in flight), match replies by
    transaction id, retransmit on timeout, honour WACK (RFC 1002 5.1.2.2:
    the server asks us to wait TTL seconds for the real answer)."""
    transports = {}
    pending = {}
    todo = list(ops)
    trn_next = random.randint(1, 0x7FFF)
    t_end = time.monotonic() + args.total_timeout

    def transport(bind_ip):
        tr = transports.get(bind_ip)
        if tr is None:
            tr = Transport(args.server, args.port, args.tcp, bind_ip)
            transports[bind_ip] = tr
        return tr

    def fire(op):
        nonlocal trn_next
        if op.trn is None:
            trn_next = (trn_next + 1) & 0xFFFF or 1
            op.trn = trn_next
        op.tries += 1
        op.deadline = time.monotonic() + args.timeout
        transport(op.bind_ip).send(op.pkt_fn(op.trn))
        pending[(op.bind_ip, op.trn)] = op

    try:
        while todo or pending:
            now = time.monotonic()
            if now > t_end:
                for op in pending.values():
                    op.error = "timeout"
                break
            while todo and len(pending) < args.window:
                fire(todo.pop(0))
            for key, op in list(pending.items()):
                if op.deadline <= now:
                    del pending[key]
                    if op.tries <= args.retries and not op.wack:
                        fire(op)
                    else:
                        op.error = "timeout"
            socks = {tr.sock: ip for ip, tr in transports.items()}
            if not pending:
                continue
            wait = max(0.0, min(op.deadline for op in pending.values())
                       - time.monotonic())
            rd, _, _ = select.select(list(socks), [], [], min(wait, 0.5))
            for s in rd:
                ip = socks[s]
                for data in transports[ip].recv():
                    try:
                        rep = parse_reply(data)
                    except ValueError as e:
                        print("warning: undecodable reply: %s" % e,
                              file=sys.stderr)
                        continue
                    op = pending.get((ip, rep["trn"]))
                    if op is None or not rep["response"]:
                        continue
                    if rep["opcode"] == OP_WACK:
                        op.wack = True
                        wt = rep["ttl"] or 1
                        op.deadline = time.monotonic() + min(wt, 60) + 2
                        continue
                    op.reply = rep
                    del pending[(ip, rep["trn"])]
                if transports[ip].eof:
                    # the server closed the TCP connection: whatever is
                    # still outstanding on it will not be answered
                    for key, op in list(pending.items()):
                        if key[0] == ip:
                            op.error = "closed"
                            del pending[key]
                    transports[ip].close()
                    del transports[ip]
    finally:
        for tr in transports.values():
            tr.close()
    return ops


def load_specs(args):
    """NAME<TT>[=ADDR[@BIND]] from the command line and --file lines
    "NAME<TT> ADDR [BIND]"."""
    specs = []
    for s in args.names:
        name, _, rest = s.partition("=")
        addr, _, bind = rest.partition("@")
        specs.append((name, addr or None, bind or None))
    if args.file:
        with open(args.file) as f:
            for line in f:
                parts = line.split()
                if not parts or parts[0].startswith("#"):
                    continue
                specs.append((parts[0], parts[1] if len(parts) > 1 else None,
                              parts[2] if len(parts) > 2 else None))
    out = []
    for name, addr, bind in specs:
        if addr:
            allowed_ip(addr)
        if bind:
            allowed_ip(bind)
        out.append((Name(name), addr, bind or args.bind))
    return out


def cmd_register(args):
    ops = []
    opcode = {"register": OP_REGISTER, "refresh": OP_REFRESH,
              "release": OP_RELEASE, "multihomed": OP_MULTIHOMED}[args.op]
    nbflags = ONT_H | (NB_GROUP if args.group else 0)
    for name, addr, bind in load_specs(args):
        if addr is None:
            addr = bind
        if addr is None:
            print("%s: no address" % name, file=sys.stderr)
            return 2

        def pkt(trn, name=name, addr=addr):
            return build_request(trn, opcode, name, rd=not args.bcast,
                                 bcast=args.bcast,
                                 rr=(args.ttl, nbflags, addr))
        ops.append(Op(name, addr, bind, pkt))
    run_ops(args, ops)
    ok = True
    want = args.expect
    for op in ops:
        if op.reply is None:
            res = "timeout"
        else:
            res = "rcode=%d" % op.reply["rcode"]
        print("%s %s %s%s" % (op.name, op.addr, res,
                              " wack" if op.wack else ""))
        if want == "any":
            continue
        if op.reply is None or op.reply["rcode"] != int(want):
            ok = False
    return 0 if ok else 1


def cmd_query(args):
    ops = []
    expected = {}
    for name, addr, bind in load_specs(args):
        def pkt(trn, name=name):
            return build_request(trn, OP_QUERY, name, rd=True)
        ops.append(Op(name, addr, bind, pkt))
        expected[id(ops[-1])] = addr
    run_ops(args, ops)
    ok = True
    for op in ops:
        if op.reply is None:
            print("%s - timeout" % op.name)
            ok = False
            continue
        rep = op.reply
        addrs = ",".join(rep["addrs"]) or "-"
        print("%s %s rcode=%d%s" % (op.name, addrs, rep["rcode"],
                                    " group" if rep["group"] else ""))
        want = expected[id(op)]
        if args.expect == "negative":
            if rep["rcode"] == 0:
                ok = False
        elif args.expect == "positive" or want:
            if rep["rcode"] != 0:
                ok = False
            elif want and want not in rep["addrs"]:
                ok = False
    return 0 if ok else 1


def cmd_status(args):
    specs = load_specs(args)
    if len(specs) != 1:
        print("status takes one name", file=sys.stderr)
        return 2
    name, _, bind = specs[0]

    def pkt(trn):
        return build_request(trn, OP_QUERY, name, qtype=T_NBSTAT, rd=False)
    op = Op(name, None, bind, pkt)
    run_ops(args, [op])
    if op.reply is None:
        print("status: timeout")
        return 1
    for nm, sfx, fl in op.reply["names"]:
        print("%s<%02x> %s %s" % (nm, sfx,
                                  "GROUP" if fl & NB_GROUP else "UNIQUE",
                                  "ACTIVE" if fl & NAME_ACTIVE else "-"))
    return 0 if op.reply["rcode"] == 0 else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--server", type=allowed_ip, required=True)
    p.add_argument("--port", type=int, default=137)
    p.add_argument("--bind", type=allowed_ip, default=None,
                   help="default source address")
    p.add_argument("--tcp", action="store_true",
                   help="RFC 1002 TCP transport (2-byte length prefix)")
    p.add_argument("--timeout", type=float, default=2.0,
                   help="seconds before a retransmission")
    p.add_argument("--retries", type=int, default=2)
    p.add_argument("--total-timeout", type=float, default=120.0)
    p.add_argument("--window", type=int, default=16,
                   help="requests in flight at once")
    p.add_argument("--file", help="names file: NAME<TT> ADDR [BIND]")
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("register")
    r.add_argument("--op", default="register",
                   choices=["register", "refresh", "release", "multihomed"])
    r.add_argument("--group", action="store_true")
    r.add_argument("--bcast", action="store_true",
                   help="set the B flag (a broadcast-style registration)")
    r.add_argument("--ttl", type=int, default=300000)
    r.add_argument("--expect", default="0",
                   help="rcode every reply must carry, or 'any'")
    r.add_argument("names", nargs="*")
    q = sub.add_parser("query")
    q.add_argument("--expect", default="auto",
                   choices=["auto", "positive", "negative"])
    q.add_argument("names", nargs="*")
    s = sub.add_parser("status")
    s.add_argument("names", nargs="*")
    args = p.parse_args()
    if args.cmd == "register":
        return cmd_register(args)
    if args.cmd == "query":
        return cmd_query(args)
    return cmd_status(args)


if __name__ == "__main__":
    sys.exit(main())
