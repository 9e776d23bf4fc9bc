#!/usr/bin/env bash
# A throwaway OpenSSH SFTP server for one partner folder, for tests and for trying the set-up by
# hand (docs/operations.md, "Partner SFTP access"). Needs root: it creates a system user.
#
# As a library (tests/integration/test_sftp.sh):
#     . tests/support/sftpd.sh
#     sftpd_prereqs                    # root, packages; exits 77 (meson: skipped) saying why not
#     sftpd_start WORK CHROOT          # WORK: root-owned dir for keys, config and logs (not /tmp)
#     sftpd_sftp <<< 'put a inbox/a'   # sftp -b - as the partner; returns sftp's status
#     sftpd_stop                       # stop sshd, remove the user (call it from a trap)
# sftpd_start creates the user cdpartner-<random> (SFTPD_USER), a host key and a client key,
# <CHROOT>/inbox (the user's, group of the hub's user SFTPD_HUB_USER, default root) and
# <CHROOT>/outbox (the hub's, group the partner's), both 2770, an sshd_config that chroots the user
# into CHROOT with internal-sftp only and key authentication only, and starts /usr/sbin/sshd -D
# on 127.0.0.1 on a free port (SFTPD_PORT). The client pins the host key (SFTPD_KNOWN_HOSTS).
#
# By hand:  tests/support/sftpd.sh DATA_DIR PARTNER
#     serves DATA_DIR/partners/PARTNER until Ctrl-C and prints the sftp command to use.
#
# CROSSDOCK_SFTP_REQUIRED=1 turns "cannot run here" (exit 77) into a failure (exit 1).

SFTPD_PKGS=(openssh-server openssh-client)
SFTPD_USER=
SFTPD_PID=
SFTPD_PORT=
SFTPD_WORK=
SFTPD_CHROOT=
SFTPD_KEY=
SFTPD_KNOWN_HOSTS=
SFTPD_LOG=

sftpd_skip()
{
    if [ "${CROSSDOCK_SFTP_REQUIRED:-0}" = 1 ]; then
        echo "sftpd: cannot run here: $* (CROSSDOCK_SFTP_REQUIRED=1: failing)" >&2
        exit 1
    fi
    echo "SKIP: $*"
    exit 77
}

# Root, the OpenSSH server and client (installed through apt-get when missing), useradd.
sftpd_prereqs()
{
    [ "$(id -u)" -eq 0 ] || sftpd_skip "not root (sshd's ChrootDirectory and a throwaway user need root)"
    local missing=() p
    for p in "${SFTPD_PKGS[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        command -v apt-get >/dev/null || sftpd_skip "${missing[*]} missing and no apt-get"
        echo "sftpd: installing ${missing[*]}" >&2
        # On a machine with a running init system (no policy-rc.d that refuses), installing
        # openssh-server also starts the system's own sshd on port 22, as it always does.
        if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
                "${missing[@]}" >/dev/null 2>&1; then
            DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
                "${missing[@]}" >/dev/null 2>&1 || sftpd_skip "apt-get could not install ${missing[*]}"
        fi
    fi
    local b
    for b in /usr/sbin/sshd /usr/bin/sftp /usr/bin/ssh-keygen /usr/sbin/useradd /usr/sbin/userdel; do
        [ -x "$b" ] || sftpd_skip "$b is missing"
    done
}

