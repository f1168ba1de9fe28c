#!/usr/bin/env bash
# Manual check (not part of scripts/test.sh): do the README's two commands work on a bare machine?
# Builds a bare Debian bookworm root with mmdebstrap, puts a clean clone of one commit in it, and
# runs `scripts/main.sh` then `scripts/test.sh` there as root, timing each.
#
# The bare root is Debian's minbase variant (the Essential packages and apt, as in the debian
# container image) plus what a new user needs to get the code: git and ca-certificates. No
# compiler, no Python, no sudo: scripts/setup.sh must install everything else itself.
#
# Usage: scripts/fresh_machine_check.sh [--commit REV] [--workdir DIR] [--rebuild-root] [--keep-root]
#   --commit REV     what to clone (default HEAD; uncommitted changes are not included)
#   --workdir DIR    where the cached root tarball, the root and the logs live
#                    (default /var/tmp/convgen-fresh-machine)
#   --rebuild-root   build the root tarball again even if a cached one exists
#   --keep-root      leave the unpacked root in place afterwards (to look around in it)
# Needs root, mmdebstrap (apt-get install mmdebstrap) and a reachable Debian mirror and PyPI.
# The mirror is the one this machine's apt uses; its pip configuration, proxy settings and
# locally added CA certificates are carried into the root so pip and apt reach the same places.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
commit=HEAD
workdir=/var/tmp/convgen-fresh-machine
rebuild_root=0
keep_root=0
while (($#)); do
  case "$1" in
    --commit) commit="${2:?--commit needs a revision}"; shift 2 ;;
    --workdir) workdir="${2:?--workdir needs a directory}"; shift 2 ;;
    --rebuild-root) rebuild_root=1; shift ;;
    --keep-root) keep_root=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "fresh_machine_check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "fresh_machine_check: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (it builds a Debian root and chroots into it)"
command -v mmdebstrap >/dev/null || die "mmdebstrap not found: apt-get install -y mmdebstrap"
sha="$(git -C "$repo" rev-parse --verify "$commit^{commit}")" || die "unknown commit '$commit'"
if [ "$commit" = HEAD ] && [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
  echo "fresh_machine_check: note: uncommitted changes are not part of the check (it clones $sha)"
fi

# The first URI of this machine's apt sources that ends in /$1 (debian or debian-security).
host_apt_uri() {
  local sources=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources)
  cat "${sources[@]}" 2>/dev/null | grep -v '^[[:space:]]*#' \
    | grep -oE "https?://[^[:space:]]*/$1/?([[:space:]]|$)" | head -n1 | tr -d '[:space:]' || true
}
mirror="$(host_apt_uri debian)"; mirror="${mirror:-http://deb.debian.org/debian}"
security="$(host_apt_uri debian-security)"; security="${security:-http://deb.debian.org/debian-security}"

mkdir -p "$workdir"
tarball="$workdir/bookworm-minbase-git.tar"
rootfs="$workdir/root"
logs="$workdir/logs"

mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -R "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" || true
  done
  if ((keep_root == 0)) && [ -d "$rootfs" ]; then rm -rf --one-file-system "$rootfs"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ((rebuild_root)) || [ ! -f "$tarball" ]; then
  echo "fresh_machine_check: building the bare root from $mirror"
  mmdebstrap --variant=minbase --format=tar --include=git,ca-certificates bookworm "$tarball.partial" \
    "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
    "deb $security bookworm-security main"
  mv "$tarball.partial" "$tarball"
else
  echo "fresh_machine_check: reusing $tarball (--rebuild-root to rebuild it)"
fi

# A leftover root from an interrupted run may still have mounts in it.
if [ -d "$rootfs" ]; then
  grep -o " $rootfs/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l || true
  rm -rf --one-file-system "$rootfs"
fi
mkdir -p "$rootfs" "$logs"
tar -xf "$tarball" -C "$rootfs"

# This machine's network set-up, so apt and pip inside reach what they reach here.
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
[ -f /etc/pip.conf ] && cp /etc/pip.conf "$rootfs/etc/pip.conf"
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
  chroot "$rootfs" update-ca-certificates >/dev/null
fi
env_for_root=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)
while IFS= read -r var; do env_for_root+=("$var=${!var}"); done \
  < <(compgen -e | grep -E '^(PIP_[A-Z_]+|https?_proxy|HTTPS?_PROXY|no_proxy|NO_PROXY)$' || true)

for fs in proc sys dev; do
  mkdir -p "$rootfs/$fs"
  mount --rbind "/$fs" "$rootfs/$fs"
  mount --make-rslave "$rootfs/$fs" 2>/dev/null || true
  mounted+=("$rootfs/$fs")
done

checkout=/root/convgen
git clone -q --no-checkout "$repo" "$rootfs$checkout"
git -C "$rootfs$checkout" checkout -q --detach "$sha"

cpu="$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n1)"
declare -A seconds status
run_in_root() {  # $1: the README command; output to the terminal and $logs/<name>.log
  local name log start
  name="$(basename "$1" .sh)"; log="$logs/$name.log"
  echo "fresh_machine_check: running $1 in the bare root (log: $log)"
  start=$SECONDS
  set +e
  chroot "$rootfs" /usr/bin/env -i "${env_for_root[@]}" /bin/bash -c "cd $checkout && $1" 2>&1 | tee "$log"
  status[$1]=${PIPESTATUS[0]}
  set -e
  seconds[$1]=$((SECONDS - start))
}
commands=(scripts/main.sh scripts/test.sh)
for cmd in "${commands[@]}"; do
  run_in_root "$cmd"
  [ "${status[$cmd]}" -eq 0 ] || break
done

echo
echo "== fresh machine check: commit $sha on $cpu, $(nproc) CPUs =="
failed=0
for cmd in "${commands[@]}"; do
  if [ -z "${status[$cmd]:-}" ]; then
    printf '  %-16s skipped (an earlier command failed)\n' "$cmd"; failed=1
  else
    printf '  %-16s %s in %dm%02ds\n' "$cmd" "$([ "${status[$cmd]}" -eq 0 ] && echo passed || echo "FAILED (exit ${status[$cmd]})")" \
      $((seconds[$cmd] / 60)) $((seconds[$cmd] % 60))
    [ "${status[$cmd]}" -eq 0 ] || failed=1
  fi
done
exit "$failed"
