#!/usr/bin/env python3
"""aws_update_kubeconfig.py - run the real `aws eks update-kubeconfig`
(awscli, in process) with its DescribeCluster answered here, so that a test
or a seed gets the kubeconfig the AWS CLI writes, byte for byte.

usage: aws_update_kubeconfig.py [aws eks update-kubeconfig arguments...]
  (--name NAME --region R [--role-arn ARN] [--alias A] [--user-alias U]
   [--kubeconfig FILE] [--dry-run]; --profile P, or AWS_PROFILE, as for aws)

The cluster is arn:aws:eks:R:111122223333:cluster/NAME, ACTIVE, with a
made-up endpoint and the CA of CA_DATA.  Nothing is sent over the network.
"""
import sys

# base64 of "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
CA_DATA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="


def main():
    import awscli.clidriver
    import awscli.customizations.eks.update_kubeconfig as uk

    def describe(client):
        name = client._cluster_name
        # AWS CLI v1 keeps the global options in _parsed_globals, v2 (Debian 12's 2.9) in _globals.
        region = getattr(client, "_parsed_globals", getattr(client, "_globals", None)).region
        return {
            "name": name,
            "arn": "arn:aws:eks:%s:111122223333:cluster/%s" % (region, name),
            "endpoint": "https://EXAMPLE0123456789.gr7.%s.eks.amazonaws.com" % region,
            "certificateAuthority": {"data": CA_DATA},
            "status": "ACTIVE",
        }

    # DescribeCluster's answer: a property in AWS CLI v1, a method in v2.
    if hasattr(uk.EKSClient, "cluster_description"):
        uk.EKSClient.cluster_description = property(describe)
    else:
        uk.EKSClient._get_cluster_description = describe
    return awscli.clidriver.create_clidriver().main(["eks", "update-kubeconfig"] + sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
