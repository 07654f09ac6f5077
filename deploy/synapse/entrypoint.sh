#!/bin/sh
# Entrypoint of every Synapse container in docker-compose.yml. It prepares
# what the image's /start.py does not and then runs /start.py with the same
# arguments. It runs as root; /start.py then runs Synapse as $UID:$GID
# (991:991 by default) through gosu.
set -eu

synapse_owner="${UID:-991}:${GID:-991}"

# A new named volume belongs to root, but Synapse writes its signing key and
# media there. Workers mount the volume read-only and skip this.
if [ -w /data ]; then
	chown "$synapse_owner" /data
fi

# libpq reads the database password from the password file named by passfile
# in deployment.yaml, and ignores the file if anyone but its owner can read it.
# /run/alcove is a tmpfs, so the password never reaches a disk. In a password
# file, ":" and "\" are escaped with "\"; "*" matches any host, port, database
# and user.
password=$(cat /run/secrets/postgres_password)
escaped=$(printf '%s' "$password" | sed 's/[\\:]/\\&/g')
umask 077
printf '*:*:*:*:%s\n' "$escaped" >/run/alcove/pgpass
chown "$synapse_owner" /run/alcove/pgpass

exec /start.py "$@"
