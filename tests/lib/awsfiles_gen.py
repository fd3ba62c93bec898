#!/usr/bin/env python3
"""awsfiles_gen.py - random AWS credentials and config files: the keys and region eksauth
signs with, against botocore's (the AWS CLI's reader).

Used by tests/integration/creds_botocore.sh:

  awsfiles_gen.py DUMP WORKDIR SEED COUNT

makes COUNT cases from SEED: a credentials file and a config file built from
the pieces users write (headers of both files' forms, keys, role_arn and other
sources eksauth refuses, comments, continuation lines, DEFAULT) with random
edits (blanks, control and non-ASCII characters, quotes, CR, broken UTF-8), or
the profile's keys beside an `aws login` session, a credential_process or web
identity in either file, or (a quarter) a config header fuzzed alone; the profile named by --profile,
AWS_PROFILE, AWS_DEFAULT_PROFILE or none; the files named by
AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE with "$HOME", "${VAR}", "~",
"~user", relative or empty (FILE_VARIABLES), or left to ~/.aws/ (HOME the
scratch folder); sometimes keys in the environment,
AWS_WEB_IDENTITY_TOKEN_FILE with or without AWS_ROLE_ARN, and AWS_DEFAULT_REGION.  tests/integration/creds_dump prints what eksauth signs with;
botocore's session, given the same files and environment, what it would.  Prints
TAP; a seed's cases are the same on every run.

Failures: eksauth signs with keys, a session token or a region botocore does not
resolve (another profile, another line's value, an empty region's, or where botocore
fails: files it refuses, a profile in neither file, with the environment's keys too);
with AWS_PROFILE and AWS_DEFAULT_PROFILE naming different profiles, signing as either
(AWS CLI v1 and v2 differ: eksauth refuses); a refusal without a message.  Counted: eksauth refusing with a message where
botocore reads (creds.h: a source eksauth cannot use, a line it will not guess
at), and both refusing.  AWS_REGION is left out: eksauth reads it before
AWS_DEFAULT_REGION (man eksauth.conf), as the AWS CLI v2 does and botocore does not.

A botocore without LoginProvider (before 1.41.0: Debian 12's 1.29, which
scripts/install-deps installs there) signs with the keys beside a login_session,
so the login_session pieces are left out with it (a '# ' line says so); the rest
of what the cases exercise (the files' parsing and expansion, the providers'
order, SSO, web identity, credential_process, the profile and region
variables) reads the same in 1.29.27 as in 1.43.11.
"""
import collections
import os
import random
import subprocess
import sys
import warnings

warnings.filterwarnings("ignore")
import botocore.credentials  # noqa: E402
import botocore.session  # noqa: E402

AK = "aws_access_key_id = AKIAAAAAAAAAAAAAAAAA"
SK = "aws_secret_access_key = ssssssssssssssssssssssss"
AK2 = "aws_access_key_id = AKIABBBBBBBBBBBBBBBB"
SK2 = "aws_secret_access_key = tttttttttttttttttttttttt"
RA = "role_arn = arn:aws:iam::123456789012:role/r"
TOK = "aws_session_token = tokentokentoken"
PIECES = [
    "[default]", "[dev]", "[profile dev]", "[DEFAULT]", "[profile 'dev']", '[profile "dev"]',
    "[profile  dev]", AK, SK, AK2, SK2, RA, "source_profile = dev", TOK, "", "# c", "; c",
    "region = us-east-1", "region = eu-west-1", "region=ap-south-1", "region = ", "x =",
    "  y = 1", "sso_start_url = https://x", "web_identity_token_file = /x", "[profile dev ]",
    "[ profile dev]", "[profile\tdev]", "[profile dev]x", "[profile  'd'ev]", "[profile d\\ev]",
    "[default ]", "[Default]", "ROLE_ARN = arn:aws:iam::123456789012:role/r",
    "Role_Arn: arn:aws:iam::123456789012:role/r", "role_arn=arn:aws:iam::1:role/r",
    "credential_source = Environment", "sso_session = s", "[sso-session s]", "sso_account_id = 1",
    AK.replace(" = ", "="), SK.replace(" = ", ":"), "  " + RA, "\t" + RA, "aws_access_key_id =",
    "aws_secret_access_key =", "Region = us-west-2", "  region = us-west-1",
    "credential_process = /bin/false", "login_session = arn:aws:iam::1:user/u"]
