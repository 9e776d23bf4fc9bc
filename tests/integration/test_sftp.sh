#!/usr/bin/env bash
# A partner's file inbox over real SFTP, end to end. A throwaway OpenSSH server
# (tests/support/sftpd.sh) chroots a throwaway user into <data>/partners/acme-fasteners; the real
# hub serves that data directory with the partner's profile (an X12 inbox and a file endpoint).
# The partner uploads with the OpenSSH sftp client: an 855 to a temporary name then renamed, an
# 855 put directly, a file that is not X12, a symlink to /etc/passwd and a .part that is still
# "being written". Then:
#   - complete files leave the inbox, the .part stays;
#   - both 855s are archived unchanged under archive/<partner>/<today>/, journaled, and their
#     documents are in the purchase order's transaction thread, readable over HTTP;
#   - a 997 for each is in partners/<partner>/outbox/ and the partner downloads them by sftp;
#   - the garbage and the symlink are in quarantine with a .reason.txt, the link's target never
#     read, and neither is tried again;
#   - the partner cannot leave its chroot: not archive/, not quarantine/, not /etc, no writes
#     beside inbox/ and outbox/, no shell.
# Two set-ups (the argument):
#   root  the hub runs as root; sshd's ChrootDirectory is <data>/partners/<partner> itself.
#   user  the hub runs as a throwaway unprivileged user that owns <data> (the store must write
#         there, so <data> cannot be a root-owned chroot component): <data>/partners is a
#         symlink to a root-owned tree on the same filesystem, which sshd chroots into. This is
#         docs/operations.md's "Partner SFTP access".
# Needs root (system users, sshd's chroot); installs openssh-server when missing. Where that is
# not possible it says why and exits 77 (meson: skipped). Output: one "ok"/"not ok" line per
# check, then "N passed, N failed". CROSSDOCK_KEEP=1 keeps the scratch directory.
set -uo pipefail

SRC=${CROSSDOCK_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${CROSSDOCK_BIN:-$SRC/build-asan/crossdock}
. "$SRC/tests/support/sftpd.sh"

sftpd_prereqs
command -v curl >/dev/null || sftpd_skip "curl is missing"
PY=/usr/bin/python3
[ -x "$PY" ] || sftpd_skip "$PY is missing"
[ -x "$BIN" ] || { echo "no crossdock binary at $BIN" >&2; exit 1; }

MODE=${1:-root}
case $MODE in root|user) ;; *) echo "usage: $0 [root|user]" >&2; exit 2 ;; esac
PARTNER=acme-fasteners
SAMPLE=$SRC/examples/partners/samples/acme-fasteners/855_4500012345.edi
# Not under /tmp: sshd refuses a chroot (or a key file) below a world-writable directory.
B=$(mktemp -d /run/crossdock-sftp.XXXXXX) || sftpd_skip "cannot make a directory under /run"
chmod 755 "$B"
DATA=$B/data
HUB_PID=
HUB_USER=
AS_HUB=() # the hub's commands run through this
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; return 1; fi; }
die() { not_ok "$*"; exit 1; }

finish()
{
    local rc=$?
    if [ -n "$HUB_PID" ]; then
        kill "$HUB_PID" 2>/dev/null
        wait "$HUB_PID" 2>/dev/null
    fi
    sftpd_stop
    [ -n "$HUB_USER" ] && userdel "$HUB_USER"
    if [ "$failed" -gt 0 ]; then
        echo "--- hub log (last 40 lines)"; tail -n 40 "$B/hub.log" 2>/dev/null
        echo "--- sshd log (last 20 lines)"; tail -n 20 "$B/sshd/sshd.log" 2>/dev/null
        echo "--- data directory"; (cd "$DATA" 2>/dev/null && find . -path ./crossdock.db\* -prune -o -print | sort)
    fi
    if [ "${CROSSDOCK_KEEP:-0}" = 1 ]; then echo "kept $B"; else rm -rf "$B"; fi
    echo "$passed passed, $failed failed"
    [ "$failed" -gt 0 ] && rc=1
    exit "$rc"
}
trap finish EXIT

# wait_until SECONDS COMMAND...: poll every 0.1 s.
wait_until()
{
    local deadline=$((SECONDS + $1)); shift
    until "$@"; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.1
    done
}

