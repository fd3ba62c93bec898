"""fake_server.py - what the stand-ins of tests/lib (fake_*.py) share.

serve() runs a request handler on 127.0.0.1, over TLS when given a certificate,
and says its port through a ready file once it listens (a FleetHandler for the
stand-ins a whole fleet calls at once); RequestLog appends one
JSON line per request; read_control() reads the JSON control file a test
rewrites while a stand-in runs; write_atomic() writes a file readers never see
half-written; hold() keeps a connection without answering until the client
leaves.  The stand-ins import it from their own folder.
"""
import argparse
import json
import os
import select
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def write_atomic(path, text):
    """text into path: a temp file beside it, fsync, rename."""
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)


def hold(conn, limit):
    """Answer nothing on conn until the client closes it or limit seconds pass.

    Whatever the client sends meanwhile is read and dropped.  Returns (closed,
    seconds): closed is True when the client closed the connection (or reset
    it) first, False when limit passed; seconds is how long it was held.  A
    test tells a client that gave up at its own timeout from a hang this way,
    without timing the client (the stand-in logs which side ended it).
    """
    start = time.monotonic()
    while True:
        left = start + limit - time.monotonic()
        if left <= 0:
            return False, time.monotonic() - start
        r, _, _ = select.select([conn], [], [], min(left, 0.2))
        if not r:
            continue
        try:
            if not conn.recv(4096):
                return True, time.monotonic() - start
        except (OSError, ssl.SSLError):
            return True, time.monotonic() - start


def arguments(description, tls=True):
    """An argument parser with the options every stand-in takes.

    --port (0: any free one), --ready-file (gets the port), --control (the
    JSON file a test rewrites), --log (JSON lines), and with tls the required
    --cert and --key of its certificate.
    """
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--ready-file")
    p.add_argument("--control")
    p.add_argument("--log")
    if tls:
        p.add_argument("--cert", required=True)
        p.add_argument("--key", required=True)
    return p


def tls_context(cert, key):
    """A server's TLS context: TLS 1.2 or later, HTTP/1.1."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


class FleetServer(ThreadingHTTPServer):
    """The server of a FleetHandler: many hosts connect at once."""

    daemon_threads = True
    request_queue_size = 1024  # a fleet (re)connects at once: no connection refused for that

    def handle_error(self, request, client_address):
        pass  # a client gone mid-handshake or mid-answer is no error of the stand-in


class FleetHandler(BaseHTTPRequestHandler):
    """A quiet HTTP/1.1 handler for a stand-in a fleet calls (tests/lib/fleet_sim.py).

    serve() leaves its TLS handshake to setup(), in the connection's own
    thread: one slow client does not hold up the thread that accepts them all.
    """

    protocol_version = "HTTP/1.1"

    def setup(self):
        self.request.settimeout(10)
        self.request.do_handshake()
        self.request.settimeout(None)
        super().setup()

    def log_message(self, *a):
        pass


def serve(handler, port=0, cert=None, key=None, ready_file=None, **attrs):
    """Serve handler on 127.0.0.1:port (0: any free port) until interrupted.

    Over TLS when cert and key are given; every keyword in attrs becomes an
    attribute of the server (the handler reads self.server.<name>).  The port
    goes to ready_file once the socket listens.  Returns 0, an exit code.
    """
    fleet = issubclass(handler, FleetHandler)
    srv = (FleetServer if fleet else ThreadingHTTPServer)(("127.0.0.1", port), handler)
    srv.daemon_threads = True
    for name, value in attrs.items():
        setattr(srv, name, value)
    if cert:
        srv.socket = tls_context(cert, key).wrap_socket(srv.socket, server_side=True,
                                                        do_handshake_on_connect=not fleet)
    if ready_file:
        write_atomic(ready_file, str(srv.server_address[1]))
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


class RequestLog:
    """One JSON line per request in path (nothing when path is None), whole under threads."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()

    def __call__(self, rec):
        if self.path:
            with self.lock, open(self.path, "a") as f:
                f.write(json.dumps(rec) + "\n")


def read_control(path, who):
    """The JSON object in the control file path; None when there is none.

    A file that cannot be read or holds no JSON object counts as none, said
    on stderr as who (a test may be rewriting it).
    """
    if not path:
        return None
    try:
        with open(path) as f:
            ctl = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        sys.stderr.write("%s: control file %s: %s\n" % (who, path, e))
        return None
    return ctl if isinstance(ctl, dict) else None
