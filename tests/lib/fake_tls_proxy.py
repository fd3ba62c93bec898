#!/usr/bin/env python3
"""fake_tls_proxy.py - an https:// forward proxy for tests: TLS to the proxy
itself (TLS 1.3, with session tickets, as a real one), then HTTP CONNECT, then
bytes relayed both ways to the one backend given (--to PORT on 127.0.0.1),
whatever host the CONNECT names.  Each connection is logged as a JSON line:
the CONNECT target and whether the client resumed a TLS session with the
proxy.  With --plain it is an http:// proxy (no TLS to the proxy itself), the
kind HTTPS_PROXY names on most laptops.  With --socks5 it is a SOCKS5 proxy
(no authentication, CONNECT only), logging the address it was asked for and
its type: "domain" when the client left the name for the proxy to resolve.

usage: fake_tls_proxy.py --cert CRT --key KEY --to PORT [--plain | --socks5]
                         [--port 0] [--ready-file FILE] [--log FILE.jsonl]
"""
import select
import socket
import sys
import threading
import time

from fake_server import RequestLog, arguments, tls_context, write_atomic


def relay(a, b):
    """Copy bytes between a and b until either side closes."""
    socks = [a, b]
    while True:
        r, _, _ = select.select(socks, [], [], 10)
        if not r:
            return
        for s in r:
            try:
                data = s.recv(65536)
            except OSError:
                return
            if not data:
                return
            (b if s is a else a).sendall(data)


def recv_exact(conn, n):
    """n bytes from conn, or None when it closes first."""
    data = b""
    while len(data) < n:
        piece = conn.recv(n - len(data))
        if not piece:
            return None
        data += piece
    return data


def socks5_target(conn):
    """The SOCKS5 greeting and CONNECT request on conn: (type, host, port) or None."""
    head = recv_exact(conn, 2)
    if head is None or head[0] != 5 or recv_exact(conn, head[1]) is None:
        return None
    conn.sendall(b"\x05\x00")  # no authentication
    req = recv_exact(conn, 4)
    if req is None or req[:2] != b"\x05\x01":
        return None
    if req[3] == 1:
        kind, host = "ipv4", socket.inet_ntop(socket.AF_INET, recv_exact(conn, 4))
    elif req[3] == 4:
        kind, host = "ipv6", socket.inet_ntop(socket.AF_INET6, recv_exact(conn, 16))
    elif req[3] == 3:
        kind, host = "domain", recv_exact(conn, recv_exact(conn, 1)[0]).decode("latin-1")
    else:
        return None
    return kind, host, int.from_bytes(recv_exact(conn, 2), "big")


def handle_socks5(conn, opts, log):
    try:
        target = socks5_target(conn)
        log({"time": time.time(),
             "request": None if target is None else "SOCKS5 CONNECT %s %s:%d" % target})
        if target is None:
            return
        back = socket.create_connection(("127.0.0.1", opts.to))
        conn.sendall(b"\x05\x00\x00\x01\x7f\x00\x00\x01" + opts.to.to_bytes(2, "big"))
        relay(conn, back)
        back.close()
    except (OSError, TypeError):
        pass
    finally:
        conn.close()


def handle(conn, opts, ctx, log):
    if opts.socks5:
        handle_socks5(conn, opts, log)
        return
    try:
        tls = conn if opts.plain else ctx.wrap_socket(conn, server_side=True)
    except OSError as e:
        log({"time": time.time(), "tls": "failed: %s" % e})
        conn.close()
        return
    try:
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 8192:
            piece = tls.recv(4096)
            if not piece:
                return
            head += piece
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        log({"time": time.time(), "request": line,
             "tls_version": None if opts.plain else tls.version(),
             "tls_resumed": False if opts.plain else tls.session_reused})
        if not line.startswith("CONNECT "):
            tls.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        back = socket.create_connection(("127.0.0.1", opts.to))
        tls.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        rest = head.split(b"\r\n\r\n", 1)[1]
        if rest:
            back.sendall(rest)
        relay(tls, back)
        back.close()
    except OSError:
        pass
    finally:
        try:
            tls.close()
        except OSError:
            pass


def main():
    ap = arguments("https:// CONNECT proxy stand-in")
    ap.add_argument("--to", type=int, required=True)
    ap.add_argument("--plain", action="store_true", help="an http:// proxy: no TLS to it")
    ap.add_argument("--socks5", action="store_true", help="a SOCKS5 proxy: no TLS to it")
    opts = ap.parse_args()
    ctx = tls_context(opts.cert, opts.key)
    log = RequestLog(opts.log)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", opts.port))
    srv.listen(16)
    if opts.ready_file:
        write_atomic(opts.ready_file, "%d\n" % srv.getsockname()[1])
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn, opts, ctx, log), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
