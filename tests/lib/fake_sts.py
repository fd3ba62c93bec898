#!/usr/bin/env python3
"""fake_sts.py - a local stand-in for AWS STS GetCallerIdentity, for tests.

HTTPS on 127.0.0.1 with a certificate made at test time (tests/lib/mkcerts.sh).
Each presigned GET is checked as STS checks it: the SigV4 signature is
recomputed with botocore from a table of test credentials, over the headers
named in X-Amz-SignedHeaders as received (so a token minted for cluster A and
sent with "x-k8s-aws-id: B" fails with SignatureDoesNotMatch, as at AWS), and
X-Amz-Date must be within the 15-minute window.  Answers are STS's JSON (or
XML when the client does not ask for JSON) and STS-shaped errors.

Fault switches, chosen with --fault at start and, per connection, from the
JSON control file given with --control ({"fault": NAME, "delay": SECONDS}),
re-read for every connection:
  none             answer normally
  delay            wait "delay" seconds (--delay), then answer normally
  silence          read the request, never answer (until the client leaves)
  stall-tls        accept the TCP connection, never start TLS
  close-mid-body   send the headers and half the body, then close
  reset            read the request, then reset the connection (RST)
  redirect         302 to another STS URL
  500 | 503        InternalFailure | ServiceUnavailable
  throttling       400 Throttling "Rate exceeded"
  non-json         200 with an HTML page
  truncated-json   200 with a well-framed but cut JSON body
  wrong-types      200 with Account and UserId of the wrong JSON types
  mismatched-account  200 whose Account is not the ARN's
  other-partition  200 whose Arn is the caller's in the aws-cn partition
                   (arn:aws-cn:...), as if this STS answered for China
  xml              200 in XML even when JSON is asked for
  empty            200 with an empty body
  huge             200 with a 1 MiB body (Content-Length)
  huge-chunked     200 with a 1 MiB body, chunked
  wrong-name-cert  TLS with the certificate given as --alt wrong-name=...
  foreign-ca-cert  TLS with the certificate given as --alt foreign-ca=...
A connection held without an answer (delay, silence, stall-tls) is logged again when
it ends before an answer: {"closed_by": "client"} when the client closed it first (it
gave up at its own timeout), "stand-in" when --hold-max seconds (default 60) passed,
with "held_s".

usage: fake_sts.py --cert CRT --key KEY --creds FILE.json [--port 0]
                   [--ready-file FILE] [--pid-file FILE] [--control FILE]
                   [--fault NAME] [--delay S] [--alt NAME=CRT,KEY]...
                   [--log FILE.jsonl] [--max-age 900] [--skew 300] [--hold-max 60]

creds FILE.json: {"ASIA...": {"secret": "...", "session_token": "..." | null,
                  "arn": "...", "user_id": "...", "account": "..."}, ...}
"""
import datetime
import hmac
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from fake_server import RequestLog, arguments, hold, read_control, tls_context, write_atomic

FAULTS = {
    "none", "delay", "silence", "stall-tls", "close-mid-body", "reset", "redirect", "500",
    "503", "throttling", "non-json", "truncated-json", "wrong-types", "mismatched-account",
    "other-partition", "xml", "empty", "huge", "huge-chunked", "wrong-name-cert",
    "foreign-ca-cert",
}
CERT_OF_FAULT = {"wrong-name-cert": "wrong-name", "foreign-ca-cert": "foreign-ca"}
ALLOWED = {
    "action", "version", "x-amz-algorithm", "x-amz-credential", "x-amz-date",
    "x-amz-expires", "x-amz-security-token", "x-amz-signature", "x-amz-signedheaders",
}


class StsError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def parse_amz_date(value):
    try:
        t = datetime.datetime.strptime(value, "%Y%m%dT%H%M%SZ")
    except ValueError:
        raise StsError(400, "IncompleteSignature", "X-Amz-Date is not a date")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp()


