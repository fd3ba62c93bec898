#!/usr/bin/env python3
"""fleet_sim.py - a fleet of eksauth hosts against the cluster's stand-ins, measured.

N hosts, each a real `eksauth sync --watch` process with its own credentials, its own
config and its own identity DB, against the Kubernetes API stand-in
(tests/lib/fake_kube.py: watch cache with bookmarks, compaction, a token-bucket rate
limit, restarts) and the EKS API stand-in (tests/lib/fake_eks.py: SigV4, a token-bucket
rate limit answering ThrottlingException), both authenticating through the STS
stand-in (tests/lib/fake_sts.py).  What each host asks is read from the stand-ins'
request logs, never from the hosts themselves.

Scenarios (docs/fleet.md says what each shows and why):
  kube  source = kubernetes, --watch: the first sync of every host; a steady stretch
        (requests per host per hour, no list); every watch dropped at once (resumed
        from the latest bookmark, no list); aws-auth changes (the lag from the edit to
        every host's DB); the API server restarted with a warm-up and no history (each
        host's relist, per second, and the recovery, then one more change)
  eks   source = eks-api, --watch (polled), a sync_max_requests and a throttled EKS
        API: how long new hosts take to read every entry a budget at a time; then
        requests per host per sync (never over the budget, counted from the EKS API's
        log) and per hour, what was throttled, the stale entries reported, and an
        access entry's deletion reaching every host

usage: fleet_sim.py --eksauth BIN --lib DIR --work DIR --hosts N [options] > results.json
Hosts' folders go under --hosts-dir (default /dev/shm when it exists: on one machine
N hosts would otherwise share one disk's fsyncs, which N real hosts do not).
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

ACCOUNT = "111122223333"
USERS = 12  # mapUsers entries of the aws-auth served


def log(*a):
    print("fleet_sim:", *a, file=sys.stderr, flush=True)


def pct(values, p):
    if not values:
        return None
    v = sorted(values)
    k = min(len(v) - 1, max(0, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return round(v[k], 3)


def read_log(path, since=0.0):
    out = []
    try:
        with open(path) as f:
            for line in f:
                try:
                    r = json.loads(line)
                except ValueError:
                    continue
                if r.get("t", 0) >= since:
                    out.append(r)
    except FileNotFoundError:
        pass
    return out


class Fleet:
    def __init__(self, a):
        self.a = a
        self.work = a.work
        self.procs = {}  # name -> Popen (stand-ins)
        self.hosts = []  # (name, Popen, folder)
        self.ports = {}
        os.makedirs(self.work, exist_ok=True)
        base = a.hosts_dir or ("/dev/shm" if os.path.isdir("/dev/shm") else self.work)
        self.hosts_root = tempfile.mkdtemp(prefix="eksauth-fleet.", dir=base)
        os.chmod(self.hosts_root, 0o755)
        self.tls = os.path.join(self.work, "tls")

    # ---- setup ---------------------------------------------------------------

    def certs(self):
        # mkcerts.sh makes the EKS API's eks.crt beside STS's, signed by the same CA.
        if not os.path.exists(os.path.join(self.tls, "eks.crt")):
            subprocess.run(["sh", os.path.join(self.a.lib, "mkcerts.sh"), self.tls], check=True)

    def creds(self, n):
        """Each host its own key: assumed-role/fleet-host/host-NNNN."""
        self.keys = []
        table = {}
        for i in range(n):
            akid = "ASIAFLEET%011d" % i
            secret = "fleetSecret%04d/abcdefghijklmnopqrstuvwx" % i
            table[akid] = {"secret": secret, "session_token": None,
                           "arn": "arn:aws:sts::%s:assumed-role/fleet-host/host-%04d" % (ACCOUNT, i),
                           "user_id": "AROAFLEETHOSTROLE0001:host-%04d" % i, "account": ACCOUNT}
            self.keys.append((akid, secret))
        self.creds_path = os.path.join(self.work, "fleet-creds.json")
        with open(self.creds_path, "w") as f:
            json.dump(table, f)

    def configmap(self, users):
        roles = ("- rolearn: arn:aws:iam::%s:role/fleet-host\n"
                 "  username: fleet-{{SessionName}}\n"
                 "  groups:\n    - eksauth:aws-auth-readers\n" % ACCOUNT)
        mu = "".join("- userarn: arn:aws:iam::%s:user/u%02d\n  username: u%02d\n"
                     "  groups:\n    - devs\n" % (ACCOUNT, u, u) for u in users)
        text = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n"
                "  namespace: kube-system\ndata:\n  mapRoles: |\n%s  mapUsers: |\n%s"
                % ("".join("    " + l + "\n" for l in roles.splitlines()),
                   "".join("    " + l + "\n" for l in mu.splitlines())))
        path = os.path.join(self.work, "cm.yaml")
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.rename(path + ".tmp", path)
        return time.time()

    def entries(self, n):
        ents = [{"principalArn": "arn:aws:iam::%s:user/e%03d" % (ACCOUNT, i),
                 "username": "e%03d" % i, "kubernetesGroups": ["devs"]} for i in range(n)]
        path = os.path.join(self.work, "entries.json")
        with open(path + ".tmp", "w") as f:
            json.dump(ents, f)
        os.rename(path + ".tmp", path)
        return time.time()

    def start(self, name, script, args, port=0):
        ready = os.path.join(self.work, name + ".ready")
        if os.path.exists(ready):
            os.unlink(ready)
        err = open(os.path.join(self.work, name + ".err"), "a")
        p = subprocess.Popen([sys.executable, os.path.join(self.a.lib, script),
                              "--ready-file", ready, "--port", str(port)] + args,
                             stdout=subprocess.DEVNULL, stderr=err)
        for _ in range(300):
            if os.path.exists(ready):
                break
            if p.poll() is not None:
                raise SystemExit("%s did not start: see %s.err" % (script, name))
            time.sleep(0.05)
        else:
            raise SystemExit("%s did not start in 15 s" % script)
        self.procs[name] = p
        self.ports[name] = int(open(ready).read())
        return self.ports[name]

    def stop(self, name, sig=signal.SIGTERM):
        p = self.procs.pop(name, None)
        if p is not None and p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def start_sts(self):
        self.start("sts", "fake_sts.py", ["--cert", os.path.join(self.tls, "server.crt"),
                                          "--key", os.path.join(self.tls, "server.key"),
                                          "--creds", self.creds_path])

    def kube_args(self):
        a = self.a
        return ["--cert", os.path.join(self.tls, "server.crt"),
                "--key", os.path.join(self.tls, "server.key"), "--ca",
                os.path.join(self.tls, "ca.crt"), "--configmap",
                os.path.join(self.work, "cm.yaml"), "--sts-addr",
                "127.0.0.1:%d" % self.ports["sts"], "--cluster-id", "prod",
                "--control", os.path.join(self.work, "kube.json"),
                "--log", os.path.join(self.work, "kube.log"),
                "--state", os.path.join(self.work, "kube.state"),
                "--churn", "20", "--bookmark-interval", str(a.bookmark_interval),
                "--history-window", str(a.history_window),
                "--rate", str(a.kube_rate), "--burst", str(a.kube_burst)]

    def control(self, fault):
        path = os.path.join(self.work, "kube.json")
        with open(path + ".tmp", "w") as f:
            json.dump({"fault": fault}, f)
        os.rename(path + ".tmp", path)

    # ---- hosts ---------------------------------------------------------------

    def host_conf(self, i, folder, source, extra):
        lines = ["cluster_id = prod", "host_name = host-%04d" % i, "region = us-east-1",
                 "source = %s" % source, "db_path = %s/identity.db" % folder,
                 "cluster_name = prod"]
        if "kube" in self.ports:
            lines += ["cluster_endpoint = https://127.0.0.1:%d" % self.ports["kube"],
                      "cluster_ca_file = %s" % os.path.join(self.tls, "ca.crt")]
        if "eks" in self.ports:
            lines += ["eks_connect_to = eks.us-east-1.amazonaws.com:443:127.0.0.1:%d"
                      % self.ports["eks"], "eks_ca_file = %s" % os.path.join(self.tls, "ca.crt")]
        lines += extra
        path = os.path.join(folder, "eksauth.conf")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.chmod(path, 0o644)
        return path

    def start_hosts(self, n, tag, source, interval, extra):
        self.hosts = []
        for i in range(n):
            folder = os.path.join(self.hosts_root, "%s-%04d" % (tag, i))
            os.makedirs(folder, mode=0o755, exist_ok=True)
            conf = self.host_conf(i, folder, source, extra)
            akid, secret = self.keys[i]
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.work,
                   "AWS_ACCESS_KEY_ID": akid, "AWS_SECRET_ACCESS_KEY": secret,
                   "AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "us-east-1"}
            out = open(os.path.join(folder, "watch.out"), "w")
            err = open(os.path.join(folder, "watch.err"), "w")
            p = subprocess.Popen([self.a.eksauth, "--config", conf, "sync", "--watch",
                                  "--interval", str(interval)], env=env, stdout=out, stderr=err)
            self.hosts.append(("host-%04d" % i, p, folder))

    def leaks(self):
        """Host outputs holding a secret key or a bearer token (there must be none)."""
        bad = 0
        for _, _, f in self.hosts:
            for name in ("watch.out", "watch.err"):
                try:
                    text = open(os.path.join(f, name), errors="replace").read()
                except OSError:
                    continue
                if "k8s-aws-v1." in text or any(k[1] in text for k in self.keys):
                    bad += 1
        return bad

    def stop_hosts(self):
        for _, p, _ in self.hosts:
            if p.poll() is None:
                p.terminate()
        for _, p, _ in self.hosts:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def db_ino(self, folder):
        try:
            return os.stat(os.path.join(folder, "identity.db")).st_ino
        except FileNotFoundError:
            return None

    def wait_dbs(self, timeout):
        t0 = time.time()
        while time.time() - t0 < timeout:
            if all(self.db_ino(f) is not None for _, _, f in self.hosts):
                return time.time() - t0
            time.sleep(0.05)
        return None

    def users_of(self, folder):
        r = subprocess.run([self.a.eksauth, "--config", os.path.join(folder, "eksauth.conf"),
                            "users"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                           env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
        return {l.split(":")[0] for l in r.stdout.splitlines() if l}

    def lag(self, change, gone_user, timeout):
        """Apply change() (returns its time); seconds until each host's DB was replaced."""
        before = {f: self.db_ino(f) for _, _, f in self.hosts}
        t0 = change()
        lags = {}
        while time.time() - t0 < timeout and len(lags) < len(self.hosts):
            for name, _, f in self.hosts:
                if name not in lags and self.db_ino(f) != before[f]:
                    lags[name] = time.time() - t0
            time.sleep(0.02)
        # The write seen is the revocation: the user is gone from every DB that moved.
        with ThreadPoolExecutor(4) as ex:
            still = sum(1 for u in ex.map(self.users_of, [f for _, _, f in self.hosts])
                        if gone_user in u)
        vals = list(lags.values())
        return {"hosts": len(self.hosts), "applied": len(lags), "user_still_served": still,
                "p50": pct(vals, 50), "p99": pct(vals, 99), "max": round(max(vals), 3)
                if vals else None}

    def host_of(self, rec):
        arn = rec.get("arn") or ""
        return arn.rsplit("/", 1)[-1] if "/host-" in arn else None

    # ---- scenarios -----------------------------------------------------------

    def scenario_kube(self):
        a = self.a
        res = {}
        users = list(range(USERS))
        self.configmap(users)
        self.control("none")
        self.start("kube", "fake_kube.py", self.kube_args())
        kube_log = os.path.join(self.work, "kube.log")
        t_start = time.time()
        self.start_hosts(a.hosts, "k", "kubernetes", a.interval,
                         ["sync_spread = %d" % a.spread,
                          "sync_max_requests = %d" % a.kube_budget])
        # (The seconds after the last host started until every DB was written.)
        up = self.wait_dbs(max(60, a.hosts * 0.5))
        res["startup_s"] = round(up, 2) if up is not None else None
        log("kube: %d hosts synced %s s after the last one started" % (a.hosts, res["startup_s"]))
        # Every host watching before the steady stretch is measured.
        time.sleep(1)

        # Steady state: what a host asks when nothing changes.
        t1 = time.time()
        time.sleep(a.steady)
        t2 = time.time()
        recs = [r for r in read_log(kube_log, t1) if r["t"] < t2]
        per_host = {}
        for r in recs:
            h = self.host_of(r)
            if h:
                per_host[h] = per_host.get(h, 0) + 1
        hours = (t2 - t1) / 3600.0
        res["steady"] = {
            "seconds": round(t2 - t1, 1), "interval": a.interval,
            "max_requests_of_a_host": max(per_host.values(), default=0),
            "requests": len(recs), "lists": sum(1 for r in recs if r["kind"] == "list"),
            "requests_per_host_hour": round(len(recs) / a.hosts / hours, 1),
            "max_requests_per_host_hour": round(max(per_host.values(), default=0) / hours, 1),
            "throttled": sum(1 for r in recs if r.get("status") == 429)}
        log("kube: steady", res["steady"])

        # Every watch dropped at once: resumed from the latest bookmark, no list.
        t1 = time.time()
        self.control("drop-all")
        time.sleep(0.5)
        self.control("none")
        # Until every host resumed (a fixed sleep raced a slow machine), the hang
        # protection the limit; at least the window a list, if any, shows in.
        window = max(3.0, a.hosts * 0.02)
        deadline = time.time() + window + a.hang
        while True:
            recs = read_log(kube_log, t1)
            resumed = {self.host_of(r) for r in recs
                       if r["kind"] == "watch" and r["status"] == 200} - {None}
            if time.time() >= deadline or (len(resumed) == a.hosts and time.time() - t1 >= window):
                break
            time.sleep(0.2)
        res["drop"] = {"lists": sum(1 for r in recs if r["kind"] == "list"),
                       "watch_requests": sum(1 for r in recs if r["kind"] == "watch"),
                       "resumed_hosts": len(resumed)}
        log("kube: drop", res["drop"])

        # Revocations: a user removed from aws-auth, to every host's DB.
        res["lag"] = []
        for k in range(a.changes):
            gone = users.pop(0)
            r = self.lag(lambda: self.configmap(users), "u%02d" % gone, a.hang)
            res["lag"].append(r)
            log("kube: change %d" % k, r)
            time.sleep(0.5)

        # The API server restarts: connections cut, no history, a warm-up.
        time.sleep(1.0)
        t_restart = time.time()
        self.stop("kube", signal.SIGKILL)
        self.start("kube", "fake_kube.py", self.kube_args() + ["--warmup", str(a.warmup)],
                   port=self.ports["kube"])
        # Every host lists again, spread over sync_spread, and watches again.
        deadline = time.time() + a.spread + a.warmup + a.hang
        while time.time() < deadline:
            recs = read_log(kube_log, t_restart)
            listed = {}
            watching = {}
            for r in recs:
                h = self.host_of(r)
                if h is None:
                    continue
                if r["kind"] == "list" and r["status"] == 200:
                    listed.setdefault(h, r["t"])
                if r["kind"] == "watch" and r["status"] == 200 and h in listed:
                    watching.setdefault(h, r["t"])
            if len(watching) == a.hosts:
                break
            time.sleep(0.5)
        lists = sorted((r for r in read_log(kube_log, t_restart) if r["kind"] == "list"),
                       key=lambda r: r["t"])
        # The most hosts listing in any one second (a sliding window, not fixed bins).
        most = 0
        for i, r in enumerate(lists):
            window = {self.host_of(x) or "anonymous-%d" % j
                      for j, x in enumerate(lists[i:]) if x["t"] < r["t"] + 1.0}
            most = max(most, len(window))
        firsts = sorted(listed.values())
        res["restart"] = {
            "hosts_relisted": len(listed), "hosts_watching": len(watching),
            "list_requests": len(lists),
            "max_hosts_listing_in_1s": most,
            "max_fraction_1s": round(most / float(a.hosts), 3),
            "relist_first_s": round(firsts[0] - t_restart, 2) if firsts else None,
            "relist_last_s": round(firsts[-1] - t_restart, 2) if firsts else None,
            "recovered_s": round(max(watching.values()) - t_restart, 2)
            if len(watching) == a.hosts else None,
            "warmup_s": a.warmup, "spread_s": a.spread}
        # The warm-up's 429s were heard as refusals to wait for, not as broken streams.
        told = 0
        for _, _, f in self.hosts:
            with open(os.path.join(f, "watch.err"), errors="replace") as fh:
                told += any("watch configmaps: HTTP 429" in l for l in fh)
        res["restart"]["hosts_told_429"] = told
        log("kube: restart", res["restart"])
        gone = users.pop(0)
        res["lag_after_restart"] = self.lag(lambda: self.configmap(users), "u%02d" % gone, a.hang)
        log("kube: change after restart", res["lag_after_restart"])

        # The budget, from the server's side: lists of one host with no watch between.
        worst = 0
        run = {}
        for r in read_log(kube_log, t_start):
            h = self.host_of(r)
            if h is None:
                continue
            if r["kind"] == "list":
                run[h] = run.get(h, 0) + 1
                worst = max(worst, run[h])
            elif r["kind"] == "watch" and r["status"] == 200:
                run[h] = 0
        res["max_lists_in_a_row"] = worst
        res["budget"] = a.kube_budget
        self.stop_hosts()
        res["outputs_with_secrets"] = self.leaks()
        self.stop("kube")
        return res

    def cached(self, folder):
        """How many access entries the host's cache holds."""
        try:
            with open(os.path.join(folder, "access-entries.cache")) as f:
                return len(json.load(f)["entries"])
        except (OSError, ValueError, KeyError):
            return 0

    def syncs_of(self, recs):
        """
        One host's requests cut into syncs: a sync starts with the first page of
        ListAccessEntries, unless that page is the retry of one just turned away
        (at most 3 attempts a call, budget.h).  The most requests in one sync, and
        how many syncs.
        """
        worst = syncs = count = run = 0
        prev = None
        for r in recs:
            first = r["path"].endswith("/access-entries") and "nextToken" not in r["query"]
            if first:
                prev_first = (prev is not None and prev["path"].endswith("/access-entries")
                              and "nextToken" not in prev["query"])
                failed = prev is not None and (prev.get("status") == 429
                                               or (prev.get("status") or 0) >= 500)
                if prev_first and failed and run < 3:
                    run += 1
                else:
                    syncs += 1
                    count = 0
                    run = 1
            count += 1
            worst = max(worst, count)
            prev = r
        return worst, syncs

    def scenario_eks(self):
        a = self.a
        res = {}
        n_entries = a.entries
        self.entries(n_entries)
        eks_log = os.path.join(self.work, "eks.log")
        self.start("eks", "fake_eks.py", [
            "--cert", os.path.join(self.tls, "eks.crt"), "--key", os.path.join(self.tls, "eks.key"),
            "--creds", self.creds_path, "--entries", os.path.join(self.work, "entries.json"),
            "--cluster", "prod", "--page-size", "100", "--log", eks_log,
            "--rate", str(a.eks_rate), "--burst", str(a.eks_burst)])
        t_start = time.time()
        self.start_hosts(a.eks_hosts, "e", "eks-api", a.eks_interval,
                         ["sync_max_requests = %d" % a.eks_budget,
                          "access_entry_max_age = %d" % a.eks_max_age])
        # A new host reads its entries a budget at a time: until every host has them all.
        deadline = t_start + a.eks_converge
        while time.time() < deadline:
            if all(self.cached(f) == n_entries for _, _, f in self.hosts):
                break
            time.sleep(0.5)
        converged = sum(1 for _, _, f in self.hosts if self.cached(f) == n_entries)
        res["converged_hosts"] = converged
        res["converged_s"] = round(time.time() - t_start, 1) if converged == a.eks_hosts else None
        log("eks: %d of %d hosts hold every entry after %.1f s"
            % (converged, a.eks_hosts, time.time() - t_start))
        # Steady state: what a host asks per sync and per hour once it holds them all.
        t1 = time.time()
        time.sleep(a.eks_run)
        t2 = time.time()
        # An access entry deleted: every host's DB drops its user at its next poll.
        gone = n_entries - 1
        res["deletion"] = self.lag(lambda: self.entries(gone), "e%03d" % gone,
                                   a.eks_interval * 6 + a.hang)
        log("eks: deletion", res["deletion"])
        t_end = time.time()
        self.stop_hosts()
        res["outputs_with_secrets"] = self.leaks()
        self.stop("eks")
        akid_host = {k[0]: "host-%04d" % i for i, k in enumerate(self.keys)}
        per_host = {}
        for r in read_log(eks_log, t_start):
            if r["t"] <= t_end:
                per_host.setdefault(akid_host.get(r.get("akid"), "?"), []).append(r)
        worst = 0
        steady = []
        steady_syncs = 0
        for h, rs in per_host.items():
            w, _ = self.syncs_of(rs)
            worst = max(worst, w)
            window = [r for r in rs if t1 <= r["t"] < t2]
            steady += window
            steady_syncs += self.syncs_of(window)[1]
        stale = 0
        for _, _, f in self.hosts:
            with open(os.path.join(f, "watch.err"), errors="replace") as fh:
                stale += sum(1 for l in fh if "stale:" in l)
        hours = (t2 - t1) / 3600.0
        res.update({
            "hosts": a.eks_hosts, "entries": n_entries, "interval": a.eks_interval,
            "budget": a.eks_budget, "max_age": a.eks_max_age,
            "rate": a.eks_rate, "burst": a.eks_burst, "seconds": round(t_end - t_start, 1),
            "requests": sum(len(v) for v in per_host.values()),
            "throttled": sum(1 for v in per_host.values() for r in v if r.get("status") == 429),
            "max_requests_in_a_sync": worst,
            "steady_seconds": round(t2 - t1, 1), "steady_requests": len(steady),
            "steady_syncs": steady_syncs,
            "steady_throttled": sum(1 for r in steady if r.get("status") == 429),
            "requests_per_sync": round(len(steady) / max(1, steady_syncs), 2),
            "requests_per_host_hour": round(len(steady) / a.eks_hosts / hours, 1),
            "stale_lines": stale,
            "full_read_per_sync": 1 + 2 * n_entries})
        log("eks:", {k: v for k, v in res.items() if k != "deletion"})
        return res

    def clone(self):
        """Another fleet on the same STS stand-in, credentials and certificates."""
        other = Fleet(self.a)
        other.keys, other.creds_path = self.keys, self.creds_path
        other.ports["sts"] = self.ports["sts"]
        return other

    def close(self):
        self.stop_hosts()
        for name in list(self.procs):
            self.stop(name)
        if not self.a.keep:
            shutil.rmtree(self.hosts_root, ignore_errors=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--eksauth", required=True)
    p.add_argument("--lib", required=True, help="tests/lib (the stand-ins, mkcerts.sh)")
    p.add_argument("--work", required=True)
    p.add_argument("--hosts-dir")
    p.add_argument("--hosts", type=int, default=10)
    p.add_argument("--scenarios", default="kube,eks")
    p.add_argument("--interval", type=int, default=5, help="--interval of the kube hosts")
    p.add_argument("--spread", type=int, default=5, help="sync_spread of the kube hosts")
    p.add_argument("--kube-budget", type=int, default=10)
    p.add_argument("--steady", type=float, default=5.0)
    p.add_argument("--changes", type=int, default=2)
    p.add_argument("--warmup", type=float, default=1.0)
    p.add_argument("--bookmark-interval", type=float, default=1.0)
    p.add_argument("--history-window", type=float, default=5.0)
    p.add_argument("--kube-rate", type=float, default=100.0)
    p.add_argument("--kube-burst", type=float, default=200.0)
    p.add_argument("--eks-hosts", type=int, default=0, help="0: --hosts")
    p.add_argument("--entries", type=int, default=10)
    p.add_argument("--eks-interval", type=int, default=2)
    p.add_argument("--eks-budget", type=int, default=6)
    p.add_argument("--eks-max-age", type=int, default=4)
    p.add_argument("--eks-run", type=float, default=8.0, help="seconds of steady state measured")
    p.add_argument("--eks-converge", type=float, default=60.0,
                   help="seconds the hosts get to read every entry before that")
    p.add_argument("--eks-rate", type=float, default=20.0)
    p.add_argument("--hang", type=float, default=30.0,
                   help="seconds a wait for every host (a change applied, a relist) gives up "
                        "after, beyond what the scenario itself takes: hang protection")
    p.add_argument("--eks-burst", type=float, default=50.0)
    p.add_argument("--keep", action="store_true")
    p.add_argument("--parallel", action="store_true",
                   help="the scenarios at the same time, each with its own stand-in")
    a = p.parse_args()
    a.eks_hosts = a.eks_hosts or a.hosts
    fleet = Fleet(a)
    results = {"hosts": a.hosts}
    others = []

    def run(f, name):
        t0 = time.time()
        try:
            results[name] = getattr(f, "scenario_" + name)()
            results[name]["wall_s"] = round(time.time() - t0, 1)
        except Exception as e:  # said, and the run fails below
            log("%s: %r" % (name, e))

    try:
        fleet.certs()
        fleet.creds(max(a.hosts, a.eks_hosts))
        fleet.start_sts()
        if a.parallel:
            # Each scenario its own hosts and stand-in, at the same time (a small fleet).
            threads = []
            for name in a.scenarios.split(","):
                others.append(fleet.clone())
                threads.append(threading.Thread(target=run, args=(others[-1], name)))
                threads[-1].start()
            for t in threads:
                t.join()
        else:
            for name in a.scenarios.split(","):
                run(fleet, name)
    finally:
        for f in others:
            f.close()
        fleet.close()
    if any(name not in results for name in a.scenarios.split(",")):
        return 1
    json.dump(results, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
