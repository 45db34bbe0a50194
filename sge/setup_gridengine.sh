#!/usr/bin/env bash
# Single-node (Son of) Grid Engine 8.1.9 for Debian 12: install, configure,
# start.  Idempotent: a second run finds a working cluster and exits quickly;
# if the daemons died (e.g. container restart) it starts them again.
#
# Usage:
#   sge/setup_gridengine.sh              install/configure/start (root)
#   sge/setup_gridengine.sh --print-env  print `export ...` lines (no root)
#   sge/setup_gridengine.sh --status     exit 0 when the cluster accepts jobs
#   sge/setup_gridengine.sh --stop       stop the daemons by their pid files
#   sge/setup_gridengine.sh --restart-master
#                                        stop and start sge_qmaster; running jobs carry on
#
#   eval "$(sge/setup_gridengine.sh --print-env)"
#
# Daemons are started directly (not through invoke-rc.d, which policy-rc.d or
# a missing init system refuses) and stopped only by the pids they record in
# their spool directories, never by name.
#
# After a restart of sge_qmaster the execd is restarted too, once the new master
# answers: by --restart-master, by a plain run that finds the master down, and
# by a plain run after anyone else restarted the master (the execd is older). An execd that reconnects to a new master holds
# back the end of every DRMAA/qsub -sync job submitted before the restart for
# a hard-coded 600 s ("delayed job reporting", sge_execd 8.1.9, no
# configuration turns it off), so those jobs stay listed as running and keep
# their slots for ten minutes. A freshly started execd has no such period: it
# reports the jobs that ended meanwhile at once (from active_jobs/ in its
# spool), and jobs still running keep running under their shepherds (their
# ends are noticed by its once-a-minute check of adopted jobs).
set -euo pipefail

SGE_ROOT=${SGE_ROOT:-/var/lib/gridengine}
SGE_CELL=${SGE_CELL:-default}
QUEUE=${ION_SGE_QUEUE:-all.q}
# Plugin jobs get their own queue, as in the original (plugin.q): most of them are short or
# wait on I/O and REST calls, so it has more slots than cores and a burst of launches runs
# at once instead of queueing behind the analysis slots of all.q.
PLUGIN_QUEUE=${ION_SGE_PLUGIN_QUEUE:-plugin.q}
DRMAA_LIB=/usr/lib/gridengine-drmaa/lib/libdrmaa.so.1.0
SHEPHERD_BIN=/usr/lib/gridengine/sge_shepherd  # Debian: the binary behind the sge_shepherd wrapper
HOST=$(hostname)
COMMON="$SGE_ROOT/$SGE_CELL/common"
# Bump when the configuration below changes so existing clusters get it too.
CONFIG_VERSION=5
STAMP="$COMMON/.torrent-server-setup"
EXECD_SPOOL=${SGE_EXECD_SPOOL:-/var/spool/gridengine/execd}  # Debian's default execd_spool_dir
export SGE_ROOT SGE_CELL
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

log() { echo "setup_gridengine: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

jemalloc_path() {
    # libdrmaa links libjemalloc, whose initial-exec TLS does not fit the
    # static TLS surplus when dlopen()ed late (python `import drmaa`); it has
    # to be preloaded into the process that loads libdrmaa.
    local p
    for p in /lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 \
             /lib/aarch64-linux-gnu/libjemalloc.so.2 /usr/lib/aarch64-linux-gnu/libjemalloc.so.2; do
        [ -e "$p" ] && { echo "$p"; return 0; }
    done
    return 1
}

print_env() {
    echo "export SGE_ROOT=$SGE_ROOT"
    echo "export SGE_CELL=$SGE_CELL"
    echo "export ION_SGE_QUEUE=$QUEUE"
    echo "export ION_SGE_PLUGIN_QUEUE=$PLUGIN_QUEUE"
    [ -e "$DRMAA_LIB" ] && echo "export DRMAA_LIBRARY_PATH=$DRMAA_LIB"
    local jm
    if jm=$(jemalloc_path); then
        case ":${LD_PRELOAD:-}:" in
            *":$jm:"*) echo "export LD_PRELOAD=${LD_PRELOAD}" ;;
            *) echo "export LD_PRELOAD=$jm${LD_PRELOAD:+:$LD_PRELOAD}" ;;
        esac
    fi
    return 0
}

