#!/bin/sh
# cli_options.sh - each subcommand's long options agree wherever an operator
# reads them and with the code that takes them: the options its source
# parses (tools/cmd_*.c, tools/doctor/doctor.c: getopt_long tables and
# strcmp'd arguments), the ones `eksauth CMD --help` declares (its usage
# lines and option lines; when it has option lines, one for every option of
# its usage), the command's entry in eksauth(1) and its line in README.md's
# command summary.  --config, --aws-auth and --help belong to
# every command (eksauth(1), GLOBAL OPTIONS) and are left out.  ssh, scp and
# sftp pass their arguments to ssh: they have no options of their own.
# And a few of what the commands say: setup's and doctor's --root of no
# folder, sync's --interval without --watch, token's --help on the
# region, and askpass run by hand on a
# terminal, which shows no token.  TAP output.
set -u
. "$top_srcdir/tests/install/install_common.sh"

[ -x "$EKSAUTH" ] || skip_all "eksauth is not built"
GLOBALS='--config --aws-auth --help'

# The long options in standard input, one a line, sorted, globals left out.
opts() {
    grep -o -- '--[a-z][a-z-]*' | sort -u | while read -r o; do
        case " $GLOBALS " in *" $o "*) ;; *) echo "$o" ;; esac
    done
}

src_of() {
    case $1 in
    users | groups) echo "$top_srcdir/tools/cmd_users.c" ;;
    doctor) echo "$top_srcdir/tools/doctor/doctor.c" ;;
    *) echo "$top_srcdir/tools/cmd_$(echo "$1" | tr - _).c" ;;
    esac
}

# What the source parses: {"name", x_argument ...} entries, strcmp'd
# "--name" arguments, and the shared --now (CLI_NOW_OPTION, tools/cli.h).
code_opts() {
    f=$(src_of "$1")
    {
        sed -n 's/.*{"\([a-z][a-z-]*\)", *\(no\|required\|optional\)_argument.*/--\1/p' "$f"
        grep -o 'str\(n\)\{0,1\}cmp([a-z_]*\(\[[a-z]*\]\)\{0,1\}, "--[a-z][a-z-]*' "$f"
        grep -q 'CLI_NOW_OPTION,' "$f" && echo --now
    } | opts
}

# The usage lines of --help: "usage: ..." and the lines after it that go on with "[".
usage_opts() {
    "$EKSAUTH" "$1" --help 2>/dev/null |
        awk '/^usage:/ { u = 1; print; next } u && /^ +\[/ { print; next } { u = 0 }' | opts
}

# The usage lines and the option lines ("  --name ...") of --help.
help_opts() {
    "$EKSAUTH" "$1" --help 2>/dev/null |
        awk '/^usage:/ { u = 1; print; next } u && /^ +\[/ { print; next } { u = 0 } /^ +--[a-z]/' |
        opts
}

# The option lines of --help ("  --name ..."), where an option is explained.
option_line_opts() {
    "$EKSAUTH" "$1" --help 2>/dev/null | grep -E '^ +--[a-z]' | sed 's/^ *\(--[a-z][a-z-]*\).*/\1/' | opts
}

# eksauth(1) as text: no \- or font escapes.
sed 's/\\-/-/g; s/\\f[BIRP]//g' "$top_srcdir/man/eksauth.1" >"$T/man"

