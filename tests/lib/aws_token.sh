# aws_token.sh - sourced by the shell tests and the demo: one way to mint, and
# a clean AWS environment to mint in.
#
# aws_eks_token ARGS...: the token alone of `aws eks get-token ARGS`, whatever
# the AWS CLI: some versions (Debian 12's awscli 2.9) print the whole
# ExecCredential even when asked for --query status.token --output text, so
# the JSON is asked for and its status.token read here.
aws_eks_token() {
    aws eks get-token "$@" --output json |
        "${PYTHON:-python3}" -c 'import json, sys; print(json.load(sys.stdin)["status"]["token"])'
}

# aws_env_clean: nothing of the host's AWS or proxy setup leaks into what the
# test runs next (every AWS_* variable and the proxy variables unset).
aws_env_clean() {
    for _aws_var in $(env | sed -n 's/^\(AWS_[A-Za-z0-9_]*\)=.*/\1/p'); do
        unset "$_aws_var"
    done
    unset https_proxy HTTPS_PROXY http_proxy HTTP_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
}
