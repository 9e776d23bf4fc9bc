#!/usr/bin/env bash
# A throwaway Tryton 6.0 server (trytond, SQLite backend) for the ERP connector's tests and for
# trying the connector by hand (docs/erp-tryton.md).
#
# As a library (tests/integration/test_erp_tryton.sh):
#     . tests/support/tryton.sh
#     tryton_prereqs                 # packages (installed when missing, as root); exits 77 if not
#     tryton_template CACHE_DIR      # the template database, built once per CACHE_DIR and
#                                    # version of tryton_rpc.py (~20 s)
#     tryton_start WORK              # copies the template into WORK, starts trytond on a free port
#     tryton_rpc setup|po-create ... # tests/support/tryton_rpc.py against it
#     tryton_stop                    # stop trytond (call it from a trap); tryton_start again
#                                    # restarts it on the same port and database
# The database is "northwind"; the admin password "admin-secret"; the hub's user "crossdock"
# with password "Kq7-Vw3Zr9Ln"; suppliers SUP-0001, SUP-0002; products NW-20417, NW-10042,
# NW-55555; a minimal chart of accounts (2100 payable, 6000 expense). Tasks Tryton queues
# ([queue] worker = True) wait for a worker that is never started, so a confirmed purchase stays
# confirmed until processed explicitly (tryton_rpc po-create does; po-confirm does not), and can
# go back to draft to be changed or cancelled.
#
# By hand:  tests/support/tryton.sh WORK    serves a fresh copy until Ctrl-C.

TRYTON_PKGS=(tryton-server tryton-modules-purchase tryton-modules-stock
             tryton-modules-account tryton-modules-account-invoice)
TRYTON_DB=northwind
TRYTON_PID=
TRYTON_PORT=
TRYTON_WORK=
TRYTON_URL=
TRYTON_TEMPLATE=
TRYTON_PY=/usr/bin/python3
_TRYTON_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

tryton_skip()
{
    if [ "${CROSSDOCK_TRYTON_REQUIRED:-0}" = 1 ]; then
        echo "tryton: cannot run here: $* (CROSSDOCK_TRYTON_REQUIRED=1: failing)" >&2
        exit 1
    fi
    echo "SKIP: $*"
    exit 77
}

tryton_prereqs()
{
    local missing=() p
    for p in "${TRYTON_PKGS[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        [ "$(id -u)" -eq 0 ] || tryton_skip "missing ${missing[*]} and not root"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
            >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1;
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
                "${missing[@]}" >/dev/null 2>&1; } || tryton_skip "cannot install ${missing[*]}"
    fi
    [ -x "$TRYTON_PY" ] || tryton_skip "$TRYTON_PY is missing"
    command -v trytond >/dev/null || tryton_skip "trytond is missing"
}

_tryton_conf()
{
    cat > "$1/trytond.conf" <<CONF
[database]
uri = sqlite://
path = $1/db
[web]
listen = 127.0.0.1:$2
[queue]
worker = True
CONF
}

_tryton_free_port()
{
    "$TRYTON_PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Wait until trytond answers on TRYTON_PORT (up to 30 s).
_tryton_wait()
{
    local i
    for i in $(seq 1 300); do
        curl -s -o /dev/null -X POST -H 'Content-Type: application/json' \
            -d '{"id":0,"method":"common.server.version","params":[]}' \
            "http://127.0.0.1:$TRYTON_PORT/" && return 0
        kill -0 "$TRYTON_PID" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# Build (once) the template database in CACHE_DIR: modules activated, tryton_rpc.py setup run.
# A lock makes concurrent test runs wait for the one building it.
tryton_template()
{
    local cache=$1
    mkdir -p "$cache"
    # Named by the set-up script's content: a changed set-up builds a new template.
    local tag
    tag=$(sha256sum "$_TRYTON_HERE/tryton_rpc.py" | cut -c1-12)
    TRYTON_TEMPLATE=$cache/$TRYTON_DB-$tag.sqlite
    (
        flock 9
        [ -s "$TRYTON_TEMPLATE" ] && exit 0
        local w
        w=$(mktemp -d "$cache/build.XXXXXX") || exit 1
        mkdir -p "$w/db"
        local port
        port=$(_tryton_free_port)
        _tryton_conf "$w" "$port"
        echo 'admin-secret' > "$w/pass"
        touch "$w/db/$TRYTON_DB.sqlite"
        TRYTONPASSFILE=$w/pass trytond-admin -c "$w/trytond.conf" -d "$TRYTON_DB" --all \
            --email admin@example.com > "$w/admin.log" 2>&1 || { cat "$w/admin.log" >&2; exit 1; }
        trytond-admin -c "$w/trytond.conf" -d "$TRYTON_DB" -u purchase stock account_invoice \
            --activate-dependencies >> "$w/admin.log" 2>&1 || { cat "$w/admin.log" >&2; exit 1; }
        trytond -c "$w/trytond.conf" > "$w/server.log" 2>&1 &
        local pid=$!
        TRYTON_PORT=$port TRYTON_PID=$pid _tryton_wait || { cat "$w/server.log" >&2; kill $pid; exit 1; }
        "$TRYTON_PY" "$_TRYTON_HERE/tryton_rpc.py" "http://127.0.0.1:$port" "$TRYTON_DB" setup \
            > "$w/setup.json" || { kill $pid; wait $pid; exit 1; }
        kill $pid
        wait $pid
        cp "$w/db/$TRYTON_DB.sqlite" "$TRYTON_TEMPLATE.part" && mv "$TRYTON_TEMPLATE.part" "$TRYTON_TEMPLATE"
        rm -rf "$w"
    ) 9> "$cache/.tryton.lock"
}

# Start trytond on a copy of the template in WORK (a fresh copy unless WORK/db has one).
tryton_start()
{
    TRYTON_WORK=$1
    mkdir -p "$TRYTON_WORK/db"
    [ -s "$TRYTON_WORK/db/$TRYTON_DB.sqlite" ] || cp "$TRYTON_TEMPLATE" "$TRYTON_WORK/db/$TRYTON_DB.sqlite"
    [ -n "$TRYTON_PORT" ] || TRYTON_PORT=$(_tryton_free_port)
    _tryton_conf "$TRYTON_WORK" "$TRYTON_PORT"
    trytond -c "$TRYTON_WORK/trytond.conf" >> "$TRYTON_WORK/server.log" 2>&1 &
    TRYTON_PID=$!
    TRYTON_URL=http://127.0.0.1:$TRYTON_PORT/
    _tryton_wait
}

tryton_stop()
{
    if [ -n "$TRYTON_PID" ]; then
        kill "$TRYTON_PID" 2>/dev/null
        wait "$TRYTON_PID" 2>/dev/null
        TRYTON_PID=
    fi
}

tryton_rpc()
{
    "$TRYTON_PY" "$_TRYTON_HERE/tryton_rpc.py" "$TRYTON_URL" "$TRYTON_DB" "$@"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    [ $# -eq 1 ] || { echo "usage: $0 WORK_DIR" >&2; exit 2; }
    tryton_prereqs
    tryton_template "$1/cache" || exit 1
    tryton_start "$1/server" || exit 1
    trap tryton_stop EXIT INT TERM
    echo "trytond at $TRYTON_URL (database $TRYTON_DB); Ctrl-C stops it"
    wait "$TRYTON_PID"
fi
