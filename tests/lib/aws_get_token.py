#!/usr/bin/env python3
"""aws_get_token.py - run the real `aws eks get-token` (awscli + botocore, in
process) with the clock fixed at a given time, so that its token can be
compared byte for byte with `eksauth token --now`.

usage: aws_get_token.py --now UNIX_SECONDS [aws eks get-token arguments...]

Credentials, region and AWS_STS_REGIONAL_ENDPOINTS come from the environment,
as for `aws`.  Nothing is sent over the network: presigning is local.

Works with AWS CLI v1 (botocore from pip) and v2 (Debian 12's 2.9, its own
botocore): v2 prints the ExecCredential compact where v1 indents it, and
ignores AWS_STS_REGIONAL_ENDPOINTS=legacy (see legacy_global_sts).
"""
import contextlib
import datetime
import functools
import io
import json
import os
import sys
import types

# What AWS_STS_REGIONAL_ENDPOINTS=legacy makes AWS CLI v1 sign for in the aws
# partition: the global host, in us-east-1's credential scope.
GLOBAL_STS = "https://sts.amazonaws.com"
GLOBAL_STS_REGION = "us-east-1"


def main():
    args = sys.argv[1:]
    if len(args) < 2 or args[0] != "--now":
        sys.stderr.write(__doc__)
        return 2
    fixed = datetime.datetime.fromtimestamp(int(args[1]), datetime.timezone.utc)

    # awscli first: AWS CLI v2 (Debian 12's 2.9) carries its own botocore,
    # which "import botocore" names only once awscli is imported.
    import awscli
    import awscli.clidriver
    import awscli.customizations.eks.get_token as get_token
    import botocore.auth
    import botocore.signers

    # The signer and the ExecCredential's expiry read this clock: through
    # get_current_datetime (botocore 1.43, AWS CLI v1) or datetime.utcnow()
    # (AWS CLI v2's botocore and get_token.py).
    for module in (botocore.auth, botocore.signers, get_token):
        freeze_clock(module, fixed)
    if awscli.__version__.startswith("2.") and os.environ.get("AWS_STS_REGIONAL_ENDPOINTS") == "legacy":
        legacy_global_sts(get_token.STSClientFactory)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = awscli.clidriver.create_clidriver().main(["eks", "get-token"] + args[2:])
    print(token_only(out.getvalue(), args[2:]), end="")
    return rc


def freeze_clock(module, fixed):
    """Every clock MODULE reads answers FIXED (an aware UTC datetime)."""

    class FrozenDatetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return fixed.replace(tzinfo=None)

        @classmethod
        def now(cls, tz=None):
            return fixed.astimezone(tz) if tz else fixed.astimezone().replace(tzinfo=None)

    if hasattr(module, "get_current_datetime"):
        module.get_current_datetime = lambda remove_tzinfo=True: (
            fixed.replace(tzinfo=None) if remove_tzinfo else fixed
        )
    if getattr(module, "datetime", None) is datetime:
        clock = types.ModuleType("datetime")
        clock.__dict__.update(datetime.__dict__)
        clock.datetime = FrozenDatetime
        module.datetime = clock
    elif getattr(module, "datetime", None) is datetime.datetime:
        module.datetime = FrozenDatetime


def legacy_global_sts(factory):
    """AWS CLI v2 signs for the regional STS host whatever
    AWS_STS_REGIONAL_ENDPOINTS says; a global token is what v1 makes of
    "legacy", and what `eksauth token --global` is compared with: FACTORY's
    STS client is made for the global host and region, the rest of
    `aws eks get-token` (the x-k8s-aws-id header, the presigning) unchanged."""
    get_sts_client = factory.get_sts_client

    def global_sts_client(self, region_name=None, role_arn=None):
        create_client = self._session.create_client
        self._session.create_client = functools.partial(
            create_client, endpoint_url=GLOBAL_STS
        )
        try:
            return get_sts_client(self, GLOBAL_STS_REGION, role_arn)
        finally:
            self._session.create_client = create_client

    factory.get_sts_client = global_sts_client


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