# http_get PATH: the body in $BODY, the status in $HTTP_STATUS
http_get()
{
    local out
    out=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $TOKEN" "$HUB_URL$1")
    HTTP_STATUS=${out##*$'\n'}
    BODY=${out%$'\n'*}
}
# json EXPR < body: a Python expression over j, printed
json() { "$PY" -c 'import json,sys; j=json.load(sys.stdin); r='"$1"'; print(r if not isinstance(r,(dict,list)) else json.dumps(r))'; }

# ---------------------------------------------------------------------------------------------
# The hub's data directory, the partner's folder, sshd

if [ "$MODE" = user ]; then
    HUB_USER=cdhub-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
        --user-group "$HUB_USER" || die "hub user created"
    AS_HUB=(setpriv --reuid="$HUB_USER" --regid="$HUB_USER" --init-groups --)
    install -d -m 700 -o "$HUB_USER" -g "$HUB_USER" "$DATA"
    install -d -m 755 -o root -g root "$B/sftp" "$B/sftp/partners"
    ln -s "$B/sftp/partners" "$DATA/partners"
    export SFTPD_HUB_USER=$HUB_USER
else
    install -d -m 755 -o root -g root "$DATA" "$DATA/partners"
fi
install -d -m 755 -o root -g root "$DATA/partners/$PARTNER"
CHROOT=$(readlink -f "$DATA/partners/$PARTNER")
TOKEN=$("${AS_HUB[@]}" "$BIN" token create --data "$DATA" --name sftp-test-admin) || die "admin token"
sftpd_start "$B/sshd" "$CHROOT" || die "sshd started (see $B/sshd/sshd.log)"
ok "sshd on 127.0.0.1:$SFTPD_PORT chroots $SFTPD_USER into ${CHROOT#$B/}; the hub runs as ${HUB_USER:-root}"

"${AS_HUB[@]}" "$BIN" serve --data "$DATA" --listen 127.0.0.1:0 2>"$B/hub.log" &
HUB_PID=$!
hub_port() { HUB_PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$B/hub.log" | head -n 1); [ -n "$HUB_PORT" ]; }
wait_until 30 hub_port || die "hub listening"
HUB_URL=http://127.0.0.1:$HUB_PORT

# The partner: Acme's X12 inbox, and a file endpoint (partners/<id>/outbox) its 997s go to.
cat >"$B/$PARTNER.yaml" <<'YAML'
id: acme-fasteners
name: Acme Fasteners Inc.
role: supplier
identifiers: {isa_qualifier: ZZ, isa_id: ACMEFAST, gs_id: ACMEFAST, duns: "804735132"}
x12: {acknowledgement: "997", hub_qualifier: ZZ, hub_id: NORTHWIND, hub_gs_id: NORTHWIND,
      component_separator: ">"}
inbound:
  inbox:
    files:
      - {pattern: "*.edi", format: x12}
outbound:
  endpoints:
    - {name: sftp-outbox, kind: file, filename: "{type}_{id}.{ext}"}
documents:
  - {type: purchase_order, direction: out, format: x12, version: "004010", set: "850"}
  - {type: po_acknowledgement, direction: in, format: x12, version: "004010"}
mapping:
  unknown_items: error
  items:
    - {sku: NW-20417, vendor_part: SH-NIT-L-100}
    - {sku: NW-10042, vendor_part: HB-M8-40-Z}
    - {sku: NW-31190, vendor_part: TP-DUCT-48}
  units: {codes: {CS: CA, EACH: EA, BOX: BX}}
YAML
check "partner profile applied" \
    "$BIN" partner apply "$B/$PARTNER.yaml" --url "$HUB_URL" --token "$TOKEN"

# The purchase order the 855s answer: they join its transaction thread by po_number.
PO=$(curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    --data-binary @"$SRC/examples/documents/purchase_order.json" "$HUB_URL/v1/documents")
CORR=$(printf '%s' "$PO" | json 'j["correlation_id"]' 2>/dev/null)
[ -n "$CORR" ] || die "purchase order 4500012345 stored (answer: $PO)"

# ---------------------------------------------------------------------------------------------
# The partner uploads

mkdir -p "$B/up" "$B/got"
cp "$SAMPLE" "$B/up/855_a.edi"
# A second interchange: its own control numbers and acknowledgement number.
sed -e 's/000000921/000000922/g' -e 's/\*921\*X\*/*922*X*/' -e 's/^GE\*1\*921~/GE*1*922~/' \
    -e 's/SO-778120/SO-778121/' "$SAMPLE" >"$B/up/855_b.edi"
printf 'this is not an interchange\n\001\002\003 nor CSV, nor JSON\n' >"$B/up/garbage.edi"
printf 'still being written\n' >"$B/up/probe.txt"

sftpd_sftp >"$B/sftp-upload.log" 2>&1 <<EOF
put $B/up/855_a.edi inbox/855_a.edi.part
rename inbox/855_a.edi.part inbox/855_a.edi
put $B/up/855_b.edi inbox/855_b.edi
put $B/up/garbage.edi inbox/garbage.edi
put $B/up/probe.txt inbox/probe.part
symlink /etc/passwd inbox/passwd.edi
EOF
check "sftp upload: put to a temporary name and rename, direct puts, a symlink" test $? -eq 0 \
    || cat "$B/sftp-upload.log"
check "an upload lands in partners/$PARTNER/inbox, owned by the partner's user" \
    test "$(stat -c %U "$CHROOT/inbox/probe.part" 2>/dev/null)" = "$SFTPD_USER" -a \
    "$(cat "$CHROOT/inbox/probe.part" 2>/dev/null)" = "still being written"

# ---------------------------------------------------------------------------------------------
# The hub takes what is complete

inbox_only_part() { [ "$(ls -A "$CHROOT/inbox")" = probe.part ]; }
check "every complete file leaves the inbox; the .part stays" wait_until 30 inbox_only_part \
    || ls -la "$CHROOT/inbox"

DAY=$(date -u +%F)
for f in 855_a.edi 855_b.edi; do
    check "$f archived unchanged in archive/$PARTNER/$DAY/" \
        cmp -s "$B/up/$f" "$DATA/archive/$PARTNER/$DAY/$f"
    check "$f journaled: accepted with 1 document" \
        grep -q "$f: accepted, 1 document(s)" "$B/hub.log"
done

http_get "/v1/transactions/$CORR"
check "GET /v1/transactions/$CORR: 200" test "$HTTP_STATUS" = 200
ACKS=$(printf '%s' "$BODY" | json '" ".join(d["id"] for d in j["documents"] if d.get("type") == "po_acknowledgement")' 2>/dev/null)
set -- $ACKS
check "both acknowledgements joined the purchase order's thread" test $# -eq 2
SEEN=
for id in $ACKS; do
    http_get "/v1/documents/$id"
    check "GET /v1/documents/$id: 200" test "$HTTP_STATUS" = 200 || printf '%.800s\n' "$BODY"
    SEEN+="$(printf '%s' "$BODY" | json '" ".join([j["po_number"], j["source"]["partner"], j["source"]["channel"], j["source"]["control_numbers"]["interchange"]])' 2>/dev/null);"
done
check "they are the 855s' acknowledgements of PO 4500012345, from $PARTNER through its file inbox" \
    test "$(tr ';' '\n' <<<"$SEEN" | sort | tr '\n' ';')" = \
    ";4500012345 $PARTNER file 000000921;4500012345 $PARTNER file 000000922;" || echo "$SEEN"

# ---------------------------------------------------------------------------------------------
# Refused files: quarantine with a reason, never read through a link, never retried

Q=$DATA/quarantine/$PARTNER
check "garbage.edi quarantined unchanged" wait_until 15 cmp -s "$B/up/garbage.edi" "$Q/garbage.edi"
check "garbage.edi.reason.txt says why" grep -q '^reason: .' "$Q/garbage.edi.reason.txt"
check "the symlink is quarantined as a link, with a reason" \
    wait_until 15 test -L "$Q/passwd.edi" -a -f "$Q/passwd.edi.reason.txt"
check "the link's target was never read (not archived, not journaled)" \
    bash -c "! grep -rqs '^root:' '$DATA/archive' '$Q' && ! grep -q 'passwd.edi: accepted' '$B/hub.log'"

# ---------------------------------------------------------------------------------------------
# The 850 and the 997s, collected by the partner

# Three files: the purchase order itself, which the workflow sent as an 850 (docs/workflows.md),
# and a 997 per interchange.
outbox_has_three() { [ "$(find "$CHROOT/outbox" -maxdepth 1 -type f ! -name '.*' | wc -l)" -eq 3 ]; }
check "the 850 and a 997 per interchange in partners/$PARTNER/outbox/" wait_until 30 \
    outbox_has_three || ls -la "$CHROOT/outbox"
check "the order went out as an 850 in the partner's envelope" bash -c \
    "grep -l 'ST\*850\*' '$CHROOT'/outbox/* | xargs grep -q 'BEG\*00\*SA\*4500012345'"
sftpd_sftp >"$B/sftp-get.log" 2>&1 <<EOF
ls -1 outbox
get outbox/* $B/got/
EOF
check "the partner downloads them by sftp" test $? -eq 0 || cat "$B/sftp-get.log"
check "the downloads hold 997s for group 921 and group 922" bash -c \
    "cat '$B'/got/* | tr -d '\n' | grep -q 'ST\*997\*.*AK1\*PR\*92[12]' &&
     grep -l 'AK1\*PR\*921' '$B'/got/* >/dev/null && grep -l 'AK1\*PR\*922' '$B'/got/* >/dev/null"
FIRST=$(find "$CHROOT/outbox" -maxdepth 1 -type f ! -name '.*' -printf '%f\n' | head -n 1)
printf 'rm outbox/%s\nrm inbox/probe.part\n' "$FIRST" | sftpd_sftp >/dev/null 2>&1
check "the partner removes what it collected (outbox) and its own leftovers (inbox)" \
    test $? -eq 0 -a ! -e "$CHROOT/outbox/$FIRST" -a ! -e "$CHROOT/inbox/probe.part"

# Not retried: past a full rescan (5 s) the quarantine is as it was and each file was refused once.
sleep 6
check "quarantine holds exactly the two files and their reasons" test \
    "$(ls -A "$Q" | tr '\n' ' ')" = "garbage.edi garbage.edi.reason.txt passwd.edi passwd.edi.reason.txt "
check "each refused file was handled once (no retry loop)" test \
    "$(grep -c 'garbage.edi quarantined' "$B/hub.log")-$(grep -c 'passwd.edi quarantined' "$B/hub.log")-$(grep -c 'passwd.edi left in the inbox' "$B/hub.log")" = 1-1-0

# ---------------------------------------------------------------------------------------------
# The chroot holds

sftpd_sftp >"$B/sftp-root.log" 2>&1 <<'EOF'
cd ..
pwd
ls -1a /
EOF
root_view() { grep -v '^sftp>' "$B/sftp-root.log" | tr '\n' ' '; }
check "the partner's / is its folder, .. leads nowhere, only inbox and outbox" \
    test "$(root_view)" = "Remote working directory: / /. /.. /inbox /outbox " || cat "$B/sftp-root.log"
refused() { ! printf '%s\n' "$1" | sftpd_sftp >/dev/null 2>&1; }
for cmd in "ls /archive" "ls ../../archive/$PARTNER" "get ../../archive/$PARTNER/$DAY/855_a.edi $B/got/x" \
    "ls /quarantine" "get /../quarantine/$PARTNER/garbage.edi.reason.txt $B/got/y" "ls /etc" \
    "get /etc/passwd $B/got/z" "ls ../$PARTNER/../../partners" "put $B/up/probe.txt /evil" \
    "mkdir /evil" "rename /inbox /evil" "rmdir /outbox" "chmod 777 /"; do
    check "refused: $cmd" refused "$cmd"
done
check "nothing written outside inbox/ and outbox/" test ! -e "$CHROOT/evil" -a -d "$CHROOT/inbox"
check "partners/$PARTNER is still root's, mode 755" test "$(stat -c '%U %a' "$CHROOT")" = "root 755"
SHELL_OUT=$(sftpd_ssh id 2>&1)
check "no shell: ssh runs internal-sftp, not the command" test "${SHELL_OUT#*uid=}" = "$SHELL_OUT"

# ---------------------------------------------------------------------------------------------
kill -TERM "$HUB_PID"
wait "$HUB_PID"
rc=$?
HUB_PID=
check "the hub stops cleanly" test "$rc" -eq 0
