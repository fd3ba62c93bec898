#!/usr/bin/env python3
"""kubeconfig_gen.py - random kubeconfig sets: whom eksauth finds kubectl signs as, against
kubectl's own merged view of the same files.

Used by tests/integration/kubeconfig_kubectl.sh:

  kubeconfig_gen.py DUMP WORKDIR SEED COUNT

makes COUNT cases from SEED, each one to four kubeconfig files (KUBECONFIG, with
empty, missing, repeated, relative and ~ entries, and sometimes ~/.kube/config)
holding clusters, contexts and users with exec sections (aws eks get-token,
aws-iam-authenticator, eksauth, another command), written with YAML's quirks:
quoted and flow forms, YAML 1.1 words, a BOM, CRLF, "---", anchors, JSON, and
values of the wrong shape.  For each, tests/integration/kubeconfig_dump prints
eksauth's answer for the cluster from the files, and again from kubectl's merged
view of them (`kubectl config view --raw -o json`: the contexts, users and exec
sections kubectl itself would use, in their plain form).  Prints TAP.

Failures: the two answers differ (another user, exec section, role, profile,
region or variable than kubectl's view gives); eksauth follows an identity
where kubectl refuses the files (kubectl then runs nothing); eksauth refuses
kubectl's own view of files it read; a refusal without a message; a crash.
Counted, not failed: eksauth refusing, with a message, files kubectl reads
(lib/kubeconfig.c refuses what it cannot read as kubectl does), and both
refusing.
"""
import collections
import json
import os
import random
import re
import shutil
import subprocess
import sys

ARN_E1 = 'arn:aws:eks:us-east-1:111122223333:cluster/prod'
ARN_W2 = 'arn:aws:eks:us-west-2:111122223333:cluster/prod'
ROLES = ['arn:aws:iam::111122223333:role/r%d' % i for i in range(4)]
ODD = ['yes', 'no', 'on', 'off', 'true', 'True', 'null', '~', '1.0', '0x10', '0o17', '017', '1e3',
       '123', '.inf', '-', '"quoted"', "'sq'", 'a b', 'dev', 'prod', 'x:y', '2001-01-01', '1_000',
       '+12', '0b11', 'NaN', 'Yes', 'Y', 'n', '=', '<<', '', '1:20']
CLUSTER_NAMES = ['prod', ARN_E1, ARN_W2, 'other']

def q(s, r):
    """s as a YAML scalar, sometimes plain (so YAML may type it), sometimes quoted."""
    k = r.random()
    if k < 0.4 and s and not any(c in s for c in ':#{}[],&*!|>%@`"\'') and s.strip() == s \
            and s[0] not in '-?':
        return s
    if k < 0.7:
        return json.dumps(s)
    return "'" + s.replace("'", "''") + "'"

def pick_name(r, pool):
    return r.choice(pool) if r.random() < 0.97 else r.choice(ODD)

def exec_section(r):
    d = collections.OrderedDict()
    v = r.random()
    if v < 0.7:
        d['apiVersion'] = 'client.authentication.k8s.io/v1beta1'
    elif v < 0.85:
        d['apiVersion'] = 'client.authentication.k8s.io/v1'
    elif v < 0.9:
        d['apiVersion'] = 'client.authentication.k8s.io/v1alpha1'
    cmd = r.choice(['aws', 'aws', 'aws', '/usr/local/bin/aws', 'aws-iam-authenticator', 'eksauth', 'kubelogin'])
    d['command'] = cmd
    args = []
    if 'authenticator' in cmd:
        args = ['token', '-i', 'prod']
        if r.random() < 0.6:
            args += ['-r', r.choice(ROLES)]
    elif cmd == 'eksauth':
        args = ['token']
    elif 'aws' in cmd:
        args = ['--region', r.choice(['us-east-1', 'us-west-2']), 'eks', 'get-token', '--cluster-name', 'prod']
        for _ in range(r.randint(1, 3)):
            o = r.random()
            if o < 0.4:
                args += ['--role-arn', r.choice(ROLES)]  # makes the mint change
            elif o < 0.7:
                args += ['--profile', r.choice(['p1', 'p2', 'dev'] * 8 + ODD)]
            elif o < 0.85:
                args += ['--output', 'json']
            else:
                args += ['--region', r.choice(['us-east-1', 'eu-west-1'])]
    d['args'] = args if r.random() < 0.95 else None
    if r.random() < 0.6:
        env = []
        for _ in range(r.randint(0, 4)):
            name = r.choice(['AWS_PROFILE', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION',
                             'AWS_ROLE_ARN', 'FOO', 'AWS_STS_REGIONAL_ENDPOINTS'])
            e = collections.OrderedDict([('name', name)])
            vv = r.random()
            if vv < 0.6:
                e['value'] = r.choice(['p1', 'p2', 'us-east-1', 'regional', 'dev'] * 8 + ODD)
            elif vv < 0.75:
                e['value'] = ''
            elif vv < 0.85:
                e['value'] = None
            env.append(e)
        d['env'] = env
    if r.random() < 0.2:
        d['interactiveMode'] = r.choice(['Never', 'IfAvailable', 'Always'])
    if r.random() < 0.1:
        d['provideClusterInfo'] = r.choice([True, False])
    return d

