#!/usr/bin/env bash
# Redis's production ACL file on a real redis-server (ctest ops_redis_acl).
# deploy/k8s/overlays/prod/redis/render-acl.sh, the init container's script,
# fills the template users.acl with test passwords; redis-server loads it
# (--aclfile, on a unix socket in a temporary directory, no TCP port); then:
#   - a client without credentials, or with a wrong password, is refused;
#   - each service user reads, writes and runs scripts on its own keys
#     (docs/security.md, "Redis: AUTH and ACL users") and gets NOPERM on
#     another service's keys, FLUSHALL, CONFIG SET, KEYS, CLIENT KILL and ACL;
#   - leadflow-exporter runs PING, INFO and CONFIG GET and reads no key;
#   - leadflow-notifier runs PING and nothing else (no key, no script);
#   - the readiness probe's command (REDISCLI_AUTH) answers PONG;
#   - render-acl.sh refuses a missing, short or unsafe password and then
#     leaves no ACL file, so Redis would not start.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ACL="$ROOT/deploy/k8s/overlays/prod/redis"
for tool in redis-server redis-cli sha256sum; do
  command -v "$tool" >/dev/null || { echo "redis_acl: needs $tool (scripts/bootstrap installs it)" >&2; exit 1; }
done
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
mkdir -p "$tmp/passwords" "$tmp/acl"
users=$(grep -o '#{{[a-z-]*}}' "$ACL/users.acl" | tr -d '#{}')
for u in $users; do head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$tmp/passwords/$u"; done
render() { ACL_TEMPLATE_DIR="$ACL" ACL_PASSWORD_DIR="$tmp/passwords" ACL_DIR="$tmp/acl" sh "$ACL/render-acl.sh"; }

fail=0
bad() { echo "redis_acl: $*" >&2; fail=1; }

# The script refuses bad passwords and leaves no file behind.
cp "$tmp/passwords/leadflow-routing" "$tmp/routing.pw"
for case in missing short unsafe; do
  case $case in
    missing) rm "$tmp/passwords/leadflow-routing" ;;
    short) printf %s abc >"$tmp/passwords/leadflow-routing" ;;
    unsafe) printf %s 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@:/' >"$tmp/passwords/leadflow-routing" ;;
  esac
  if render 2>/dev/null || [ -e "$tmp/acl/users.acl" ] || [ -e "$tmp/acl/users.acl.new" ]; then
    bad "render-acl.sh accepted a $case password or left a file"
  fi
done
cp "$tmp/routing.pw" "$tmp/passwords/leadflow-routing"
render >/dev/null
grep -q '{{' "$tmp/acl/users.acl" && bad "a placeholder is left in users.acl"
for u in $users; do
  grep -qF "$(cat "$tmp/passwords/$u")" "$tmp/acl/users.acl" && bad "the plaintext password of $u is in users.acl"
done

sock="$tmp/redis.sock"
redis-server --port 0 --unixsocket "$sock" --unixsocketperm 700 --aclfile "$tmp/acl/users.acl" \
  --save "" --appendonly no --dir "$tmp" >"$tmp/redis.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do [ -S "$sock" ] && break; sleep 0.05; done
[ -S "$sock" ] || { cat "$tmp/redis.log" >&2; echo "redis_acl: redis-server did not start with users.acl" >&2; exit 1; }

# as USER COMMAND... -> the reply (errors included) on stdout
as() {
  local user=$1; shift
  if [ "$user" = "-" ]; then redis-cli -s "$sock" "$@" 2>&1
  else REDISCLI_AUTH="$(cat "$tmp/passwords/$user")" redis-cli -s "$sock" --user "$user" --no-auth-warning "$@" 2>&1; fi
}
expect() {  # what reply-substring user command...
  local what=$1 want=$2; shift 2
  local got; got=$(as "$@")
  case "$got" in *"$want"*) ;; *) bad "$what: want \"$want\", got \"$got\"";; esac
}

expect "no credentials" NOAUTH - PING
expect "no credentials" NOAUTH - SET 'lf:{intake}:x' 1
got=$(redis-cli -s "$sock" --user leadflow-intake --pass wrong-password-wrong-password-xx --no-auth-warning PING 2>&1)
case "$got" in *WRONGPASS*|*invalid*) ;; *) bad "a wrong password: got \"$got\"";; esac

declare -A OWN=(
  [leadflow-intake]='lf:{intake}:t'
  [leadflow-scoring]='lf:{scoring}:t lf:scoring:{l:1}:t'
  [leadflow-routing]='lf:{routing}:t'
  [leadflow-nurture]='lf:{nurture}:t'
)
for u in "${!OWN[@]}"; do
  for key in ${OWN[$u]}; do
    expect "$u writes $key" OK "$u" SET "$key" v
    expect "$u reads $key" v "$u" GET "$key"
    expect "$u scripts on $key" v "$u" EVAL "return redis.call('GET', KEYS[1])" 1 "$key"
  done
  for other in "${!OWN[@]}"; do
    [ "$other" = "$u" ] && continue
    for key in ${OWN[$other]}; do expect "$u on $other's $key" NOPERM "$u" GET "$key"; done
  done
  expect "$u FLUSHALL" NOPERM "$u" FLUSHALL
  expect "$u CONFIG SET" NOPERM "$u" CONFIG SET maxmemory 1
  expect "$u KEYS" NOPERM "$u" KEYS '*'
  expect "$u CLIENT KILL" NOPERM "$u" CLIENT KILL ID 999999
  expect "$u ACL" NOPERM "$u" ACL LIST
done
# The notifier keeps nothing in Redis: the runtime only PINGs it for readiness.
expect "the notifier pings" PONG leadflow-notifier PING
for key in 'lf:{intake}:t' 'lf:{routing}:t' 'lf:{notifier}:t' 'x'; do
  expect "the notifier reads no key ($key)" NOPERM leadflow-notifier GET "$key"
  expect "the notifier writes no key ($key)" NOPERM leadflow-notifier SET "$key" 1
done
expect "the notifier runs no script" NOPERM leadflow-notifier EVAL "return 1" 0
expect "the notifier reads no INFO" NOPERM leadflow-notifier INFO
expect "the notifier FLUSHALL" NOPERM leadflow-notifier FLUSHALL
expect "the notifier KEYS" NOPERM leadflow-notifier KEYS '*'
expect "the exporter pings" PONG leadflow-exporter PING
expect "the exporter reads INFO" redis_version leadflow-exporter INFO server
expect "the exporter reads maxmemory" maxmemory leadflow-exporter CONFIG GET maxmemory
expect "the exporter reads no key" NOPERM leadflow-exporter GET 'lf:{intake}:t'
expect "the exporter writes nothing" NOPERM leadflow-exporter SET 'lf:{intake}:t' 1
# The readiness probe of overlays/prod/redis/statefulset.yaml, verbatim but for the socket.
probe=$(REDISCLI_AUTH="$(cat "$tmp/passwords/leadflow-exporter")" \
  sh -c "redis-cli -s '$sock' --user leadflow-exporter --no-auth-warning ping | grep -qx PONG && echo ready" 2>&1 || true)
[ "$probe" = ready ] || bad "the readiness probe's command did not see PONG ($probe)"
grep -q 'redis-cli --user leadflow-exporter --no-auth-warning ping | grep -qx PONG' "$ACL/statefulset.yaml" \
  || bad "statefulset.yaml's readiness probe is not the command tested here"

[ $fail = 0 ] && echo "redis_acl: $(echo "$users" | wc -w) users from users.acl behave as docs/security.md says"
exit $fail