# --- daemon bookkeeping ------------------------------------------------------
pid_alive() {  # pidfile expected-comm
    local f=$1 comm=$2 pid
    [ -s "$f" ] || return 1
    pid=$(tr -dc '0-9' <"$f")
    [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] || return 1
    # The pid may have been reused after a restart: check it is ours.
    [ "$(cat "/proc/$pid/comm")" = "$comm" ]
}

# The daemons write their own pid files into their spool directories.
qmaster_pidfile() {
    echo "$(awk '$1=="qmaster_spool_dir"{print $2}' "$COMMON/bootstrap" 2>/dev/null)/qmaster.pid"
}
execd_pidfile() {
    # The execd names its spool subdirectory after the name its own resolver
    # returns, which may be "localhost" rather than $HOST: take the live one.
    local spool=$EXECD_SPOOL f
    for f in "$spool/$HOST/execd.pid" "$spool"/*/execd.pid; do
        if pid_alive "$f" sge_execd; then echo "$f"; return 0; fi
    done
    echo "$spool/$HOST/execd.pid"
}
qmaster_running() { pid_alive "$(qmaster_pidfile)" sge_qmaster; }
execd_running() { pid_alive "$(execd_pidfile)" sge_execd; }

started_at() {  # pidfile: the process's start time (clock ticks since boot)
    # Field 22 of /proc/PID/stat, counted after the command name's closing parenthesis.
    sed -e 's/^.*) //' "/proc/$(tr -dc '0-9' <"$1")/stat" 2>/dev/null | awk '{print $20}'
}

# The execd has outlived the master it registered with (see the header).
execd_outlived_master() {
    qmaster_running && execd_running || return 1
    local e q
    e=$(started_at "$(execd_pidfile)") q=$(started_at "$(qmaster_pidfile)")
    [ -n "$e" ] && [ -n "$q" ] && [ "$e" -lt "$q" ]
}

wait_for() {  # seconds description command...
    local n=$1 what=$2; shift 2
    local i
    for ((i = 0; i < n * 4; i++)); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.25
    done
    die "timed out after ${n}s waiting for $what"
}

start_qmaster() {
    qmaster_running && return 0
    # A qmaster that died uncleanly leaves a lock file that blocks the next start.
    local spool
    spool=$(awk '$1=="qmaster_spool_dir"{print $2}' "$COMMON/bootstrap")
    rm -f "$spool/lock"
    log "starting sge_qmaster"
    /usr/sbin/sge_qmaster
    wait_for 30 "sge_qmaster pid file" qmaster_running
    wait_for 30 "qmaster to answer qconf" qconf -sh
    log "sge_qmaster pid $(cat "$(qmaster_pidfile)")"
}

start_execd() {
    if execd_outlived_master; then
        log "restarting sge_execd: it outlived its qmaster and would hold back job ends for 600 s"
        stop_daemon "$(execd_pidfile)" sge_execd
    fi
    execd_running && return 0
    log "starting sge_execd"
    # The execd and every shepherd close each possible descriptor before starting a job: with
    # a container's soft limit of 20000+ that alone is ~15 ms of CPU per job. A soft limit of
    # 4096 (the hard limit is kept) makes it cheap; a job needing more raises its own with
    # `ulimit -n`.
    local soft
    soft=$(ulimit -Sn)
    if [ "$soft" = unlimited ] || [ "$soft" -gt 4096 ]; then
        (ulimit -Sn 4096 && exec /usr/sbin/sge_execd)
    else
        /usr/sbin/sge_execd
    fi
    wait_for 30 "sge_execd pid file" execd_running
    log "sge_execd pid $(cat "$(execd_pidfile)")"
}

stop_daemon() {  # pidfile comm [seconds before SIGKILL, default 20]
    local f=$1 comm=$2 patience=${3:-20} pid i
    pid_alive "$f" "$comm" || { rm -f "$f"; return 0; }
    pid=$(tr -dc '0-9' <"$f")
    log "stopping $comm (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < patience * 4; i++)); do
        [ -d "/proc/$pid" ] || break
        sleep 0.25
    done
    [ -d "/proc/$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    rm -f "$f"
}

# Exit 0 when the cluster can take a job right now.
healthy() {
    qmaster_running && execd_running || return 1
    timeout 15 qconf -sq "$QUEUE" >/dev/null 2>&1 || return 1
    [ "$PLUGIN_QUEUE" = "$QUEUE" ] || timeout 15 qconf -sq "$PLUGIN_QUEUE" >/dev/null 2>&1 || return 1
    # execd has reported a load (queue instance not in 'u'nknown state).
    local st
    st=$(timeout 15 qstat -f -q "$QUEUE@$HOST" 2>/dev/null | awk -v q="$QUEUE@$HOST" '$1==q{print $6}')
    case "$st" in *u* | *E* | *d*) return 1 ;; esac
    timeout 15 qstat -f -q "$QUEUE@$HOST" 2>/dev/null | grep -q "^$QUEUE@$HOST"
}

# --- configuration (each step idempotent) -----------------------------------
install_packages() {
    local n
    n=$(dpkg-query -W -f='${Status}\n' gridengine-master gridengine-exec gridengine-client \
        gridengine-drmaa1.0 2>/dev/null | grep -c 'install ok installed' || true)
    [ "$n" = 4 ] && return 0
    log "installing gridengine packages"
    debconf-set-selections <<EOF
gridengine-common shared/gridenginemaster string $HOST
gridengine-common shared/gridenginecell string $SGE_CELL
gridengine-common shared/gridengineconfig boolean true
gridengine-client shared/gridenginemaster string $HOST
gridengine-client shared/gridenginecell string $SGE_CELL
gridengine-client shared/gridengineconfig boolean true
EOF
    if ! apt-cache show gridengine-master >/dev/null 2>&1; then
        apt-get update -q
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        gridengine-master gridengine-exec gridengine-client gridengine-drmaa1.0 libjemalloc2 \
        >/tmp/gridengine-apt.log 2>&1 || { tail -20 /tmp/gridengine-apt.log >&2; die "apt-get install failed"; }
}

fix_host_names() {
    [ -d "$COMMON" ] || die "$COMMON missing (package configuration did not create the cell)"
    local changed=0 rev aliases
    if [ "$(cat "$COMMON/act_qmaster" 2>/dev/null)" != "$HOST" ]; then
        echo "$HOST" >"$COMMON/act_qmaster"
        changed=1
    fi
    # Clients connect from an address whose reverse lookup may give another
    # name (127.0.0.1 -> localhost); declare those names aliases of $HOST.
    aliases="localhost"
    for rev in $(getent ahostsv4 "$HOST" | awk '{print $1}' | sort -u); do
        rev=$(getent hosts "$rev" | awk '{print $2}' | head -1)
        [ -n "$rev" ] && [ "$rev" != "$HOST" ] && [ "$rev" != localhost ] && aliases="$aliases $rev"
    done
    if [ "$HOST" != localhost ] && [ "$(cat "$COMMON/host_aliases" 2>/dev/null)" != "$HOST $aliases" ]; then
        echo "$HOST $aliases" >"$COMMON/host_aliases"
        changed=1
    fi
    chown sgeadmin:sgeadmin "$COMMON/act_qmaster" "$COMMON/host_aliases" 2>/dev/null || true
    if [ $changed = 1 ] && qmaster_running; then
        stop_daemon "$(execd_pidfile)" sge_execd
        stop_daemon "$(qmaster_pidfile)" sge_qmaster 120
    fi
}

qc() {  # qconf that changes something: log its message, die with it on failure
    local out
    out=$(qconf "$@" 2>&1) || die "qconf $*: $out"
    [ -z "$out" ] || log "$out"
}

conf_value() { awk -v k="$2" '$1==k{$1=""; sub(/^ +/, ""); print}' "$1"; }

set_conf_values() {  # file key value [key value ...]; exit 1 when nothing changed
    local f=$1 changed=1; shift
    while [ $# -gt 0 ]; do
        if [ "$(conf_value "$f" "$1")" != "$2" ]; then
            if grep -q "^$1[[:space:]]" "$f"; then
                sed -i "s|^$1[[:space:]].*|$1 $2|" "$f"
            else
                echo "$1 $2" >>"$f"
            fi
            changed=0
        fi
        shift 2
    done
    return $changed
}

configure_global() {
    local d
    d=$(mktemp -d)
    # Join "\"-continued lines so each attribute is on one line.
    qconf -sconf global | sed -e ':a' -e '/\\$/{N;s/\\\n[[:space:]]*/ /;ba' -e '}' >"$d/global"
    # CI submits as root; the default minimum is uid/gid 1000.  Accounting is
    # flushed every 15 s by default; qacct is our post-mortem, so flush at once.
    # -Mconf takes the object name from the file name: it must be "global".
    # Debian's /usr/sbin/sge_shepherd is a shell wrapper that works out the architecture
    # twice (util/arch runs uname, cpp/cc1, ldd, awk...): ~0.1 s of CPU per job, half the
    # cost of a small job. The execd already exports SGE_ROOT/SGE_CELL/SGE_ARCH, so it
    # can start the real binary directly.
    local shepherd=none
    [ -x "$SHEPHERD_BIN" ] && ! head -c 4 "$SHEPHERD_BIN" | grep -q '^#!' && shepherd=$SHEPHERD_BIN
    if set_conf_values "$d/global" min_uid 0 min_gid 0 shepherd_cmd "$shepherd" reporting_params \
        "accounting=true reporting=false flush_time=00:00:15 joblog=false sharelog=00:00:00 accounting_flush_time=00:00:00"; then
        qc -Mconf "$d/global"
    fi
    # The default 15 s scheduling interval makes every job wait; tests want ~1 s.
    qconf -ssconf >"$d/sched_conf"
    if set_conf_values "$d/sched_conf" schedule_interval 0:0:1 flush_submit_sec 1 flush_finish_sec 1; then
        qc -Msconf "$d/sched_conf"
    fi
    rm -rf "$d"
}