def emit(o, r, ind=0, style='block'):
    """A tiny YAML emitter with quirks: flow or block, quoted keys, odd scalars."""
    sp = ' ' * ind
    if isinstance(o, dict):
        if not o:
            return '{}'
        if style == 'flow' or r.random() < 0.1:
            return '{' + ', '.join('%s: %s' % (key(k, r), emit(v, r, 0, 'flow')) for k, v in o.items()) + '}'
        lines = []
        for k, v in o.items():
            s = emit(v, r, ind + 2, style)
            if isinstance(v, (dict, list)) and v and not s.startswith(('{', '[')):
                lines.append('%s%s:\n%s' % (sp, key(k, r), s))
            else:
                lines.append('%s%s: %s' % (sp, key(k, r), s))
        return '\n'.join(lines)
    if isinstance(o, list):
        if not o:
            return '[]'
        if style == 'flow' or r.random() < 0.15:
            return '[' + ', '.join(emit(v, r, 0, 'flow') for v in o) + ']'
        lines = []
        for v in o:
            s = emit(v, r, ind + 2, style)
            if isinstance(v, dict) and v and not s.startswith('{'):
                s = s.lstrip(' ')
                lines.append('%s- %s' % (sp, s))
            else:
                lines.append('%s- %s' % (sp, s))
        return '\n'.join(lines)
    if o is None:
        return r.choice(['', 'null', '~'])
    if isinstance(o, bool):
        return 'true' if o else 'false'
    return q(str(o), r)

def key(k, r):
    x = r.random()
    if x < 0.05:
        return '"%s"' % k
    if x < 0.08:
        return "'%s'" % k
    return k

# A value of another shape than client-go's Config where one is read (the key's value
# moved to an x- key), for kubeconfig(): (the quirk's upper bound, what, by what).
WRONG_SHAPES = [
    (0.40, 'users:', 'users: {}\nx-users:'),
    (0.42, 'args:', 'args: "eks get-token" \nx-args:'),
    (0.44, 'env:', 'env: {}\n        x-env:'),
    (0.46, '- name:', '- name: [n]\n    x-name:'),
    (0.48, 'current-context:', 'current-context: [a]\nx-cc:'),
    (0.50, 'user:', 'user: []\n    x-user:'),
    (0.52, 'context:', 'context: 12\n    x-context:'),
    (0.54, '  command:', '  command: [aws]\n  x-command:'),
]


