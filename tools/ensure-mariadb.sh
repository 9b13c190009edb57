#!/usr/bin/env bash
# Make sure a MariaDB server binary exists for the real-server tests and
# the demo. Installs Debian's mariadb-server when we may (root + apt-get);
# otherwise stops with the one command to run.
set -eu
PATH="$PATH:/usr/sbin:/usr/local/sbin"
if command -v mariadbd >/dev/null 2>&1 && command -v mariadb-dump >/dev/null 2>&1; then
    exit 0
fi
packages="mariadb-server mariadb-client mariadb-backup"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "mariadbd not found: installing $packages from Debian" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq $packages >/dev/null
    exit 0
fi
echo "mariadbd not found. Install it, then run tox again:" >&2
echo "    sudo apt-get install -y $packages" >&2
exit 1
