#!/bin/sh
# certbot deploy hook: copies a renewed certificate into ALCOVE_TLS_DIR's
# default location, deploy/tls/, and makes nginx load it. certbot runs deploy
# hooks after each successful issuance or renewal and sets RENEWED_LINEAGE to
# the certificate's directory under /etc/letsencrypt/live/. Use it as
#   certbot ... --deploy-hook /path/to/alcove/deploy/certbot-deploy-hook.sh
# The files are copied, not linked, because the files in live/ are symbolic
# links into archive/, which the nginx container cannot follow.
set -eu

: "${RENEWED_LINEAGE:?certbot sets RENEWED_LINEAGE; run this script as a certbot deploy hook}"

alcove_dir=$(cd "$(dirname "$0")/.." && pwd)
tls_dir="$alcove_dir/deploy/tls"

mkdir -p "$tls_dir"
install -m 0644 "$RENEWED_LINEAGE/fullchain.pem" "$tls_dir/fullchain.pem"
install -m 0600 "$RENEWED_LINEAGE/privkey.pem" "$tls_dir/privkey.pem"

cd "$alcove_dir"
if docker compose version >/dev/null 2>&1; then
	docker compose exec -T nginx nginx -s reload
else
	docker-compose exec -T nginx nginx -s reload
fi
