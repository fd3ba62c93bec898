#!/usr/bin/env python3
"""fake_imds.py - a local stand-in for the EC2 instance metadata service, IMDSv2 only.

Plain HTTP on 127.0.0.1, as IMDS is plain HTTP on 169.254.169.254.  It behaves
as IMDS does when IMDSv2 is required (HttpTokens=required):
  PUT /latest/api/token            needs X-aws-ec2-metadata-token-ttl-seconds (1..21600),
                                   answers a session token and echoes the TTL header;
                                   a request with X-Forwarded-For is refused (403)
  GET /latest/meta-data/...        needs X-aws-ec2-metadata-token with a live session
                                   token, else 401 (no IMDSv1 fallback)
    iam/security-credentials/        the role name (404 with --no-role)
    iam/security-credentials/ROLE    {"Code": "Success", "AccessKeyId", "SecretAccessKey",
                                      "Token", "Expiration", ...} from --creds FILE --akid KEY
    placement/region, instance-id, local-hostname
Fault (--fault, or "fault" in the JSON --control file, re-read per request):
  none | down (close the connection) | 500 | no-token-endpoint (PUT -> 404) | bad-json |
  silence (read the request, never answer: held until the client leaves, or 60 s; how it
  ended is logged as {"closed_by": "client" or "stand-in", "held_s": S})
The control file's "instance_id", "hostname" and "region", when present, replace
--instance-id, --hostname and --region: the same disk seen from another instance (an image
baked on one, run on another), or a VPC whose DHCP option set names another domain.
Every request is logged as one JSON line (method, path, ttl, token_ok) to --log.

usage: fake_imds.py --creds FILE.json --akid KEY --role NAME [--port 0] [--ready-file F]
                    [--lifetime 21600] [--region R] [--instance-id I] [--hostname H]
                    [--no-role] [--control F] [--fault NAME] [--log F]
"""
import datetime
import json
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler

from fake_server import RequestLog, arguments, hold, read_control, serve

HOLD_MAX = 60.0  # seconds a silent connection is held at most


class State:
    def __init__(self, args):
        self.args = args
        self.tokens = {}  # token -> expiry (monotonic)
        self.lock = threading.Lock()
        self.creds = json.load(open(args.creds))[args.akid]
        self.log = RequestLog(args.log)

    def fault(self):
        ctl = read_control(self.args.control, "fake_imds")
        return ctl.get("fault", "none") if ctl is not None else self.args.fault

    def identity(self):
        """(instance id, local hostname, region): the control file's when it names them."""
        ctl = read_control(self.args.control, "fake_imds") or {}
        return (ctl.get("instance_id", self.args.instance_id),
                ctl.get("hostname", self.args.hostname),
                ctl.get("region", self.args.region))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "EC2ws"
    sys_version = ""

    def log_message(self, fmt, *a):
        pass

    def reply(self, status, body=b"", ctype="text/plain", extra=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def common(self):
        st = self.server.state
        fault = st.fault()
        if fault == "silence":
            closed, held = hold(self.connection, HOLD_MAX)
            st.log({"closed_by": "client" if closed else "stand-in", "held_s": round(held, 3)})
            self.close_connection = True
            return None
        if fault == "down":
            self.close_connection = True
            self.connection.close()
            return None
        if fault == "500":
            self.reply(500, b"Internal Server Error")
            return None
        return fault

    def do_PUT(self):
        st = self.server.state
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
        st.log({"method": "PUT", "path": self.path, "ttl": ttl})
        fault = self.common()
        if fault is None:
            return
        if fault == "no-token-endpoint" or self.path != "/latest/api/token":
            return self.reply(404, b"Not Found")
        # IMDS refuses token requests that went through a proxy.
        if self.headers.get("X-Forwarded-For"):
            return self.reply(403, b"Forbidden")
        try:
            ttl_i = int(ttl)
        except (TypeError, ValueError):
            return self.reply(400, b"Bad Request")
        if not 1 <= ttl_i <= 21600:
            return self.reply(400, b"Bad Request")
        tok = "AQAEA" + secrets.token_urlsafe(40)
        with st.lock:
            st.tokens[tok] = time.monotonic() + ttl_i
        self.reply(200, tok.encode(), extra={"X-aws-ec2-metadata-token-ttl-seconds": str(ttl_i)})

    def do_GET(self):
        st = self.server.state
        a = st.args
        tok = self.headers.get("X-aws-ec2-metadata-token")
        with st.lock:
            exp = st.tokens.get(tok or "")
        token_ok = exp is not None and exp > time.monotonic()
        st.log({"method": "GET", "path": self.path, "token_ok": token_ok})
        fault = self.common()
        if fault is None:
            return
        # IMDSv2 required: no token (or a dead one) is 401, never an answer.
        if not token_ok:
            return self.reply(401, b"Unauthorized")
        base = "/latest/meta-data/iam/security-credentials/"
        if self.path == base:
            if a.no_role:
                return self.reply(404, b"Not Found")
            return self.reply(200, a.role.encode())
        if self.path == base + a.role and not a.no_role:
            if fault == "bad-json":
                return self.reply(200, b"{\"Code\": \"Success\", ")
            now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
            exp = now + datetime.timedelta(seconds=a.lifetime)
            doc = {
                "Code": "Success",
                "LastUpdated": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "Type": "AWS-HMAC",
                "AccessKeyId": a.akid,
                "SecretAccessKey": st.creds["secret"],
                "Token": st.creds["session_token"],
                "Expiration": exp.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            return self.reply(200, json.dumps(doc, indent=2).encode())
        instance_id, hostname, region = st.identity()
        simple = {
            "/latest/meta-data/placement/region": region,
            "/latest/meta-data/instance-id": instance_id,
            "/latest/meta-data/local-hostname": hostname,
        }
        if self.path in simple:
            return self.reply(200, simple[self.path].encode())
        self.reply(404, b"Not Found")


def main():
    p = arguments("a local stand-in for EC2 instance metadata (IMDSv2)", tls=False)
    p.add_argument("--creds", required=True)
    p.add_argument("--akid", required=True)
    p.add_argument("--role", required=True)
    p.add_argument("--no-role", action="store_true")
    p.add_argument("--lifetime", type=int, default=21600)
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--instance-id", default="i-0123456789abcdef0")
    p.add_argument("--hostname", default="ip-10-0-1-23.ec2.internal")
    p.add_argument("--fault", default="none")
    a = p.parse_args()
    return serve(Handler, a.port, ready_file=a.ready_file, state=State(a))


if __name__ == "__main__":
    sys.exit(main())
