#!/usr/bin/env python3
"""pty_run.py - run a command on a terminal of its own (a pty), as a person at a
keyboard would: wait for each --expect regex in what the terminal shows, then type
the matching --send line.  For the tests of prompts that eksauth asks on the
terminal (eksauth askpass, eksauth ssh accepting a host key).

usage: pty_run.py [--stdout FILE] [--transcript FILE] [--timeout S]
                  [--signal NAME [--ignored TEXT]] [--echo FILE]
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
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not cmd or len(a.expect) != len(a.send):
        p.error("a command, and as many --send as --expect")
    pid, fd = pty.fork()
    if pid == 0:
        # As a terminal's shell starts a command: a signal the test runner
        # ignores (nohup's SIGHUP, SIGINT in a background job) is the
        # default again, or --signal would test the runner's setting.
        for name in ("SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGTSTP", "SIGTTIN", "SIGTTOU"):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
        if a.signal and a.ignored is not None:
            signal.signal(getattr(signal, "SIG" + a.signal), signal.SIG_IGN)
        if a.stdout:
            out = os.open(a.stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(out, 1)
        os.execvp(cmd[0], cmd)
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

    everything = b""
    for k, (want, send) in enumerate(zip(a.expect, a.send)):
        pat = re.compile(want.encode())
        while not pat.search(shown):
            if time.monotonic() > end or not read_some(0.2):
                break
        if not pat.search(shown):
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
    if rc is None:
        _, status = os.waitpid(pid, 0)
        rc = os.waitstatus_to_exitcode(status)
        rc = rc if rc >= 0 else 128 - rc
    else:
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
