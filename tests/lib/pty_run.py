#!/usr/bin/env python3
"""pty_run.py - run a command on a terminal of its own (a pty), as a person at a
keyboard would: wait for each --expect regex in what the terminal shows, then type
the matching --send line.  For the tests of prompts that eksauth asks on the
terminal (eksauth askpass, eksauth ssh accepting a host key).

usage: pty_run.py [--stdout FILE] [--transcript FILE] [--timeout S]
                  [--signal NAME [--ignored TEXT]] [--echo FILE] [--job-stop FILE]
                  [--expect REGEX --send TEXT]... -- COMMAND ARG...
  --stdout FILE      the command's standard output goes to FILE instead of the
                     terminal (what askpass answers ssh with); the terminal is still
                     its controlling terminal, /dev/tty
  --transcript FILE  everything the terminal showed
  --signal NAME      the last --send is typed without Enter (an answer half
                     typed), then the signal (INT, TERM, HUP...) goes to the
                     command's process group, as Ctrl-C or a closed window sends it
  --ignored TEXT     the command starts with --signal's signal ignored, as a
                     caller may start it; after the signal, TEXT and Enter are
                     typed (the rest of the answer)
  --echo FILE        after the command ended: "echo on" or "echo off", the
                     terminal's ECHO setting it left behind
  --job-stop FILE    the command runs as an interactive shell's job (a process
                     group of its own, the terminal's foreground, its parent the
                     shell).  Once the last --expect shows: Ctrl-Z, `bg` (continued
                     in the background, where reading the terminal stops it),
                     `fg`; the last --expect must show again before its --send is
                     typed.  FILE gets what the shell saw, one line each:
                     "stopped SIGNAL", "exited STATUS", "running" (still, 2 s
                     after bg)
Exits with the command's exit status, or 124 when an --expect did not come in time.
"""
import argparse
import os
import pty
import re
import select
import signal
import sys
import termios
import time


