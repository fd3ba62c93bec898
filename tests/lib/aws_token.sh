# aws_token.sh - sourced by the shell tests and the demo: one way to mint.
#
# aws_eks_token ARGS...: the token alone of `aws eks get-token ARGS`, whatever
# the AWS CLI: some versions (Debian 12's awscli 2.9) print the whole
# ExecCredential even when asked for --query status.token --output text, so
# the JSON is asked for and its status.token read here.
aws_eks_token() {
    aws eks get-token "$@" --output json |
        "${PYTHON:-python3}" -c 'import json, sys; print(json.load(sys.stdin)["status"]["token"])'
}