# Every component of DIR up to / must be a directory owned by root and not writable by group or
# others (sshd's ChrootDirectory rule). Prints each one that is not; status 1 when any.
sftpd_check_chroot()
{
    local d bad=0 st
    d=$(readlink -f -- "$1") || return 1
    while :; do
        st=$(stat -c '%u %a %F' -- "$d" 2>/dev/null) || { echo "$d: missing" >&2; return 1; }
        set -- $st
        if [ "$1" != 0 ] || [ $((8#$2 & 8#022)) -ne 0 ] || [ "$3" != directory ]; then
            echo "$d: owner uid $1, mode $2 ($3); must be a root-owned directory not writable by group or others" >&2
            bad=1
        fi
        [ "$d" = / ] && break
        d=$(dirname -- "$d")
    done
    return $bad
}

# sftpd_start WORK CHROOT
sftpd_start()
{
    SFTPD_WORK=$1
    SFTPD_CHROOT=$(readlink -f -- "$2")
    sftpd_check_chroot "$SFTPD_CHROOT" || { echo "sftpd: $SFTPD_CHROOT cannot be a chroot" >&2; return 1; }
    local W=$SFTPD_WORK
    install -d -m 755 -o root -g root "$W" "$W/keys" || return 1

    SFTPD_USER=cdpartner-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
    # '*': no password, but not locked ('!' is, and sshd refuses locked accounts).
    useradd --system --no-create-home --home-dir / --shell /usr/sbin/nologin --user-group \
        -p '*' "$SFTPD_USER" || { SFTPD_USER=; return 1; }
    # inbox/: the partner's, group the hub's; outbox/: the hub's, group the partner's. Both
    # setgid, so a file the partner uploads is the hub's group and a file the hub writes (mode
    # 0640) is readable by the partner; either side may remove what the other left.
    local hub_user=${SFTPD_HUB_USER:-root} hub_group
    hub_group=$(id -gn "$hub_user") || return 1
    install -d -o "$SFTPD_USER" -g "$hub_group" "$SFTPD_CHROOT/inbox" || return 1
    install -d -o "$hub_user" -g "$SFTPD_USER" "$SFTPD_CHROOT/outbox" || return 1
    chown "$SFTPD_USER:$hub_group" "$SFTPD_CHROOT/inbox"
    chown "$hub_user:$SFTPD_USER" "$SFTPD_CHROOT/outbox"
    chmod 2770 "$SFTPD_CHROOT/inbox" "$SFTPD_CHROOT/outbox"
    chgrp -R "$hub_group" "$SFTPD_CHROOT/inbox"
    chgrp -R "$SFTPD_USER" "$SFTPD_CHROOT/outbox"

    rm -f "$W/host_ed25519" "$W/host_ed25519.pub" "$W/client_ed25519" "$W/client_ed25519.pub"
    ssh-keygen -q -t ed25519 -N '' -C crossdock-test-host -f "$W/host_ed25519" || return 1
    ssh-keygen -q -t ed25519 -N '' -C crossdock-test-client -f "$W/client_ed25519" || return 1
    install -m 644 -o root -g root "$W/client_ed25519.pub" "$W/keys/$SFTPD_USER"
    SFTPD_KEY=$W/client_ed25519
    SFTPD_LOG=$W/sshd.log
    mkdir -p /run/sshd # privilege separation directory; sshd refuses to start without it

    local try port
    for try in 1 2 3 4 5 6 7 8 9 10; do
        port=$((40000 + RANDOM % 20000))
        cat >"$W/sshd_config" <<CONF
# Written by tests/support/sftpd.sh: one partner, SFTP only, keys only, chrooted.
ListenAddress 127.0.0.1
Port $port
HostKey $W/host_ed25519
PidFile $W/sshd.pid
AuthorizedKeysFile $W/keys/%u
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
UsePAM no
AllowUsers $SFTPD_USER
PrintMotd no
LogLevel VERBOSE
Subsystem sftp internal-sftp
Match User $SFTPD_USER
  ChrootDirectory $SFTPD_CHROOT
  ForceCommand internal-sftp
  DisableForwarding yes
  PermitTTY no
  PermitTunnel no
CONF
        /usr/sbin/sshd -t -f "$W/sshd_config" || return 1
        /usr/sbin/sshd -D -e -f "$W/sshd_config" 2>"$SFTPD_LOG" &
        SFTPD_PID=$!
        local i
        for i in $(seq 200); do
            grep -q "Server listening on 127.0.0.1 port $port" "$SFTPD_LOG" 2>/dev/null && break
            kill -0 "$SFTPD_PID" 2>/dev/null || break
            sleep 0.05
        done
        if grep -q "Server listening on 127.0.0.1 port $port" "$SFTPD_LOG"; then
            SFTPD_PORT=$port
            printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$W/host_ed25519.pub")" \
                >"$W/known_hosts"
            SFTPD_KNOWN_HOSTS=$W/known_hosts
            return 0
        fi
        wait "$SFTPD_PID" 2>/dev/null
        SFTPD_PID=
        grep -q 'Address already in use' "$SFTPD_LOG" || { cat "$SFTPD_LOG" >&2; return 1; }
    done
    echo "sftpd: no free port after 10 tries" >&2
    return 1
}

# The partner's sftp: batch from stdin (a failing command ends it, unless prefixed with '-'),
# extra sftp arguments before. Host key pinned, no user or system ssh configuration.
sftpd_sftp()
{
    sftp -q -F /dev/null -b - "$@" -i "$SFTPD_KEY" -P "$SFTPD_PORT" \
        -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
        -o UserKnownHostsFile="$SFTPD_KNOWN_HOSTS" -o GlobalKnownHostsFile=/dev/null \
        -o LogLevel=ERROR -o ConnectTimeout=10 "$SFTPD_USER@127.0.0.1"
}

# The partner's ssh (to show that it gets no shell). Arguments: the remote command.
sftpd_ssh()
{
    ssh -F /dev/null -T -i "$SFTPD_KEY" -p "$SFTPD_PORT" \
        -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
        -o UserKnownHostsFile="$SFTPD_KNOWN_HOSTS" -o GlobalKnownHostsFile=/dev/null \
        -o LogLevel=ERROR -o ConnectTimeout=10 "$SFTPD_USER@127.0.0.1" "$@" </dev/null
}

# Stop sshd and remove the user. Safe to call more than once.
sftpd_stop()
{
    if [ -n "$SFTPD_PID" ]; then
        kill "$SFTPD_PID" 2>/dev/null
        wait "$SFTPD_PID" 2>/dev/null
        SFTPD_PID=
    fi
    if [ -n "$SFTPD_USER" ]; then
        # A session the listener left behind (a client killed half-way) would block userdel.
        local pid
        for pid in $(pgrep -u "$SFTPD_USER" 2>/dev/null); do
            kill "$pid" 2>/dev/null
        done
        local i
        for i in 1 2 3 4 5 6 7 8 9 10; do
            userdel "$SFTPD_USER" 2>/dev/null && break
            sleep 0.2
        done
        if id "$SFTPD_USER" >/dev/null 2>&1; then
            echo "sftpd: could not remove user $SFTPD_USER" >&2
        else
            SFTPD_USER=
        fi
    fi
}

# By hand: serve DATA_DIR/partners/PARTNER until interrupted.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -uo pipefail
    [ $# -eq 2 ] || { echo "usage: $0 DATA_DIR PARTNER" >&2; exit 2; }
    sftpd_prereqs
    data=$(readlink -f -- "$1")
    install -d -m 755 -o root -g root "$data/partners/$2" || exit 1
    work=$(mktemp -d /run/crossdock-sftpd.XXXXXX) && chmod 755 "$work" || exit 1
    # The user goes away: give inbox/ and outbox/ back to root rather than to a dangling uid.
    trap 'sftpd_stop; chown -R root:root "$data/partners/$2/inbox" "$data/partners/$2/outbox"; rm -rf "$work"' EXIT
    trap 'exit 0' INT TERM
    sftpd_start "$work" "$data/partners/$2" || exit 1
    echo "SFTP for partner $2 as $SFTPD_USER on 127.0.0.1:$SFTPD_PORT (Ctrl-C stops it; log: $SFTPD_LOG)"
    echo "  sftp -i $SFTPD_KEY -P $SFTPD_PORT -o UserKnownHostsFile=$SFTPD_KNOWN_HOSTS $SFTPD_USER@127.0.0.1"
    wait "$SFTPD_PID"
fi
