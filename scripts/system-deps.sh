#!/bin/sh
# Make sure the system packages scout needs are installed (Debian/Ubuntu).
# As root, installs what is missing with apt-get; otherwise names the missing packages.
set -eu
PGVER=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1)
if [ -z "$PGVER" ]; then PGVER=15; fi
PKGS="postgresql-$PGVER postgresql-$PGVER-postgis-3 postgresql-$PGVER-pgrouting chromium \
libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-noto-core poppler-utils gdal-bin"
MISSING=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || MISSING="$MISSING $p"
done
[ -z "$MISSING" ] && exit 0
if [ "$(id -u)" = "0" ]; then
  echo "installing system packages:$MISSING"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $MISSING >/dev/null
else
  echo "missing system packages:$MISSING" >&2
  echo "install them with: sudo apt-get install -y$MISSING" >&2
  exit 1
fi