def kubeconfig(r, users, ctxs):
    root = collections.OrderedDict()
    if r.random() < 0.8:
        root['apiVersion'] = 'v1'
        root['kind'] = 'Config'
    cl = []
    for name in r.sample(CLUSTER_NAMES, r.randint(1, 3)):
        cl.append(collections.OrderedDict([('name', name), ('cluster', collections.OrderedDict(
            [('server', 'https://%s.example' % r.choice(['e1', 'w2', 'p'])),
             ('certificate-authority-data', 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==')]))]))
    root['clusters'] = cl
    cx = []
    for name in r.sample(ctxs, r.randint(1, min(3, len(ctxs)))):
        c = collections.OrderedDict()
        if r.random() < 0.95:
            c['cluster'] = r.choice(CLUSTER_NAMES)
        if r.random() < 0.95:
            c['user'] = pick_name(r, users)
        if r.random() < 0.1:
            c['namespace'] = 'ns'
        cx.append(collections.OrderedDict([('name', name), ('context', c)]))
    root['contexts'] = cx
    us = []
    for name in r.sample(users, r.randint(1, min(3, len(users)))):
        u = collections.OrderedDict()
        if r.random() < 0.85:
            u['exec'] = exec_section(r)
        else:
            u['token'] = 'tok'
        us.append(collections.OrderedDict([('name', name), ('user', u)]))
    root['users'] = us
    if r.random() < 0.5:
        root['current-context'] = pick_name(r, ctxs)
    items = list(root.items())
    r.shuffle(items)
    root = collections.OrderedDict(items)
    text = emit(root, r) + '\n'
    # Quirks on the text, one at most, for half the files (most make kubectl refuse them).
    x = r.random() if r.random() < 0.5 else 1.0
    if x < 0.05:
        text = '\ufeff' + text
    elif x < 0.1:
        text = '---\n' + text
    elif x < 0.13:
        text = text.replace('\n', '\r\n')
    elif x < 0.16:
        text = text.replace('exec:', 'Exec:', 1)
    elif x < 0.19:
        text = text.replace('command:', 'Command:', 1)
    elif x < 0.22:
        text = json.dumps(root)
    elif x < 0.25:
        text = text + '---\n' + emit(root, r) + '\n'
    elif x < 0.27:
        text = text.replace(': ', ':\t', 3)
    elif x < 0.30:
        text = text.replace('current-context:', 'current-context: \t', 1)
    elif x < 0.32:
        text = '# c\n%YAML 1.1\n---\n' + text
    elif x < 0.34:
        text = text.replace('env:', 'env: &e', 1)
    elif x < 0.36:
        text = text.replace('users:', 'preferences: {}\nusers:', 1)
    elif x < 0.38:
        text = text.replace('exec:', 'exec: &ex', 1)
        i = text.rfind('exec:')
        if i > 0 and text.find('&ex') < i and text.count('exec:') > 1:
            j = text.find('\n', i)
            # replace the last exec section's first line by an alias (block only)
            text = text[:i] + 'exec: *ex' + text[j:] if text[i+5:j].strip().startswith('{') else text
    else:
        for limit, old, new in WRONG_SHAPES:
            if x < limit:
                text = text.replace(old, new, 1)
                break
    return text


def files_of(r, d):
    """Write one case's kubeconfig files under d; returns (KUBECONFIG, cluster)."""
    users = ['u%d' % i for i in range(3)] + [ARN_E1]
    ctxs = ['c%d' % i for i in range(3)] + [ARN_E1]
    os.makedirs(os.path.join(d, 'home', '.kube'))
    os.makedirs(os.path.join(d, 'sub'))
    files = []
    for i in range(r.randint(1, 4)):
        text = kubeconfig(r, users, ctxs)
        where = r.random()
        if where < 0.7:
            p = ref = os.path.join(d, 'k%d' % i)
        elif where < 0.85:
            p, ref = os.path.join(d, 'sub', 'k%d' % i), 'sub/k%d' % i
        else:
            p, ref = os.path.join(d, 'home', 'k%d' % i), '~/k%d' % i
        with open(p, 'w', newline='') as f:
            f.write(text)
        files.append(ref)
    if r.random() < 0.3:
        with open(os.path.join(d, 'home', '.kube', 'config'), 'w') as f:
            f.write(kubeconfig(r, users, ctxs))
    if r.random() < 0.3:
        files.insert(r.randint(0, len(files)), '')
    if r.random() < 0.2:
        files.insert(r.randint(0, len(files)), os.path.join(d, 'missing'))
    if r.random() < 0.2:
        files.append(r.choice(files))
    kc = ':'.join(files) if r.random() >= 0.05 else ''
    return kc, r.choice(['prod'] * 9 + ['other'])


def one(r, d, dump):
    """(kind, detail) of one case: eksauth over the files against eksauth over kubectl's view."""
    kc, cluster = files_of(r, d)
    env = {'PATH': os.environ['PATH'], 'HOME': os.path.join(d, 'home'), 'KUBECONFIG': kc}
    view = subprocess.run(['kubectl', 'config', 'view', '--raw', '-o', 'json'], cwd=d, env=env,
                          capture_output=True, text=True)
    mine = subprocess.run([dump, cluster], cwd=d, env=env, capture_output=True, text=True)
    refused = mine.stdout.startswith('ERR')
    if mine.returncode != 0:
        return 'crash', 'exit %d: %s' % (mine.returncode, mine.stderr[-300:])
    if refused and not mine.stderr.strip():
        return 'refused-without-message', mine.stdout
    if view.returncode != 0:
        if refused:
            return 'both-refuse', ''
        if mine.stdout == 'as-engineer\n':
            return 'kubectl-refuses-eksauth-follows-nothing', ''
        return 'kubectl-refuses-eksauth-follows', (view.stderr.strip()[-200:], mine.stdout)
    norm = os.path.join(d, 'view.json')
    with open(norm, 'w') as f:
        f.write(view.stdout)
    ref = subprocess.run([dump, cluster], cwd=d, env=dict(env, KUBECONFIG=norm),
                         capture_output=True, text=True)
    if mine.stdout == ref.stdout:
        return ('same-identity' if mine.stdout != 'as-engineer\n' else 'same-as-engineer'), ''
    if refused and not ref.stdout.startswith('ERR'):
        why = re.sub(r'^[^:]*: ', '', mine.stderr.strip())  # the file's name out
        return 'eksauth-refuses-kubectl-reads', why[:200]
    if ref.stdout.startswith('ERR'):
        return 'eksauth-refuses-kubectl-view', (ref.stderr.strip()[:200], mine.stdout)
    return 'differs', ('kubectl view gives:\n' + ref.stdout, 'eksauth reads:\n' + mine.stdout)


SERIOUS = ('crash', 'refused-without-message', 'kubectl-refuses-eksauth-follows',
           'eksauth-refuses-kubectl-view', 'differs')


def main():
    dump, work, seed, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    dump = os.path.abspath(dump)  # each case runs in its own folder
    r = random.Random(seed)
    counts = collections.Counter()
    kept = collections.defaultdict(list)
    for i in range(count):
        d = os.path.join(work, 'case%d' % i)
        kind, detail = one(r, d, dump)
        counts[kind] += 1
        if kind in SERIOUS and len(kept[kind]) < 3:
            kept[kind].append((i, detail))
        if kind in SERIOUS:
            # Kept for a look (the test's folder goes at its end; SEED and the case say how
            # to make it again).
            continue
        shutil.rmtree(d)
    print('# seed %d, %d cases' % (seed, count))
    for k, c in sorted(counts.items()):
        print('# %6d %s%s' % (c, k, '  (FAILS)' if k in SERIOUS else ''))
    for k in sorted(kept):
        print('# -- %s, e.g.:' % k)
        for i, detail in kept[k]:
            print('#   case %d:' % i)
            for part in detail if isinstance(detail, tuple) else (detail,):
                for line in str(part).splitlines():
                    print('#     ' + line)
    n = failed = 0

    def ok(cond, what):
        nonlocal n, failed
        n += 1
        failed += not cond
        print('%s %d - %s' % ('ok' if cond else 'not ok', n, what))

    # A reader that refused every file, with a message, would pass the rest.
    ok(counts['same-identity'] * 10 >= count,
       'eksauth finds the identity kubectl signs as in %d of %d cases' %
       (counts['same-identity'], count))
    ok(not counts['differs'], 'eksauth never finds another user, exec section or variable '
       'than kubectl\'s view of the files gives')
    ok(not counts['kubectl-refuses-eksauth-follows'],
       'eksauth follows no identity where kubectl refuses the files')
    ok(not counts['eksauth-refuses-kubectl-view'],
       'eksauth reads kubectl\'s own view of every set of files it reads')
    ok(not counts['refused-without-message'] and not counts['crash'],
       'every refusal has a message, and kubeconfig_dump never crashed')
    print('1..%d' % n)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