# The command's entry in eksauth(1): from the .TP (or .TQ) line that names it
# to the next command's, or the next section.
man_entry() {
    awk -v c="$1" '
        NR > 1 && /^\.SH/ { on = 0 }
        (prev == ".TP" || prev == ".TQ") && ($0 ~ /^[a-z]/ || $0 ~ /^\.B[IR]* "?[a-z]/) {
            line = $0
            sub(/^\.B[IR]* "?/, "", line)
            split(line, w, /[ "]/)
            on = w[1] == c || (on && prev == ".TQ")
        }
        started && /^\.SH/ { started = 0 }
        /^\.SH COMMANDS/ { started = 1 }
        started && on { print }
        { prev = $0 }' "$T/man"
}

# The command's line in README.md's summary ("eksauth users | groups  ...").
readme_line() {
    awk -v c="$1" '
        /^## The command line/ { s = 1; next }
        s && /^```$/ { n++; if (n == 2) exit; next }
        s && n == 1 && /^eksauth / {
            syn = $0
            sub(/   .*/, "", syn)
            k = split(syn, w, /[ |]+/)
            for (i = 2; i <= k; i++) if (w[i] == c) { print syn; break }
        }' "$top_srcdir/README.md"
}

# subset A B WHAT: every line of file A is a line of file B.
subset() {
    missing=$(comm -23 "$1" "$2" | tr '\n' ' ')
    [ -z "$missing" ]
    ok $? "$3${missing:+ (missing: $missing)}"
}

"$EKSAUTH" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p' >"$T/commands"
[ -s "$T/commands" ] || fail "eksauth --help lists its commands"
while read -r cmd; do
    case $cmd in ssh | scp | sftp) continue ;; esac
    code_opts "$cmd" >"$T/code"
    help_opts "$cmd" >"$T/help"
    usage_opts "$cmd" >"$T/usage"
    man_entry "$cmd" >"$T/entry"
    readme_line "$cmd" >"$T/readme_line"
    opts <"$T/entry" >"$T/man_opts"
    head -n 1 "$T/entry" | opts >"$T/man_synopsis"
    opts <"$T/readme_line" >"$T/readme"
    { cat "$T/code"; echo --version; } | sort >"$T/code_version"

    "$EKSAUTH" "$cmd" --help >/dev/null 2>&1
    ok $? "$cmd --help: exit 0"
    [ -s "$T/entry" ]
    ok $? "$cmd: eksauth(1) has its entry"
    [ -s "$T/readme_line" ]
    ok $? "$cmd: README.md's summary has its line"
    subset "$T/code" "$T/help" "$cmd: --help declares every option the code takes"
    subset "$T/help" "$T/code_version" "$cmd: the code takes every option --help declares"
    # A --help that explains its options in option lines explains each one.
    option_line_opts "$cmd" >"$T/option_lines"
    if [ -s "$T/option_lines" ]; then
        subset "$T/usage" "$T/option_lines" "$cmd: --help has an option line for every option of its usage"
    fi
    subset "$T/help" "$T/man_opts" "$cmd: eksauth(1) documents every option --help declares"
    subset "$T/man_synopsis" "$T/code" "$cmd: the code takes every option of eksauth(1)'s synopsis"
    subset "$T/usage" "$T/readme" "$cmd: README.md's line has every option of the usage line"
    subset "$T/readme" "$T/code" "$cmd: the code takes every option of README.md's line"
done <"$T/commands"

# --root of a folder that is not there (a typo, an image not mounted) is
# said as such, exit 2, by setup as by doctor: not "nothing to take out"
# (--undo) nor "write eksauth.conf first" under a tree that does not exist.
for args in "setup --root $T/no-such-root" "setup --undo --root $T/no-such-root" \
    "setup --undo --dry-run --root $T/no-such-root" "doctor --root $T/no-such-root"; do
    "$EKSAUTH" $args >"$T/root.out" 2>&1
    like "$?:$(head -n 1 "$T/root.out")" "^2:eksauth: [a-z]+: --root $T/no-such-root: No such file or directory\$" \
        "$args: exit 2, the folder is not there"
done

# sync --interval is the length of --watch's streams and polls: without
# --watch it would be dropped unsaid (a timer's service given --interval 300
# still syncs at the timer's period), so it is a usage error that says so.
"$EKSAUTH" sync --interval 300 >"$T/interval.out" 2>&1
like "$?:$(head -n 1 "$T/interval.out")" '^2:eksauth: usage: sync: --interval .*--watch.*OnUnitActiveSec' \
    "sync --interval without --watch: exit 2, says it is --watch's and what sets a timer's period"

# token's --region line names where eksauth(1) says the region comes from,
# in its order: a profile's region in ~/.aws/credentials wins over
# ~/.aws/config's, as botocore merges them (lib/creds.c).
like "$("$EKSAUTH" token --help 2>&1 | awk '/^ +--region R/ { on = 1; print; next }
        on && /^ {5,}[^ -]/ { print; next } { on = 0 }' | tr -s ' \n' ' ')" \
    "AWS_REGION, AWS_DEFAULT_REGION, [^~]*~/\\.aws/credentials, [^~]*~/\\.aws/config\\)" \
    "token --help: the region's sources, as eksauth(1) gives them"

# askpass's answer to a token prompt is a token: it goes to ssh or sudo
# through a pipe, never to a terminal, where it would stay on the screen
# and in its scrollback.  Run by hand on a terminal, askpass mints nothing
# and says what to run instead.  The built-in signer with keys in the
# environment would mint here with no network.
if command -v script >/dev/null 2>&1; then
    mkdir -p "$T/home"
    for prompt in '(a@bastion) EKS token for eksauth:prod:bastion: ' 'EKS token (continued): '; do
        script -qec "env -i PATH=\"$PATH\" HOME=\"$T/home\" TMPDIR=\"$T\" EKSAUTH_BUILTIN=1 EKSAUTH_HOST=bastion \
            AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY \
            AWS_REGION=us-east-1 \"$EKSAUTH\" askpass '$prompt'" /dev/null </dev/null >"$T/tty" 2>&1
        rc=$?
        is "$rc:$(grep -c 'k8s-aws-v1' "$T/tty")" "2:0" "askpass '$prompt' on a terminal: exit 2, no token shown"
        grep -q 'eksauth ssh' "$T/tty"
        ok $? "askpass '$prompt' on a terminal: says to run eksauth ssh" || diag "$T/tty"
    done
else
    skip "askpass on a terminal: no script(1) (Debian: bsdutils)"
    skip "askpass on a terminal: no script(1) (Debian: bsdutils)"
fi

done_testing