def verify(method, raw_path, headers, creds, max_age, skew):
    """Check a presigned GetCallerIdentity as STS does; return the credential record."""
    if method != "GET":
        raise StsError(400, "InvalidAction", "only GET is served here")
    parts = urlsplit(raw_path)
    if parts.path != "/":
        raise StsError(400, "InvalidAction", "unexpected path")
    try:
        pairs = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise StsError(400, "MalformedQueryString", "the query string is malformed")
    params = {}
    for k, v in pairs:
        # Case-insensitive duplicates too (CVE-2022-2385): STS would see one of them.
        if k.lower() in {p.lower() for p in params}:
            raise StsError(400, "MalformedQueryString", "duplicate parameter " + k)
        if k.lower() not in ALLOWED:
            raise StsError(400, "MalformedQueryString", "unexpected parameter " + k)
        params[k] = v
    if params.get("Action") != "GetCallerIdentity":
        raise StsError(400, "InvalidAction", "Could not find operation " + params.get("Action", ""))
    if params.get("Version") != "2011-06-15":
        raise StsError(400, "InvalidAction", "unsupported version")
    if params.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256":
        raise StsError(400, "IncompleteSignature", "unsupported algorithm")
    for k in ("X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature"):
        if k not in params:
            raise StsError(400, "IncompleteSignature", k + " is missing")
    cred = params["X-Amz-Credential"].split("/")
    if len(cred) != 5 or cred[3] != "sts" or cred[4] != "aws4_request":
        raise StsError(400, "IncompleteSignature", "malformed credential scope")
    akid, date8, region = cred[0], cred[1], cred[2]
    amz_date = params["X-Amz-Date"]
    if date8 != amz_date[:8]:
        raise StsError(403, "SignatureDoesNotMatch", "credential date is not X-Amz-Date's")
    signed = params["X-Amz-SignedHeaders"].split(";")
    if "host" not in signed:
        raise StsError(403, "SignatureDoesNotMatch", "host is not signed")
    for h in signed:
        if headers.get(h) is None:
            raise StsError(400, "IncompleteSignature", "signed header %s missing from request" % h)
    record = creds.get(akid)
    if record is None:
        raise StsError(403, "InvalidClientTokenId",
                       "The security token included in the request is invalid.")
    if (record.get("session_token") or None) != params.get("X-Amz-Security-Token"):
        raise StsError(403, "InvalidClientTokenId",
                       "The security token included in the request is invalid.")
    signed_at = parse_amz_date(amz_date)
    now = time.time()
    if now - signed_at > max_age:
        raise StsError(403, "ExpiredToken", "Request has expired")
    if signed_at - now > skew:
        raise StsError(403, "SignatureDoesNotMatch", "Signature not yet current")

    # Recompute the signature with botocore over what was received.
    req = AWSRequest(method="GET", url="https://%s/" % headers.get("host"))
    req.params = {k: v for k, v in params.items() if k != "X-Amz-Signature"}
    for h in signed:
        req.headers[h] = headers.get(h)
    req.context["timestamp"] = amz_date
    auth = SigV4QueryAuth(Credentials(akid, record["secret"], record.get("session_token")),
                          "sts", region)
    canonical = auth.canonical_request(req)
    expected = auth.signature(auth.string_to_sign(req, canonical), req)
    if not hmac.compare_digest(expected, params["X-Amz-Signature"]):
        raise StsError(403, "SignatureDoesNotMatch",
                       "The request signature we calculated does not match the signature you "
                       "provided. Check your AWS Secret Access Key and signing method. Consult "
                       "the service documentation for details.")
    return record


def identity_json(record):
    return {"GetCallerIdentityResponse": {
        "GetCallerIdentityResult": {
            "Account": record["account"], "Arn": record["arn"], "UserId": record["user_id"]},
        "ResponseMetadata": {"RequestId": str(uuid.uuid4())}}}