configure_hosts() {
    qconf -sh 2>/dev/null | grep -qx "$HOST" || qc -ah "$HOST"
    qconf -ss 2>/dev/null | grep -qx "$HOST" || qc -as "$HOST"
    if ! qconf -se "$HOST" >/dev/null 2>&1; then
        local d
        d=$(mktemp -d)
        cat >"$d/host" <<EOF
hostname              $HOST
load_scaling          NONE
complex_values        NONE
user_lists            NONE
xuser_lists           NONE
projects              NONE
xprojects             NONE
usage_scaling         NONE
report_variables      NONE
EOF
        qc -Ae "$d/host"
        rm -rf "$d"
    fi
}

configure_queue() {  # name slots nice
    local name=$1 slots=$2 nice=$3 d
    d=$(mktemp -d)
    # Queue attributes we insist on.  load_thresholds NONE: on a small shared
    # CI machine np_load_avg goes over the default 1.75 and the queue would
    # enter alarm state and stop scheduling.  pe_list NONE: Debian's template
    # names parallel environments that do not exist, which -aq rejects.
    # priority is the nice value of the queue's jobs: the web server, the job service and
    # the scheduler stay responsive while jobs keep every core busy.
    local want=(hostlist "$HOST" slots "$slots" shell /bin/sh load_thresholds NONE priority "$nice")
    if ! qconf -sq "$name" >/dev/null 2>&1; then
        # qconf -aq writes its default template to a file and runs $EDITOR on it.
        printf '#!/bin/sh\nsed -i -e "s|^pe_list .*|pe_list NONE|" "$1"\n' >"$d/editor"
        chmod +x "$d/editor"
        EDITOR="$d/editor" qc -aq "$name"
    fi
    qconf -sq "$name" >"$d/q"
    local i
    for ((i = 0; i < ${#want[@]}; i += 2)); do
        [ "$(conf_value "$d/q" "${want[i]}")" = "${want[i + 1]}" ] ||
            qc -rattr queue "${want[i]}" "${want[i + 1]}" "$name"
    done
    rm -rf "$d"
}

configure_queues() {
    local cores slots
    cores=$(nproc)
    # Analysis jobs: one slot per core, at least 8 (tests run several small ones at once).
    slots=$cores
    [ "$slots" -lt 8 ] && slots=8
    configure_queue "$QUEUE" "$slots" 5
    # Plugin jobs: 2 per core, at least 32, and nicer than analysis jobs.
    if [ "$PLUGIN_QUEUE" != "$QUEUE" ]; then
        slots=$((2 * cores))
        [ "$slots" -lt 32 ] && slots=32
        configure_queue "$PLUGIN_QUEUE" "$slots" 10
    fi
}

wait_healthy() {
    local i
    for ((i = 0; i < 120; i++)); do
        healthy && return 0
        sleep 0.5
    done
    qstat -f >&2 || true
    die "queue $QUEUE@$HOST did not become available"
}

smoke_test() {
    local out
    local q
    for q in "$QUEUE" "$PLUGIN_QUEUE"; do
        out=$(timeout 60 qsub -terse -b y -sync y -q "$q" -o /dev/null -j y /bin/true 2>&1) ||
            die "smoke test in $q failed: $out"
        log "smoke test job $(echo "$out" | head -1) ran in $q"
    done
}

main() {
    case "${1:-}" in
        --print-env) print_env; return 0 ;;
        --status) healthy; return ;;
        --stop)
            stop_daemon "$(execd_pidfile)" sge_execd
            stop_daemon "$(qmaster_pidfile)" sge_qmaster 120
            return 0 ;;
        --restart-master)
            [ "$(id -u)" = 0 ] || die "must run as root"
            # Jobs keep running on the execution host; the steps below start the master
            # again and then restart the execd (see the header). The master's controlled
            # shutdown writes its spool and can take a minute on a loaded machine: it is
            # given two before SIGKILL.
            stop_daemon "$(qmaster_pidfile)" sge_qmaster 120 ;;
        "") ;;
        *) die "unknown option $1 (see the header of $0)" ;;
    esac
    [ "$(id -u)" = 0 ] || die "must run as root"

    if command -v qstat >/dev/null 2>&1 && [ "$(cat "$STAMP" 2>/dev/null)" = "$CONFIG_VERSION" ] && healthy &&
        ! execd_outlived_master; then
        log "grid engine already running (queue $QUEUE@$HOST)"
        print_env
        return 0
    fi
    install_packages
    fix_host_names
    start_qmaster
    configure_global
    configure_hosts
    start_execd
    configure_queues
    wait_healthy
    # A cluster this configuration has already passed the smoke test on only had daemons
    # (re)started: its queues may be full of running jobs, which a test job would wait behind.
    [ "$(cat "$STAMP" 2>/dev/null)" = "$CONFIG_VERSION" ] || smoke_test
    echo "$CONFIG_VERSION" >"$STAMP"
    print_env
}

main "$@"
