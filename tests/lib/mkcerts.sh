#!/bin/sh
# mkcerts.sh DIR - make the TLS material of the local STS stand-in, with openssl:
#   ca.crt                          the test CA (what sts_ca_file points at)
#   server.crt server.key           sts.<region>.amazonaws.com, sts.amazonaws.com, localhost, 127.0.0.1
#   wrongname.crt wrongname.key     signed by the test CA, but for sts.wrong.example only
#   foreignca.crt foreignca.key     the right names, but signed by another CA
#   eks.crt eks.key                 eks.us-east-1.amazonaws.com (the EKS API stand-in)
# Everything is made fresh at test time and is valid for 2 days.
set -eu
dir=${1:?usage: mkcerts.sh DIR}
mkdir -p "$dir"
cd "$dir"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

ca() { # ca NAME CN
    key "$1.key"
    openssl req -x509 -new -key "$1.key" -out "$1.crt" -days 2 -subj "/CN=$2" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

leaf() { # leaf NAME CA CN SANS
    key "$1.key"
    openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$3" 2>/dev/null
    printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' \
        "$4" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial \
        -out "$1.crt" -days 2 -extfile "$1.ext" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
}

sans="DNS:sts.us-east-1.amazonaws.com,DNS:sts.amazonaws.com,DNS:sts.us-west-2.amazonaws.com"
sans="$sans,DNS:sts.eu-west-1.amazonaws.com,DNS:localhost,IP:127.0.0.1,IP:::1"

ca ca "eksauth-test-CA"
ca otherca "eksauth-foreign-CA"
leaf server ca sts.us-east-1.amazonaws.com "$sans"
leaf wrongname ca sts.wrong.example "DNS:sts.wrong.example"
leaf foreignca otherca sts.us-east-1.amazonaws.com "$sans"
leaf eks ca eks.us-east-1.amazonaws.com "DNS:eks.us-east-1.amazonaws.com"
rm -f ca.srl otherca.srl otherca.key
openssl verify -CAfile ca.crt server.crt wrongname.crt eks.crt >/dev/null
