#!/usr/bin/env python3
"""aws_get_token.py - run the real `aws eks get-token` (awscli + botocore, in
process) with the clock fixed at a given time, so that its token can be
compared byte for byte with `eksauth token --now`.

usage: aws_get_token.py --now UNIX_SECONDS [aws eks get-token arguments...]

Credentials, region and AWS_STS_REGIONAL_ENDPOINTS come from the environment,
as for `aws`.  Nothing is sent over the network: presigning is local.
"""
import contextlib
import datetime
import io
import json
import sys


def main():
    args = sys.argv[1:]
    if len(args) < 2 or args[0] != "--now":
        sys.stderr.write(__doc__)
        return 2
    fixed = datetime.datetime.fromtimestamp(int(args[1]), datetime.timezone.utc)

    def frozen(remove_tzinfo=True):
        return fixed.replace(tzinfo=None) if remove_tzinfo else fixed

    # awscli first: AWS CLI v2 (Debian 12's 2.9) carries its own botocore,
    # which "import botocore" names only once awscli is imported.
    import awscli.clidriver
    import awscli.customizations.eks.get_token as get_token
    import botocore.auth

    # Both the signer and the ExecCredential's expiry read this clock.
    botocore.auth.get_current_datetime = frozen
    get_token.get_current_datetime = frozen
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = awscli.clidriver.create_clidriver().main(["eks", "get-token"] + args[2:])
    print(token_only(out.getvalue(), args[2:]), end="")
    return rc


def token_only(text, args):
    """What --query status.token --output text asks for, from an AWS CLI that
    prints the whole ExecCredential all the same (Debian 12's 2.9)."""
    if "--query" not in args:
        return text
    try:
        return json.loads(text)["status"]["token"] + "\n"
    except (ValueError, KeyError, TypeError):
        return text


if __name__ == "__main__":
    sys.exit(main())
