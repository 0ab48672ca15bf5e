# iios boot helpers shared by the initramfs /init, the demo root's /sbin/init and the units added to systemd
# systems (POSIX sh, sourced: busybox sh, dash).
# Partitions are found by GPT name through /sys/class/block/*/uevent (PARTNAME=), never blkid.

iios_log() { echo "iios: $*"; }

# Value of `name=value` on the kernel command line (the last one wins); empty when absent.
iios_arg() {
  local word value=""
  for word in $(cat /proc/cmdline); do
    case "$word" in "$1="*) value="${word#*=}" ;; esac
  done
  echo "$value"
}

# The parent disk name of a partition device (/dev/vda3 -> vda).
iios_disk_of() {
  local name="${1#/dev/}"
  [ -e "/sys/class/block/$name/partition" ] || return 1
  basename "$(readlink -f "/sys/class/block/$name/..")"
}

# /dev path of the partition named $1 (GPT name). With $2 (a disk name like vda), a partition on that disk is
# preferred, so that a second iios stick plugged in does not lend its partitions to this boot.
iios_find_partname() {
  local want="$1" disk="${2:-}" uevent name dev first="" major minor
  for uevent in /sys/class/block/*/uevent; do
    [ -f "$uevent" ] || continue
    name="$(sed -n 's/^PARTNAME=//p' "$uevent")"
    [ "$name" = "$want" ] || continue
    dev="$(sed -n 's/^DEVNAME=//p' "$uevent")"
    if [ ! -b "/dev/$dev" ]; then
      major="$(sed -n 's/^MAJOR=//p' "$uevent")"
      minor="$(sed -n 's/^MINOR=//p' "$uevent")"
      mknod "/dev/$dev" b "$major" "$minor" 2>/dev/null || continue
    fi
    if [ -z "$disk" ] || [ "$(iios_disk_of "/dev/$dev")" = "$disk" ]; then
      echo "/dev/$dev"
      return 0
    fi
    [ -n "$first" ] || first="/dev/$dev"
  done
  [ -n "$first" ] || return 1
  echo "$first"
}

# Resolves a device spec (PARTLABEL=<name> or /dev/<path>) once.
iios_resolve_once() {
  case "$1" in
    PARTLABEL=*) iios_find_partname "${1#PARTLABEL=}" "${2:-}" ;;
    /dev/*) [ -b "$1" ] && echo "$1" ;;
    *) return 1 ;;
  esac
}

# Resolves a device spec, waiting up to $2 tenths of a second for it to appear (USB disks are slow to show up).
iios_resolve() {
  local spec="$1" tries="${2:-100}" disk="${3:-}" dev
  while :; do
    if dev="$(iios_resolve_once "$spec" "$disk")" && [ -n "$dev" ]; then
      echo "$dev"
      return 0
    fi
    [ "$tries" -gt 0 ] || return 1
    tries=$((tries - 1))
    sleep 0.1
  done
}

# "hostname" from the stamp (kept on its own line by the writer; a compact stamp works too).
iios_stamp_hostname() {
  [ -f "$1" ] || return 1
  grep -oE '"hostname"[[:space:]]*:[[:space:]]*"[^"]*"' "$1" | head -n1 |
    sed -E 's/.*:[[:space:]]*"([^"]*)"/\1/' | grep -E '^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$'
}

# slots.<slot>.rootHash from the stamp (64 hex digits), or nothing.
iios_stamp_root_hash() {
  [ -f "$1" ] || return 1
  tr -d '\r\n' <"$1" |
    grep -oE '"slots"[[:space:]]*:[[:space:]]*[{]([^{}]*[{][^{}]*[}])*[^{}]*[}]' |
    grep -oE "\"$2\"[[:space:]]*:[[:space:]]*[{][^{}]*[}]" |
    grep -oE '"rootHash"[[:space:]]*:[[:space:]]*"[0-9a-f]{64}"' |
    grep -oE '[0-9a-f]{64}' | head -n1
}

# Prints one verdict line on the console with kernel console messages held back meanwhile, so that no printk
# lands inside it (they stay in dmesg).
iios_say() {
  local level=""
  [ -r /proc/sys/kernel/printk ] && level="$(cut -f1 /proc/sys/kernel/printk)"
  [ -z "$level" ] || echo 1 >/proc/sys/kernel/printk
  echo "$*"
  [ -z "$level" ] || echo "$level" >/proc/sys/kernel/printk
}