def start(a, cmd):
    """Exec cmd as a terminal's shell starts a command."""
    # A signal the test runner ignores (nohup's SIGHUP, SIGINT in a
    # background job) is the default again, or --signal would test the
    # runner's setting.
    for name in ("SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGTSTP", "SIGTTIN", "SIGTTOU"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    if a.signal and a.ignored is not None:
        signal.signal(getattr(signal, "SIG" + a.signal), signal.SIG_IGN)
    if a.stdout:
        out = os.open(a.stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, 1)
    os.execvp(cmd[0], cmd)


def job_shell(a, cmd, orders, reports):
    """The terminal's session leader as a job-control shell: cmd in a process
    group of its own in the foreground; "bg" and "fg" from orders; what
    becomes of the job to reports.  Exits with the job's status.  Without a
    shell, the command's process group would be orphaned, and the kernel
    drops the stop signals of an orphaned group: Ctrl-Z would not stop it."""
    for name in ("SIGTSTP", "SIGTTIN", "SIGTTOU"):
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    # The terminal hung up (pty_run gone) ends the shell, whatever the runner ignores.
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    job = os.fork()
    if job == 0:
        # The foreground before it runs, as a shell's child takes it (SIGTTOU still
        # ignored here): else a first write or stty of the job could stop it.
        os.setpgid(0, 0)
        os.tcsetpgrp(0, os.getpid())
        os.close(orders)
        os.close(reports)
        start(a, cmd)
    try:
        os.setpgid(job, job)
    except OSError:  # it has run already, in its own group
        pass
    os.tcsetpgrp(0, job)
    while True:
        r, _, _ = select.select([orders], [], [], 0.05)
        if r:
            order = os.read(orders, 16).strip()
            if not order:
                # pty_run is gone: end the job, never wake it in a loop.
                os.killpg(job, signal.SIGKILL)
                os._exit(124)
            if order == b"fg":
                os.tcsetpgrp(0, job)
            os.killpg(job, signal.SIGCONT)
        got, status = os.waitpid(job, os.WNOHANG | os.WUNTRACED)
        if got == 0:
            continue
        if os.WIFSTOPPED(status):
            # As a shell does: the terminal back to the shell while the job is stopped.
            os.tcsetpgrp(0, os.getpgrp())
            os.write(reports, b"stopped %s\n" % signal.Signals(os.WSTOPSIG(status)).name.encode())
            continue
        rc = os.waitstatus_to_exitcode(status)
        os.write(reports, b"exited %d\n" % rc)
        os._exit(rc if rc >= 0 else 128 - rc)


def job_stop_bg_fg(a, fd, orders, reports, read_some):
    """Ctrl-Z, bg, fg, as a person at the job's terminal; what the shell saw to a.job_stop."""
    seen = []

    def wait_report(wait):
        end = time.monotonic() + wait
        while time.monotonic() < end:
            read_some(0.05)  # the terminal is drained, or the job's writes would block
            r, _, _ = select.select([reports], [], [], 0.05)
            if r:
                line = os.read(reports, 64).decode()
                seen.append(line.strip())
                return line
        seen.append("running")
        return None

    os.write(fd, b"\x1a")  # Ctrl-Z: the terminal sends SIGTSTP to the foreground group
    wait_report(5)
    for order in (b"bg\n", b"fg\n"):
        if seen[-1].startswith("exited"):
            break
        os.write(orders, order)
        if order == b"bg\n":
            wait_report(2)  # stopped again by its read, or still running, or ended
    with open(a.job_stop, "w") as f:
        f.write("\n".join(seen) + "\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--stdout")
    p.add_argument("--transcript")
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--expect", action="append", default=[])
    p.add_argument("--send", action="append", default=[])
    p.add_argument("--signal")
    p.add_argument("--ignored")
    p.add_argument("--echo")
    p.add_argument("--job-stop")
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not cmd or len(a.expect) != len(a.send):
        p.error("a command, and as many --send as --expect")
    if a.job_stop:
        to_shell = os.pipe()
        from_shell = os.pipe()
    pid, fd = pty.fork()
    if pid == 0:
        if a.job_stop:
            os.close(to_shell[1])
            os.close(from_shell[0])
            job_shell(a, cmd, to_shell[0], from_shell[1])
        start(a, cmd)
    if a.job_stop:
        os.close(to_shell[0])
        os.close(from_shell[1])
    shown = b""
    end = time.monotonic() + a.timeout
    rc = None

    def read_some(wait):
        nonlocal shown
        r, _, _ = select.select([fd], [], [], wait)
        if not r:
            return True
        try:
            data = os.read(fd, 4096)
        except OSError:  # the other side closed: the command ended
            return False
        shown += data
        return bool(data)

    def shows(pat):
        while not pat.search(shown):
            if time.monotonic() > end or not read_some(0.2):
                break
        return pat.search(shown) is not None

    everything = b""
    for k, (want, send) in enumerate(zip(a.expect, a.send)):
        pat = re.compile(want.encode())
        if not shows(pat):
            rc = 124
            break
        if a.job_stop and k == len(a.expect) - 1:
            job_stop_bg_fg(a, fd, to_shell[1], from_shell[0], read_some)
            # Asked again after fg: looked for in what came after the stop.
            everything += shown
            shown = b""
            if not shows(pat):
                rc = 124
                break
        if a.signal and k == len(a.expect) - 1:
            os.write(fd, send.encode())
            os.killpg(pid, getattr(signal, "SIG" + a.signal))
            if a.ignored is not None:
                time.sleep(0.3)
                os.write(fd, a.ignored.encode() + b"\r")
        else:
            os.write(fd, send.encode() + b"\r")
        # The next --expect is looked for in what comes after this prompt.
        everything += shown
        shown = b""
    while rc is None and time.monotonic() < end and read_some(0.2):
        pass
    # A job stopped for good has until the timeout to end; any other command, as long as
    # it takes (a whole login under a sanitizer on two cores, tests/e2e/client.sh).
    timed_out = rc is not None
    if not timed_out and not a.job_stop:
        _, status = os.waitpid(pid, 0)
        rc = os.waitstatus_to_exitcode(status)
        rc = rc if rc >= 0 else 128 - rc
    while not timed_out and rc is None:
        got, status = os.waitpid(pid, os.WNOHANG)
        if got != 0:
            rc = os.waitstatus_to_exitcode(status)
            rc = rc if rc >= 0 else 128 - rc
            break
        timed_out = time.monotonic() > end
        time.sleep(0.05)
    if timed_out:
        rc = 124
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    if a.echo:
        # The master answers for the terminal's settings even after the command closed it.
        on = termios.tcgetattr(fd)[3] & termios.ECHO
        with open(a.echo, "w") as f:
            f.write("echo on\n" if on else "echo off\n")
    if a.transcript:
        with open(a.transcript, "wb") as f:
            f.write(everything + shown)
    return rc


if __name__ == "__main__":
    sys.exit(main())