JUNK = ["\u00a0role_arn = arn:aws:iam::1:role/r", "\x0c", "\r", "\n", "\r\n", " ", "\t", "\x0b",
        "\x1c", "\x1f", "\x85", "\xa0", "\u2028", "\u3000", "[", "]", "=", ":", "#", ";", '"', "'",
        "\\", "\ufeff", "\u212a", "K", "profile ", "dev"]
HEADER_ALPHABET = [" ", "\t", '"', "'", "\\", "profile", "dev", "d", "ev", "\x0b", "\x0c", "#", "]",
                   "[", "\r", "x", "\xa0", ";", "="]
BAD_UTF8 = [b"\xe9", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80"]
# botocore's `aws login` sessions (LoginProvider, 1.41.0 on): an older one signs with the
# keys beside a login_session, where eksauth refuses it as the newer one does.
HAS_LOGIN = hasattr(botocore.credentials, "LoginProvider")
if not HAS_LOGIN:
    PIECES = [p for p in PIECES if not p.startswith("login_session")]
ENV_KEYS = {"AWS_ACCESS_KEY_ID": "AKIAEEEEEEEEEEEEEEEE", "AWS_SECRET_ACCESS_KEY": "eeeeeeeeeeeeeeee"}


def mutate(r, lines):
    lines = list(lines)
    for _ in range(r.choice([0, 0, 1, 1, 2, 3])):
        i = r.randrange(len(lines) + 1)
        if r.random() < 0.5 and lines:
            i = min(i, len(lines) - 1)
            line = lines[i]
            j = r.randint(0, len(line))
            lines[i] = line[:j] + r.choice(JUNK) + line[j + r.choice([0, 0, 1]):]
        else:
            lines.insert(i, r.choice(PIECES))
    return lines


def pieces_case(r, profile):
    """Files from the pieces, edited; mostly for profile, the one the case names."""
    mine = profile if r.random() < 0.7 else r.choice(["default", "dev", "Default"])
    cred = ["[%s]" % mine, AK, SK] + r.sample(PIECES, r.randint(0, 3))
    conf = ["[default]" if mine == "default" else "[profile %s]" % mine,
            r.choice(["region = us-east-1", "region = eu-west-2"])] + \
        r.sample(PIECES, r.randint(0, 3))
    sep = r.choice(["\n", "\n", "\r\n", "\r"])
    cb = (sep.join(mutate(r, cred)) + sep).encode("utf-8")
    if r.random() < 0.1:
        k = r.randint(0, len(cb))
        cb = cb[:k] + r.choice(BAD_UTF8) + cb[k:]
    return cb, (sep.join(mutate(r, conf)) + sep).encode("utf-8")


# Sources botocore takes after the credentials file's keys and before the config file's
# (ProfileProviderBuilder.providers), and one before both: eksauth refuses them unless the
# credentials file has the profile's keys.
LATER_SOURCES = ["login_session = arn:aws:iam::1:user/u", "credential_process = /bin/false",
                 "web_identity_token_file = /x\n" + RA][0 if HAS_LOGIN else 1:]


def sources_case(r, profile):
    """The profile's keys in one file or both, another source in one or both."""
    cred_head = "[%s]" % profile
    conf_head = "[default]" if profile == "default" else "[profile %s]" % profile
    cred, conf = [cred_head], [conf_head, "region = us-east-1"]
    for f in r.sample([cred, conf, conf], r.randint(1, 2)):
        f += [AK, SK] if f is cred else [AK2, SK2]
    for f in r.sample([cred, conf, conf], r.randint(1, 2)):
        f.append(r.choice(LATER_SOURCES))
    r.shuffle(cred)
    cred.remove(cred_head)
    conf.remove(conf_head)
    r.shuffle(conf)
    return ("\n".join([cred_head] + cred) + "\n").encode(), \
        ("\n".join([conf_head] + conf) + "\n").encode()


def header_case(r):
    """A fuzzed config header, before or after the profile dev that assumes a role (which
    eksauth refuses): is its "[...]" the profile, another one, or an error, as for botocore?"""
    h = "".join(r.choice(HEADER_ALPHABET) for _ in range(r.randint(1, 8)))
    if r.random() < 0.7:
        h = ("profile" if r.random() < 0.5 else "profile ") + h
    ra = RA + "\nsource_profile = dev"
    if r.random() < 0.5:
        conf = "[%s]\n%s\nregion = eu-west-1\n" % (h, ra)
    else:
        conf = "[profile dev]\n%s\n[%s]\nregion = us-east-1\n" % (ra, h)
    return ("[dev]\n%s\n%s\n" % (AK, SK)).encode(), conf.encode("utf-8")


def environment(r):
    """(explicit profile or None, the environment) of one case."""
    env = {}
    explicit = None
    k = r.random()
    if k < 0.25:
        explicit = r.choice(["dev", "default", "dev", "nope"])
    elif k < 0.5:
        env["AWS_PROFILE"] = r.choice(["dev", "default", "dev", ""])
    elif k < 0.6:
        env["AWS_DEFAULT_PROFILE"] = r.choice(["dev", "default"])
    elif k < 0.65:
        env["AWS_PROFILE"], env["AWS_DEFAULT_PROFILE"] = r.sample(["dev", "default"], 2)
    if r.random() < 0.1:
        env.update(ENV_KEYS)
    if r.random() < 0.08:
        # botocore's web identity provider, before the profile's keys: without a role ARN
        # it takes the profile's role_arn or fails.
        env["AWS_WEB_IDENTITY_TOKEN_FILE"] = r.choice(["/x", "/x", ""])
        if r.random() < 0.5:
            env["AWS_ROLE_ARN"] = r.choice(["arn:aws:iam::1:role/r", ""])
    if r.random() < 0.1:
        env["AWS_DEFAULT_REGION"] = r.choice(["ca-central-1", "", "bad region"])
    return explicit, env


# The files named by AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE, as botocore expands them
# (os.path.expandvars, then expanduser), HOME and EKSW the scratch folder (the working
# folder too): {} is the file's name.
FILE_VARIABLES = ["$HOME/{}", "${HOME}/{}", "~/{}", "~//{}", "$EKSW/{}", "${EKSW}/{}", "{}",
                  "./{}", "$NOPE/{}", "${}/{}", "~$EKSW_EMPTY/{}", "$EKSW_EMPTY~/{}", "",
                  "~nosuchuser/{}", "$HOME/$EKSW_EMPTY{}", "$HOME/.aws/{}"]


def file_variables(r, work):
    """The environment of a case that names the files by variable (creds_dump gets "-")."""
    env = {"HOME": work, "EKSW": work, "EKSW_EMPTY": ""}
    for name, base in (("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
                       ("AWS_CONFIG_FILE", "config")):
        if r.random() < 0.85:
            env[name] = r.choice(FILE_VARIABLES).replace("{}", base)
    return env


def clean_case(r, profile):
    """Files eksauth reads as botocore does, other keys in each, for file_variables: the
    keys signed with say which file was read, and a refusal is a file not found."""
    conf_head = "[default]" if profile == "default" else "[profile %s]" % profile
    cred = "[%s]\n%s\n%s\n" % (profile if r.random() < 0.8 else "other", AK, SK)
    conf = "%s\n%s\nregion = eu-west-2\n" % (conf_head, AK2 + "\n" + SK2 if r.random() < 0.8
                                               else "output = json")
    return cred.encode(), conf.encode()


ORIGINAL_HOME = os.environ.get("HOME", "/nonexistent")


def botocore_view(cred, conf, explicit, env):
    """(("OK", key, secret, token) | ("NONE",) | ("OTHER", method) | ("ERR", why),
    REGION | None | ("ERR", why)), each asked alone as the AWS CLI asks them."""
    for k in [k for k in os.environ if k.startswith("AWS_")]:
        del os.environ[k]
    os.environ.update({"AWS_SHARED_CREDENTIALS_FILE": cred, "AWS_CONFIG_FILE": conf,
                       "AWS_EC2_METADATA_DISABLED": "true", "HOME": ORIGINAL_HOME})
    if "HOME" in env:  # the files by variable, or ~/.aws/... (file_variables)
        del os.environ["AWS_SHARED_CREDENTIALS_FILE"], os.environ["AWS_CONFIG_FILE"]
    os.environ.update(env)
    s = botocore.session.Session(profile=explicit)
    try:
        region = s.get_config_variable("region")
    except Exception as e:  # any refusal of botocore's is an answer here
        region = ("ERR", type(e).__name__)
    try:
        c = s.get_credentials()
    except Exception as e:
        return ("ERR", type(e).__name__), region
    if c is None:
        return ("NONE",), region
    if c.method in ("shared-credentials-file", "config-file", "env", "explicit"):
        return ("OK", c.access_key, c.secret_key, c.token or "-"), region
    return ("OTHER", c.method), region


def eksauth_view(dump, cred, conf, explicit, env):
    """(creds line fields, region line fields) of creds_dump."""
    run_env = dict(PATH=os.environ.get("PATH", "/usr/bin:/bin"), HOME="/nonexistent",
                   AWS_EC2_METADATA_DISABLED="true")
    run_env.update(env)
    files = ["-", "-"] if "HOME" in env else [cred, conf]
    p = subprocess.run([dump] + files + ([explicit] if explicit is not None else []),
                       env=run_env, capture_output=True)
    lines = p.stdout.decode("utf-8", "replace").split("\n")
    if p.returncode != 0 or len(lines) < 2:
        return ["crash", str(p.returncode), p.stderr.decode("utf-8", "replace")[-200:]], ["crash"]
    return lines[0].split("\t"), lines[1].split("\t")


def compare(e_creds, e_region, b_creds, b_region, env, alt, note, clean):
    """alt: botocore's answer for AWS_PROFILE's profile, when AWS_DEFAULT_PROFILE names
    another (botocore's pick); None otherwise.  clean: clean_case's files, which eksauth
    reads whole, so refusing keys botocore reads is not finding a file it finds."""
    if e_creds[0] == "crash":
        note("crash", e_creds)
        return
    if e_creds[0] == "creds":
        if b_creds[0] == "OK" and list(b_creds[1:4]) == e_creds[1:4]:
            note("same-credentials", "")
        elif alt and alt[0][0] == "OK" and list(alt[0][1:4]) == e_creds[1:4]:
            note("profile-env-order", (e_creds[1], b_creds[:2]))
        elif b_creds[0] == "ERR":
            # botocore refuses the files or the profile whatever the source (it reads both
            # files first): the AWS CLI fails where eksauth signs.
            from_env = e_creds[1] == ENV_KEYS["AWS_ACCESS_KEY_ID"]
            note("signs-where-botocore-fails-" + ("environment" if from_env else "files"),
                 (e_creds[1], b_creds[:2]))
        else:
            note("signs-with-other-credentials", (e_creds[1], b_creds[:2]))
    elif len(e_creds) < 3 or not e_creds[2].strip():
        note("refused-without-message", e_creds)
    elif b_creds[0] == "OK" and clean:
        note("file-variable-not-found", (e_creds[2][:200], b_creds[:2]))
    elif b_creds[0] == "OK":
        note("refuses-credentials-botocore-reads", e_creds[2][:100])
    else:
        note("both-no-credentials", "")
    if e_region[0] == "region":
        if b_region == e_region[1]:
            note("same-region", "")
        elif alt and alt[1] == e_region[1]:
            note("profile-env-order", (e_region[1], b_region))
        elif b_region == "":
            # An empty region = or AWS_DEFAULT_REGION= is botocore's region: the AWS CLI
            # then signs for no host ("https://sts..amazonaws.com"); eksauth reads on.
            note("signs-where-botocore-region-empty", (e_region[1], b_region))
        elif isinstance(b_region, tuple):
            from_env = e_region[1] == env.get("AWS_DEFAULT_REGION")
            note("signs-where-botocore-fails-" + ("environment" if from_env else "files"),
                 (e_region[1], b_region))
        else:
            note("signs-for-other-region", (e_region[1], b_region))
    elif len(e_region) < 3 or not e_region[2].strip():
        note("refused-without-message", e_region)
    elif isinstance(b_region, str):
        note("refuses-region-botocore-reads", e_region[2][:100])
    else:
        note("both-no-region", "")


# Where eksauth once signed and the AWS CLI would not (creds.h says what it refuses now).
WHERE_BOTOCORE_FAILS = [
    ("profile-env-order", "with AWS_PROFILE and AWS_DEFAULT_PROFILE naming different profiles, "
     "eksauth never signs as AWS_PROFILE's (it refuses: AWS CLI v1 takes the other)"),
    ("signs-where-botocore-region-empty", "eksauth never signs for another region where "
     "botocore's is empty (region = , AWS_DEFAULT_REGION=)"),
    ("signs-where-botocore-fails-environment", "eksauth never signs with the environment's keys "
     "or region where botocore refuses the files or the profile"),
    ("signs-where-botocore-fails-files", "eksauth never signs with a file's keys or region where "
     "botocore fails (refuses the other file, or takes a source eksauth cannot get and fails)"),
]
SERIOUS = ("crash", "signs-with-other-credentials", "signs-for-other-region",
           "refused-without-message", "file-variable-not-found") + tuple(k for k, _ in WHERE_BOTOCORE_FAILS)


def main():
    dump, work, seed, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    dump, work = os.path.abspath(dump), os.path.abspath(work)
    os.chdir(work)  # a relative AWS_CONFIG_FILE is read from here, by both
    r = random.Random(seed)
    cred, conf = os.path.join(work, "credentials"), os.path.join(work, "config")
    counts = collections.Counter()
    examples = collections.defaultdict(list)
    for i in range(count):
        explicit, env = environment(r)
        clean = r.random() < 0.15
        if clean:
            env.update(file_variables(r, work))
            if env.get("AWS_DEFAULT_PROFILE", env.get("AWS_PROFILE")) != \
                    env.get("AWS_PROFILE", env.get("AWS_DEFAULT_PROFILE")):
                del env["AWS_DEFAULT_PROFILE"]  # refused by eksauth, not a file's doing
        profile = explicit or env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE") or "default"
        k = r.random()
        if clean:
            cb, fb = clean_case(r, profile)
        else:
            cb, fb = pieces_case(r, profile) if k < 0.6 else \
                sources_case(r, profile) if k < 0.75 else header_case(r)
        for folder in (work, os.path.join(work, ".aws")):  # the second: ~/.aws/ (HOME=work)
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, "credentials"), "wb") as f:
                f.write(cb)
            with open(os.path.join(folder, "config"), "wb") as f:
                f.write(fb)
        e_creds, e_region = eksauth_view(dump, cred, conf, explicit, env)
        b_creds, b_region = botocore_view(cred, conf, explicit, env)
        alt = None
        if explicit is None and env.get("AWS_DEFAULT_PROFILE", env.get("AWS_PROFILE")) != \
                env.get("AWS_PROFILE", env.get("AWS_DEFAULT_PROFILE")):
            alt = botocore_view(cred, conf, None, {k: v for k, v in env.items()
                                                   if k != "AWS_DEFAULT_PROFILE"})

        def note(kind, detail):
            counts[kind] += 1
            if len(examples[kind]) < 3:
                examples[kind].append((i, detail, cb, fb, explicit, env))

        compare(e_creds, e_region, b_creds, b_region, env, alt, note, clean)
    print("# seed %d, %d cases" % (seed, count))
    if not HAS_LOGIN:
        print("# botocore %s has no LoginProvider (aws login, 1.41.0 on): login_session "
              "left out of the cases" % botocore.__version__)
    for k, c in sorted(counts.items()):
        print("# %6d %s%s" % (c, k, "  (FAILS)" if k in SERIOUS else ""))
    for k in sorted(examples):
        if k in SERIOUS:
            print("# -- %s, e.g. (eksauth's access key or region, then botocore's):" % k)
            for i, detail, cb, fb, explicit, env in examples[k]:
                print("#   case %d: %r" % (i, detail))
                print("#     --profile %s, environment %r" % (explicit, env))
                print("#     credentials %r" % cb[:300])
                print("#     config %r" % fb[:300])
    n = failed = 0

    def ok(cond, what):
        nonlocal n, failed
        n += 1
        failed += not cond
        print("%s %d - %s" % ("ok" if cond else "not ok", n, what))

    ok(counts["same-credentials"] * 20 >= count and counts["same-region"] * 20 >= count,
       "eksauth signs with botocore's keys in %d and region in %d of %d cases" %
       (counts["same-credentials"], counts["same-region"], count))
    ok(not counts["signs-with-other-credentials"],
       "eksauth never signs with keys botocore does not resolve")
    ok(not counts["signs-for-other-region"], "eksauth never signs for another region")
    ok(not counts["refused-without-message"] and not counts["crash"],
       "every refusal has a message, and creds_dump never crashed")
    ok(not counts["file-variable-not-found"], "eksauth finds the files botocore finds by "
       "AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE (expanded: $VAR, ${VAR}, ~, ~user)")
    for kind, what in WHERE_BOTOCORE_FAILS:
        ok(not counts[kind], what)
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
