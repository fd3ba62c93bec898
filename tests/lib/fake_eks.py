#!/usr/bin/env python3
"""fake_eks.py - a local stand-in for the EKS API a host reads, for tests.

HTTPS on 127.0.0.1 with a certificate for eks.<region>.amazonaws.com.  Every request
must carry a SigV4 Authorization header (service eks) that botocore recomputes from
the request as received (method, raw path, raw query, the signed headers) and the
test credentials of --creds; X-Amz-Date within 5 minutes.  Errors as EKS sends them
(JSON with "message", header x-amzn-ErrorType; 400 InvalidParameterException for a
bad maxResults or nextToken, 404 ResourceNotFoundException).

  GET /clusters/NAME                                           DescribeCluster
      (accessConfig.authenticationMode from --auth-mode or the control file)
  GET /clusters/NAME/access-entries?maxResults=N&nextToken=T   ListAccessEntries
  GET /clusters/NAME/access-entries/ARN                        DescribeAccessEntry
  GET /clusters/NAME/access-entries/ARN/access-policies?maxResults=N&nextToken=T
                                                               ListAssociatedAccessPolicies
The lists are paginated by --page-size (nextToken an opaque string with + / =).
Entries come from --entries FILE.json: [{"principalArn", "username"?,
"kubernetesGroups"?, "type"?, "accessPolicies"?: [{"policyArn", "accessScope":
{"type": "cluster"|"namespace", "namespaces"?}}]}...], re-read for every request.
As EKS does, DescribeAccessEntry answers the username EKS gives when the entry sets
none (a role's session ARN, a user's ARN; system:node:... for node types), the
groups it gives node types, and a modifiedAt that moves when the entry's username,
groups or type change (or the entry's own "modifiedAt").  --control FILE.json:
{"fault": "none" | "500" | "throttle" | "token-cycle" | "policy-token-cycle",
"authenticationMode": MODE}; "token-cycle" is a broken pagination: the last page of
ListAccessEntries answers a nextToken back to the first page, so the pages go round
for ever ("policy-token-cycle": ListAssociatedAccessPolicies).

Throttling as AWS does it (--rate R --burst B): a token bucket per account over every
request (EKS does not publish its limits; docs/fleet.md says what is known); a request
over it is answered 429 ThrottlingException "Rate exceeded" with Retry-After: 1.
Requests are logged to --log as JSON lines (t, path, query, akid, status, error).
"""
import base64
import datetime
import hmac
import json
import re
import sys
import threading
import time
import zlib
from urllib.parse import parse_qsl, unquote, urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from fake_server import FleetHandler, RequestLog, arguments, serve


class Bucket:
    """A token bucket: burst tokens at most, refilled at rate per second."""

    def __init__(self, rate, burst):
        self.rate, self.burst = rate, max(1.0, burst)
        self.tokens, self.t = self.burst, time.monotonic()
        self.lock = threading.Lock()

    def take(self):
        if self.rate <= 0:
            return True
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate)
            self.t = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False


