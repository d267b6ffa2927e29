#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine, for the cluster tests (SlurmCLITests) and for trying
# `bridge study submit` without a cluster. Debian/Ubuntu.
#
#   scripts/slurm-local.sh start    install slurm-wlm and munge with apt-get when missing (as root), write
#                                   a one-node configuration for this machine (its CPUs and memory), start
#                                   munged, slurmctld and slurmd; print `export SLURM_CONF=…` on stdout
#   scripts/slurm-local.sh stop     cancel this cluster's jobs, stop the three daemons, remove the state folder
#   scripts/slurm-local.sh status   whether the daemons run, and sinfo
#
# Use: eval "$(scripts/slurm-local.sh start)"; bridge study submit …; scripts/slurm-local.sh stop
#
# Everything lives in one state folder, BRIDGE_SLURM_DIR (default /tmp/bridge-slurm-<uid>): the
# configuration, munge's key and socket, the controller's state, the daemons' logs and pid files. The
# machine's own Slurm and munge configuration (/etc/slurm, /etc/munge) is neither read nor changed, and
# the ports (BRIDGE_SLURM_PORT and the next one, default 16817/16818) are not Slurm's usual ones, so a
# real installation on the same machine is left alone. Exit status of `start`: 0 running, 3 not root and
# Slurm missing or not startable (the tests then skip the cluster tests), 1 any other failure.
set -euo pipefail

STATE=${BRIDGE_SLURM_DIR:-/tmp/bridge-slurm-$(id -u)}
PORT=${BRIDGE_SLURM_PORT:-16817}
CONF=$STATE/slurm.conf
SOCKET=$STATE/munge/munge.socket
export SLURM_CONF=$CONF

say() { echo "slurm-local: $*" >&2; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

install_missing() {
  local need=()
  command -v munged >/dev/null || need+=(munge)
  command -v slurmctld >/dev/null || need+=(slurmctld)
  command -v slurmd >/dev/null || need+=(slurmd)
  command -v sbatch >/dev/null || need+=(slurm-client)
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "Slurm is not installed (missing: ${need[*]}) and this is not root; install them with" \
        "'apt-get install ${need[*]}' as root, or run the tests as root"
    exit 3
  fi
  say "installing ${need[*]} (apt-get)"
  apt-get update -qq >&2
  # The packages try to start their system services; there is no init here to do it, and this script
  # starts its own daemons with its own configuration anyway.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
}

# The node line: what slurmd detects on this machine (CPUs, sockets, cores, threads, memory), so that the
# node never fails its registration for claiming more than it has.
node_line() {
  local detected
  detected=$(slurmd -C | head -1)
  echo "$detected" | sed -E "s/^NodeName=[^ ]+/NodeName=$(hostname -s) NodeAddr=127.0.0.1/"
}

write_config() {
  mkdir -p "$STATE"/{munge,ctld,spool,log}
  chmod 700 "$STATE" "$STATE/munge"
  local host cpus
  host=$(hostname -s)
  cpus=$(nproc)
  cat > "$CONF" <<EOF
# One-node Slurm written by scripts/slurm-local.sh for this machine ($cpus CPUs): a test cluster.
ClusterName=bridgelocal
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=$(id -un)
SlurmdUser=$(id -un)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
# No cgroups (containers rarely delegate them): processes are tracked through their parents.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
# Jobs that ended stay visible to squeue --states=all (and so to bridge study status) for 10 minutes.
MinJobAge=600
KillWait=5
SchedulerType=sched/backfill
SchedulerParameters=sched_min_interval=100000
# CPUs and memory are the consumable resources; a task that asks for no memory gets 1 GB per CPU.
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
DefMemPerCPU=1024
$(node_line) State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start_munge() {
  if pid_alive "$STATE/munge/munged.pid"; then return; fi
  [ -f "$STATE/munge/munge.key" ] || { head -c 1024 /dev/urandom > "$STATE/munge/munge.key"; chmod 600 "$STATE/munge/munge.key"; }
  # --force: the state folder may sit under /tmp, whose permissions munged would otherwise refuse.
  munged --force --socket="$SOCKET" --key-file="$STATE/munge/munge.key" --pid-file="$STATE/munge/munged.pid" \
         --log-file="$STATE/log/munged.log" --seed-file="$STATE/munge/munged.seed"
}

wait_idle() {
  local i
  for i in $(seq 1 60); do
    if [ "$(sinfo -h -o %t 2>/dev/null | head -1)" = "idle" ]; then return 0; fi
    sleep 0.5
  done
  say "the node did not become idle within 30 s; sinfo says: $(sinfo -h -o '%t %E' 2>&1 | head -3)"
  return 1
}

# A daemon that does not come up: stop what did. As root that is an error; a user without root may
# simply not be allowed to run slurmd, which only skips the cluster tests (exit 3).
give_up() {
  say "$1; the ends of the daemons' logs (removed with the state folder):"
  tail -n 5 "$STATE"/log/*.log >&2 2>/dev/null || true
  stop
  if [ "$(id -u)" -ne 0 ]; then say "not root: the Slurm cluster tests will be skipped"; exit 3; fi
  exit 1
}

start() {
  install_missing
  if pid_alive "$STATE/slurmctld.pid" && pid_alive "$STATE/slurmd.pid" && wait_idle; then
    say "already running ($STATE)"
  else
    write_config
    start_munge || give_up "munged did not start"
    pid_alive "$STATE/slurmctld.pid" || slurmctld -f "$CONF" || give_up "slurmctld did not start"
    pid_alive "$STATE/slurmd.pid" || slurmd -f "$CONF" || give_up "slurmd did not start"
    wait_idle || give_up "the node did not come up"
    say "running: one node, $(sinfo -h -o '%c CPUs, %m MB' | head -1); state and logs in $STATE"
  fi
  echo "export SLURM_CONF=$CONF"
}

stop() {
  if [ ! -f "$CONF" ]; then say "not running ($STATE has no configuration)"; return 0; fi
  # Jobs first: a job step outlives slurmd otherwise.
  if pid_alive "$STATE/slurmctld.pid"; then
    scancel --user="$(id -un)" 2>/dev/null || true
    local i
    for i in $(seq 1 40); do
      [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
      sleep 0.25
    done
  fi
  local f
  for f in "$STATE/slurmd.pid" "$STATE/slurmctld.pid" "$STATE/munge/munged.pid"; do
    if pid_alive "$f"; then
      local pid; pid=$(cat "$f")
      kill "$pid" 2>/dev/null || true
      for i in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$STATE"
  say "stopped"
}

status() {
  local f name
  for f in slurmctld slurmd munge/munged; do
    name=$(basename "$f")
    if pid_alive "$STATE/$f.pid"; then echo "$name: running (pid $(cat "$STATE/$f.pid"))"; else echo "$name: not running"; fi
  done
  [ -f "$CONF" ] && sinfo 2>&1 || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status (state folder: $STATE)" >&2; exit 2 ;;
esac