def identity_xml(record):
    return ('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n'
            "  <GetCallerIdentityResult>\n"
            "    <Arn>%s</Arn>\n    <UserId>%s</UserId>\n    <Account>%s</Account>\n"
            "  </GetCallerIdentityResult>\n"
            "  <ResponseMetadata>\n    <RequestId>%s</RequestId>\n  </ResponseMetadata>\n"
            "</GetCallerIdentityResponse>\n" % (record["arn"], record["user_id"],
                                                record["account"], uuid.uuid4()))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-sts"
    sys_version = ""

    def log_message(self, fmt, *args):
        if self.server.opts.verbose:
            sys.stderr.write("fake_sts: " + (fmt % args) + "\n")

    def send(self, status, body, ctype="application/json", extra=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def send_error_sts(self, status, code, message, want_json):
        if want_json:
            body = json.dumps({"Error": {"Code": code, "Message": message,
                                         "Type": "Sender" if status < 500 else "Receiver"},
                               "RequestId": str(uuid.uuid4())})
            self.send(status, body)
        else:
            body = ('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n'
                    "  <Error>\n    <Type>Sender</Type>\n    <Code>%s</Code>\n"
                    "    <Message>%s</Message>\n  </Error>\n  <RequestId>%s</RequestId>\n"
                    "</ErrorResponse>\n" % (code, message, uuid.uuid4()))
            self.send(status, body, "text/xml")

    def held(self, fault, limit):
        """Answer nothing for limit seconds; True (and logged) when the client left first."""
        closed, secs = hold(self.connection, limit)
        if closed or fault != "delay":
            self.server.record_held(fault, closed, secs)
        return closed

    def do_GET(self):
        opts = self.server.opts
        fault, delay = self.server.local.fault, self.server.local.delay
        headers = {k.lower(): v for k, v in self.headers.items()}
        want_json = "application/json" in headers.get("accept", "")
        self.server.record({
            "time": time.time(), "method": "GET", "path": urlsplit(self.path).path,
            "params": [k for k, _ in parse_qsl(urlsplit(self.path).query,
                                               keep_blank_values=True)],
            "headers": headers, "fault": fault,
            # How the client's TLS handshake went: a resumed session skipped the certificate.
            "tls_version": self.connection.version(),
            "tls_resumed": self.connection.session_reused})

        if fault == "delay":
            if self.held(fault, delay):
                self.close_connection = True
                return
        elif fault == "silence":
            self.held(fault, self.server.opts.hold_max)
            self.close_connection = True
            return
        elif fault == "reset":
            # SO_LINGER 0: close() sends RST instead of FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        elif fault == "redirect":
            self.send(302, "", "text/plain",
                      [("Location", "https://sts.amazonaws.com/?Action=GetCallerIdentity")])
            return
        elif fault == "500":
            self.send_error_sts(500, "InternalFailure", "internal failure", True)
            return
        elif fault == "503":
            self.send_error_sts(503, "ServiceUnavailable", "Service unavailable", True)
            return
        elif fault == "throttling":
            self.send_error_sts(400, "Throttling", "Rate exceeded", want_json)
            return
        elif fault == "non-json":
            self.send(200, "<html><body>Gateway</body></html>\n", "text/html")
            return
        elif fault == "empty":
            self.send(200, "")
            return
        elif fault in ("huge", "huge-chunked"):
            self.send_huge(fault == "huge-chunked")
            return

        try:
            record = verify("GET", self.path, headers, self.server.creds, opts.max_age,
                            opts.skew)
        except StsError as e:
            self.send_error_sts(e.status, e.code, e.message, want_json)
            return

        if fault == "close-mid-body":
            body = json.dumps(identity_json(record)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if fault == "truncated-json":
            body = json.dumps(identity_json(record))
            self.send(200, body[: len(body) // 2])
            return
        if fault == "wrong-types":
            obj = identity_json(record)
            res = obj["GetCallerIdentityResponse"]["GetCallerIdentityResult"]
            res["Account"] = int(res["Account"])
            res["UserId"] = [res["UserId"]]
            self.send(200, json.dumps(obj))
            return
        if fault == "mismatched-account":
            obj = identity_json(record)
            obj["GetCallerIdentityResponse"]["GetCallerIdentityResult"]["Account"] = "999999999999"
            self.send(200, json.dumps(obj))
            return
        if fault == "other-partition":
            obj = identity_json(record)
            res = obj["GetCallerIdentityResponse"]["GetCallerIdentityResult"]
            if not res["Arn"].startswith("arn:aws:"):
                raise ValueError("other-partition wants an arn:aws: caller, not %s" % res["Arn"])
            res["Arn"] = "arn:aws-cn:" + res["Arn"][len("arn:aws:"):]
            self.send(200, json.dumps(obj))
            return
        if fault == "xml" or not want_json:
            self.send(200, identity_xml(record), "text/xml")
            return
        self.send(200, json.dumps(identity_json(record)))

    def send_huge(self, chunked):
        piece = (b'{"pad":"' + b"x" * 1000 + b'"}\n')
        total = 1024 * 1024
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(total))
        self.send_header("Connection", "close")
        self.end_headers()
        sent = 0
        try:
            while sent < total:
                n = min(len(piece), total - sent)
                if chunked:
                    self.wfile.write(b"%x\r\n" % n + piece[:n] + b"\r\n")
                else:
                    self.wfile.write(piece[:n])
                sent += n
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except (OSError, ssl.SSLError):
            pass  # the client stopped reading at its cap: that is the point
        self.close_connection = True


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, opts, creds, contexts):
        self.opts = opts
        self.creds = creds
        self.contexts = contexts
        self.local = threading.local()
        self.record = RequestLog(opts.log)
        super().__init__(("127.0.0.1", opts.port), Handler)

    def record_held(self, fault, closed, secs):
        self.record({"time": time.time(), "fault": fault,
                     "closed_by": "client" if closed else "stand-in", "held_s": round(secs, 3)})

    def current_fault(self):
        ctl = read_control(self.opts.control, "fake_sts") or {}
        fault, delay = ctl.get("fault", self.opts.fault), self.opts.delay
        try:
            delay = float(ctl.get("delay", delay))
        except (TypeError, ValueError) as e:
            sys.stderr.write("fake_sts: control file: delay: %s\n" % e)
        if fault not in FAULTS:
            sys.stderr.write("fake_sts: unknown fault %r; answering normally\n" % fault)
            fault = "none"
        return fault, delay

    def finish_request(self, request, client_address):
        fault, delay = self.current_fault()
        self.local.fault, self.local.delay = fault, delay
        request.settimeout(self.opts.hold_max)
        if fault == "stall-tls":
            self.record({"time": time.time(), "fault": fault, "tls": "never started"})
            self.record_held(fault, *hold(request, self.opts.hold_max))
            return
        ctx = self.contexts.get(CERT_OF_FAULT.get(fault, "default"))
        if ctx is None:
            sys.stderr.write("fake_sts: fault %s needs --alt %s=CRT,KEY\n"
                             % (fault, CERT_OF_FAULT[fault]))
            return
        try:
            conn = ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            # The client refused our certificate (the wrong-cert faults) or left.
            self.record({"time": time.time(), "fault": fault, "tls": "failed: %s" % e})
            return
        try:
            self.RequestHandlerClass(conn, client_address, self)
        except (OSError, ssl.SSLError):
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass


def main():
    ap = arguments("local STS GetCallerIdentity stand-in")
    ap.add_argument("--alt", action="append", default=[], metavar="NAME=CRT,KEY")
    ap.add_argument("--creds", required=True)
    ap.add_argument("--pid-file")
    ap.add_argument("--fault", default="none")
    ap.add_argument("--delay", type=float, default=1.0)
    ap.add_argument("--max-age", type=int, default=900)
    ap.add_argument("--skew", type=int, default=300)
    ap.add_argument("--hold-max", type=float, default=60.0,
                    help="seconds a connection is held without an answer at most")
    ap.add_argument("--verbose", action="store_true")
    opts = ap.parse_args()
    if opts.fault not in FAULTS:
        ap.error("unknown fault %s" % opts.fault)

    with open(opts.creds) as f:
        creds = json.load(f)
    contexts = {"default": tls_context(opts.cert, opts.key)}
    for alt in opts.alt:
        name, _, files = alt.partition("=")
        crt, _, key = files.partition(",")
        if not name or not crt or not key:
            ap.error("--alt wants NAME=CRT,KEY")
        contexts[name] = tls_context(crt, key)

    server = Server(opts, creds, contexts)
    port = server.server_address[1]
    if opts.pid_file:
        write_atomic(opts.pid_file, "%d\n" % os.getpid())
    if opts.ready_file:
        write_atomic(opts.ready_file, "%d\n" % port)
    else:
        print(port, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