class Handler(FleetHandler):
    def send(self, status, obj, etype=None, headers=()):
        body = json.dumps(obj).encode()
        # Logged before the answer: a test reads the log once the client is done with it.
        self.logged = True
        self.server.log(dict(self.log_rec, t=round(time.time(), 3)))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if etype:
            self.send_header("x-amzn-ErrorType", etype)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, etype, message, headers=()):
        self.log_rec["status"] = status
        self.log_rec["error"] = etype
        self.send(status, {"__type": etype, "message": message}, etype, headers)

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
        self.logged = False
        try:
            self.handle_get(a, u)
        finally:
            if not self.logged:  # no answer sent (an exception)
                self.server.log(dict(self.log_rec, t=round(time.time(), 3)))

    def handle_get(self, a, u):
        try:
            control = json.load(open(a.control)) if a.control else {}
        except (OSError, ValueError):
            control = {}
        fault = control.get("fault", "none")
        self.fault = fault
        bad = self.verify()
        if bad:
            return self.error(403 if bad[0] != "UnrecognizedClientException" else 401, *bad)
        if not self.server.bucket.take():
            return self.error(429, "ThrottlingException", "Rate exceeded", [("Retry-After", "1")])
        if fault == "500":
            return self.error(500, "ServerException", "the stand-in was told to fail")
        if fault == "throttle":
            return self.error(429, "ThrottlingException", "Rate exceeded")
        entries = json.load(open(a.entries))
        prefix = "/clusters/%s" % a.cluster
        # The wire path is percent-encoded: decode it once, as the service does.
        path = unquote(u.path)
        q = dict(parse_qsl(u.query))
        if path == prefix:
            return self.describe_cluster(a, control)
        if not path.startswith(prefix + "/"):
            return self.error(404, "ResourceNotFoundException",
                              "No cluster found for name: %s." % path.split("/")[2])
        rest = path[len(prefix) + 1:]
        if rest == "access-entries":
            return self.page(q, [e["principalArn"] for e in entries], "accessEntries", {})
        m = re.fullmatch(r"access-entries/(arn:.+?)(/access-policies)?", rest)
        if m is None:
            return self.error(404, "ResourceNotFoundException", "Unknown path %s" % rest)
        entry = next((e for e in entries if e["principalArn"] == m.group(1)), None)
        if entry is None:
            return self.error(404, "ResourceNotFoundException",
                              "The specified access entry resource is not found.")
        if m.group(2):
            policies = [{"policyArn": p["policyArn"],
                         "accessScope": {"type": p["accessScope"]["type"],
                                         "namespaces": p["accessScope"].get("namespaces", [])},
                         "associatedAt": 1767225600.0, "modifiedAt": 1767225600.0}
                        for p in entry.get("accessPolicies", [])]
            return self.page(q, policies, "associatedAccessPolicies",
                             {"clusterName": a.cluster, "principalArn": entry["principalArn"]})
        return self.describe_entry(a, entry)

    def page(self, q, items, key, extra):
        """One page of items under key, paginated by --page-size, nextToken opaque."""
        a = self.server.args
        try:
            size = int(q.get("maxResults", "100"))
        except ValueError:
            size = 0
        if not 1 <= size <= 100:
            return self.error(400, "InvalidParameterException",
                              "maxResults must be between 1 and 100")
        size = min(size, a.page_size)
        start = 0
        if "nextToken" in q:
            tok = q["nextToken"]
            if not (tok.startswith("tok+") and tok.endswith("/=")):
                return self.error(400, "InvalidParameterException", "The nextToken is invalid.")
            start = int(base64.b64decode(tok[4:-2]).decode())
        nxt = None
        if start + size < len(items):
            nxt = "tok+" + base64.b64encode(str(start + size).encode()).decode() + "/="
        elif (key, self.fault) in (("accessEntries", "token-cycle"),
                                   ("associatedAccessPolicies", "policy-token-cycle")):
            nxt = "tok+" + base64.b64encode(b"0").decode() + "/="
        body = dict(extra)
        body[key] = items[start:start + size]
        body["nextToken"] = nxt
        self.log_rec["status"] = 200
        return self.send(200, body)

    def describe_cluster(self, a, control):
        mode = control.get("authenticationMode", a.auth_mode)
        cluster = {
            "name": a.cluster,
            "arn": "arn:aws:eks:%s:111122223333:cluster/%s" % (a.region, a.cluster),
            "createdAt": 1767225600.0, "version": "1.31",
            "endpoint": "https://EXAMPLE0123456789.gr7.%s.eks.amazonaws.com" % a.region,
            "roleArn": "arn:aws:iam::111122223333:role/eks-cluster", "status": "ACTIVE",
            "platformVersion": "eks.10", "tags": {},
        }
        if mode is not None:  # clusters from before access entries answer without it
            cluster["accessConfig"] = {"bootstrapClusterCreatorAdminPermissions": True,
                                       "authenticationMode": mode}
        self.log_rec["status"] = 200
        return self.send(200, {"cluster": cluster})

    def describe_entry(self, a, e):
        arn = e["principalArn"]
        etype = e.get("type", "STANDARD")
        username, groups = e.get("username"), e.get("kubernetesGroups")
        # What EKS gives when the entry sets nothing: by type, as its docs say.
        node = {"EC2_LINUX": ("system:node:{{EC2PrivateDNSName}}", ["system:nodes"]),
                "EC2_WINDOWS": ("system:node:{{EC2PrivateDNSName}}",
                                ["system:nodes", "eks:kube-proxy-windows"]),
                "FARGATE_LINUX": ("system:node:{{SessionName}}",
                                  ["system:bootstrappers", "system:nodes", "system:node-proxier"]),
                "HYBRID_LINUX": ("system:node:{{SessionName}}", ["system:nodes"])}
        if etype in node:
            username, groups = username or node[etype][0], groups or node[etype][1]
        elif not username:
            m = re.fullmatch(r"arn:([^:]+):iam::(\d{12}):role/(?:.*/)?([^/]+)", arn)
            username = ("arn:%s:sts::%s:assumed-role/%s/{{SessionName}}" % m.groups()
                        if m else arn)
        # modifiedAt moves when the entry changes (UpdateAccessEntry), as at EKS.
        own = json.dumps([e.get("username"), e.get("kubernetesGroups"), etype], sort_keys=True)
        modified = e.get("modifiedAt", 1767225600.0 + zlib.crc32(own.encode()) % 1000000)
        out = {"clusterName": a.cluster, "principalArn": arn,
               "kubernetesGroups": groups or [],
               "accessEntryArn": "arn:aws:eks:%s:111122223333:access-entry/%s/x"
               % (a.region, a.cluster),
               "createdAt": 1767225600.0, "modifiedAt": modified, "tags": {},
               "username": username, "type": etype}
        self.log_rec["status"] = 200
        return self.send(200, {"accessEntry": out})


def main():
    p = arguments("a local stand-in for the EKS API")
    p.add_argument("--creds", required=True)
    p.add_argument("--entries", required=True)
    p.add_argument("--cluster", default="prod")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--page-size", type=int, default=2)
    p.add_argument("--auth-mode", default="API_AND_CONFIG_MAP",
                   help="accessConfig.authenticationMode of DescribeCluster")
    p.add_argument("--rate", type=float, default=0.0, help="requests per second; 0: no limit")
    p.add_argument("--burst", type=float, default=1.0)
    a = p.parse_args()
    return serve(Handler, a.port, a.cert, a.key, a.ready_file, args=a,
                 bucket=Bucket(a.rate, a.burst), log=RequestLog(a.log))


if __name__ == "__main__":
    sys.exit(main())
