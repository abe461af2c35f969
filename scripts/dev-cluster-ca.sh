#!/usr/bin/env bash
# dev-cluster-ca.sh OUTDIR [NODE...] -- a development cluster CA and one certificate per node, for
# chat-server's --cluster-tls-cert/--cluster-tls-key/--cluster-tls-ca (docs/CLUSTER.md "TLS
# between nodes"). Needs the openssl CLI.
#   OUTDIR/ca.pem, OUTDIR/ca.key          the cluster CA (made once; reused when present)
#   OUTDIR/NODE.pem, OUTDIR/NODE.key      a certificate the CA signed, for each NODE (default: node)
#   OUTDIR/self-signed.pem, .key          with --self-signed as a NODE: a certificate no CA signed
#                                         (what a node outside the cluster might present)
#   OUTDIR/expired.pem, .key              with --expired as a NODE: signed by the CA, but valid only
#                                         on 1 January 2020 (for tests of an expired certificate)
# The same certificates serve chat-server's --tls-cert/--tls-key (TLS to clients) and
# chat-client's --tls-ca.
# Certificates name 127.0.0.1 and localhost (subjectAltName); add more with
# SAN=IP:10.0.0.5,DNS:chat-b.example ./dev-cluster-ca.sh ... . For development and tests only:
# the CA's key is written unencrypted. Keys are EC P-256; certificates last 825 days.
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 OUTDIR [NODE... | --self-signed]" >&2
  exit 2
fi
out="$1"
shift
nodes=("$@")
[ ${#nodes[@]} -gt 0 ] || nodes=(node)
mkdir -p "$out"
umask 077
san="IP:127.0.0.1,DNS:localhost${SAN:+,$SAN}"
days=825

if [ ! -f "$out/ca.pem" ]; then
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
    -days "$days" -subj "/CN=cafchat development cluster CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$out/ca.key" -out "$out/ca.pem" 2>/dev/null
  echo "made the development CA: $out/ca.pem"
fi

for node in "${nodes[@]}"; do
  if [ "$node" = "--expired" ]; then
    # `openssl x509 -req` cannot date a certificate in the past; `openssl ca` can.
    work="$(mktemp -d)"
    printf '[ca]\ndefault_ca=dev\n[dev]\ndatabase=%s/index\nnew_certs_dir=%s\nserial=%s/serial\ndefault_md=sha256\npolicy=any\n[any]\ncommonName=supplied\n[ext]\nsubjectAltName=%s\nbasicConstraints=CA:FALSE\n' \
      "$work" "$work" "$work" "$san" >"$work/ca.cnf"
    : >"$work/index"
    echo 01 >"$work/serial"
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=expired" \
      -keyout "$out/expired.key" -out "$work/expired.csr" 2>/dev/null
    openssl ca -batch -config "$work/ca.cnf" -cert "$out/ca.pem" -keyfile "$out/ca.key" \
      -in "$work/expired.csr" -out "$out/expired.pem" -startdate 20200101000000Z \
      -enddate 20200102000000Z -extensions ext -notext 2>/dev/null
    rm -rf "$work"
    echo "made an expired certificate (signed by the CA): $out/expired.pem"
    continue
  fi
  if [ "$node" = "--self-signed" ]; then
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
      -days "$days" -subj "/CN=self-signed" -addext "subjectAltName=$san" \
      -keyout "$out/self-signed.key" -out "$out/self-signed.pem" 2>/dev/null
    echo "made a self-signed certificate (no CA): $out/self-signed.pem"
    continue
  fi
  case "$node" in
    */* | .* | "") echo "$0: '$node' is not a plain node name" >&2; exit 2 ;;
  esac
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
    -subj "/CN=$node" -keyout "$out/$node.key" -out "$out/$node.csr" 2>/dev/null
  openssl x509 -req -in "$out/$node.csr" -CA "$out/ca.pem" -CAkey "$out/ca.key" \
    -CAcreateserial -sha256 -days "$days" -out "$out/$node.pem" \
    -extfile <(printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n' "$san") \
    2>/dev/null
  rm -f "$out/$node.csr"
  echo "made $out/$node.pem and $out/$node.key (signed by the CA)"
done
