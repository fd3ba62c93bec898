#!/usr/bin/env python3
"""fake_eks.py - a local stand-in for the EKS API's access entries, for tests.

HTTPS on 127.0.0.1 with a certificate for eks.<region>.amazonaws.com.  Every request
must carry a SigV4 Authorization header (service eks) that botocore recomputes from
the request as received (method, raw path, raw query, the signed headers) and the
test credentials of --creds; X-Amz-Date within 5 minutes.  Errors as EKS sends them
(JSON with "message", header x-amzn-ErrorType).

  GET /clusters/NAME/access-entries?maxResults=N&nextToken=T   ListAccessEntries,
      paginated by --page-size (nextToken an opaque string with + / =)
  GET /clusters/NAME/access-entries/ARN                        DescribeAccessEntry
Entries come from --entries FILE.json: [{"principalArn", "username"?,
"kubernetesGroups", "type"}...], re-read for every request.  --control FILE.json:
{"fault": "none" | "500" | "throttle"}.  Requests are logged to --log as JSON lines.
"""
import argparse
import base64
import datetime
import hmac
import json
import os
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, obj, etype=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if etype:
            self.send_header("x-amzn-ErrorType", etype)
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, etype, message):
        self.log_rec["status"] = status
        self.log_rec["error"] = etype
        self.send(status, {"__type": etype, "message": message}, etype)

    def verify(self):
        a = self.server.args
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 "):
            return "MissingAuthenticationTokenException", "no SigV4 Authorization header"
        parts = dict(p.strip().split("=", 1) for p in auth[17:].split(","))
        akid, date8, region, service, term = parts["Credential"].split("/")
        creds = json.load(open(a.creds)).get(akid)
        if creds is None:
            return "UnrecognizedClientException", "The security token included in the request is invalid."
        if service != "eks" or region != a.region or term != "aws4_request":
            return "InvalidSignatureException", "Credential should be scoped to a valid region/service."
        amz = self.headers.get("X-Amz-Date", "")
        t = datetime.datetime.strptime(amz, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
        if abs((datetime.datetime.now(datetime.timezone.utc) - t).total_seconds()) > 300:
            return "InvalidSignatureException", "Signature expired"
        signed = parts["SignedHeaders"].split(";")
        if "host" not in signed or "x-amz-date" not in signed:
            return "InvalidSignatureException", "host and x-amz-date must be signed"
        if creds.get("session_token") and "x-amz-security-token" not in signed:
            return "InvalidSignatureException", "the session token must be signed"
        if creds.get("session_token") != self.headers.get("X-Amz-Security-Token"):
            return "UnrecognizedClientException", "The security token included in the request is invalid."
        req = AWSRequest(method="GET", url="https://%s%s" % (self.headers["Host"], self.path),
                         headers={h: self.headers[h] for h in signed if h != "host"})
        req.context["timestamp"] = amz
        sv = SigV4Auth(Credentials(akid, creds["secret"], creds.get("session_token")), "eks", region)
        want = sv.signature(sv.string_to_sign(req, sv.canonical_request(req)), req)
        if sv.signed_headers(sv.headers_to_sign(req)) != parts["SignedHeaders"]:
            return "InvalidSignatureException", "signed headers differ"
        if not hmac.compare_digest(want, parts["Signature"]):
            return "InvalidSignatureException", "The request signature we calculated does not match"
        self.log_rec["akid"] = akid
        return None

    def do_GET(self):
        a = self.server.args
        u = urlsplit(self.path)
        self.log_rec = {"path": u.path, "query": dict(parse_qsl(u.query))}
        try:
            self.handle_get(a, u)
        finally:
            if a.log:
                with open(a.log, "a") as f:
                    f.write(json.dumps(self.log_rec) + "\n")

    def handle_get(self, a, u):
        try:
            fault = json.load(open(a.control)).get("fault", "none") if a.control else "none"
        except (OSError, ValueError):
            fault = "none"
        bad = self.verify()
        if bad:
            return self.error(403 if bad[0] != "UnrecognizedClientException" else 401, *bad)
        if fault == "500":
            return self.error(500, "ServerException", "the stand-in was told to fail")
        if fault == "throttle":
            return self.error(429, "ThrottlingException", "Rate exceeded")
        entries = json.load(open(a.entries))
        prefix = "/clusters/%s/access-entries" % a.cluster
        # The wire path is percent-encoded: decode it once, as the service does.
        path = unquote(u.path)
        if path == prefix:
            q = dict(parse_qsl(u.query))
            size = min(int(q.get("maxResults", "100")), a.page_size)
            start = 0
            if "nextToken" in q:
                start = int(base64.b64decode(q["nextToken"][4:]).decode())
            page = [e["principalArn"] for e in entries[start:start + size]]
            nxt = None
            if start + size < len(entries):
                nxt = "tok+" + base64.b64encode(str(start + size).encode()).decode() + "/="
            self.log_rec["status"] = 200
            return self.send(200, {"accessEntries": page, "nextToken": nxt})
        if path.startswith(prefix + "/"):
            arn = path[len(prefix) + 1:]
            for e in entries:
                if e["principalArn"] == arn:
                    out = {"clusterName": a.cluster, "principalArn": arn,
                           "kubernetesGroups": e.get("kubernetesGroups", []),
                           "accessEntryArn": "arn:aws:eks:%s:111122223333:access-entry/%s/x"
                           % (a.region, a.cluster),
                           "username": e.get("username"), "type": e.get("type", "STANDARD")}
                    self.log_rec["status"] = 200
                    return self.send(200, {"accessEntry": out})
            return self.error(404, "ResourceNotFoundException", "The specified access entry resource is not found.")
        self.error(404, "ResourceNotFoundException", "No cluster found for name: %s." % path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--creds", required=True)
    p.add_argument("--entries", required=True)
    p.add_argument("--cluster", default="prod")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--page-size", type=int, default=2)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--control")
    p.add_argument("--log")
    p.add_argument("--ready-file")
    a = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.daemon_threads = True
    srv.args = a
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    if a.ready_file:
        with open(a.ready_file + ".tmp", "w") as f:
            f.write(str(srv.server_address[1]))
        os.rename(a.ready_file + ".tmp", a.ready_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
