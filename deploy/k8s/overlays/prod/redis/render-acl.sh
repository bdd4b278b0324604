#!/bin/sh
# Writes Redis's ACL file (/acl/users.acl) from the template users.acl (this
# directory) and the passwords in /etc/redis-passwords (the operator's Secret
# leadflow-redis-users, one key per user): each #{{user}} becomes # and the
# SHA-256 of that user's password, so no plaintext password reaches the file.
# Fails, and so keeps Redis from starting, when a password is missing, shorter
# than 32 characters or not URL-safe (it goes into LEADFLOW_REDIS_URL as is).
# The three directories can be moved for tests/ops/redis_acl_test.sh.
set -eu
umask 077
template="${ACL_TEMPLATE_DIR:-/etc/redis-acl}/users.acl"
passwords="${ACL_PASSWORD_DIR:-/etc/redis-passwords}"
acl_dir="${ACL_DIR:-/acl}"
out="$acl_dir/users.acl.new"
cp "$template" "$out"
for user in $(grep -o '#{{[a-z-]*}}' "$template" | tr -d '#{}'); do
  file="$passwords/$user"
  [ -f "$file" ] || { echo "render-acl: leadflow-redis-users has no key $user" >&2; rm -f "$out"; exit 1; }
  pw=$(cat "$file")
  [ "${#pw}" -ge 32 ] || { echo "render-acl: the password of $user is shorter than 32 characters" >&2; rm -f "$out"; exit 1; }
  case "$pw" in *[!A-Za-z0-9._~-]*)
    echo "render-acl: the password of $user is not URL-safe ([A-Za-z0-9._~-])" >&2; rm -f "$out"; exit 1 ;; esac
  hash=$(printf %s "$pw" | sha256sum | cut -d' ' -f1)
  sed -i "s/#{{$user}}/#$hash/" "$out"
done
mv "$out" "$acl_dir/users.acl"
echo "render-acl: $(grep -c '^user ' "$acl_dir/users.acl") users"
