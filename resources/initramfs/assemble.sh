#!/usr/bin/env bash
# Assembles the iios initramfs: busybox, veritysetup and btrfs with exactly the shared libraries they load, the kernel
# modules given on stdin (paths relative to MODULES_DIR, their modules.dep closure already taken), and the init
# logic of this folder (init, common.sh, modules.list). Used by resources/demo-os/build.sh and by
# `iios bundle create`, so a fix to the boot logic reaches both.
#
#   assemble.sh TOOLS_ROOT MODULES_DIR OUT_FILE < module-paths
#
# TOOLS_ROOT holds bin/busybox (static), veritysetup and btrfs and their libraries under lib/ and usr/lib/ (unpacked
# Debian packages, or / for the host's own). MODULES_DIR is <root>/lib/modules/<release> of the bundle's kernel.
# Compressed modules (.ko.xz, .ko.zst) are stored decompressed, so busybox's modprobe loads them.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
die() { echo "iios initramfs: error: $*" >&2; exit 1; }

[ $# -eq 3 ] || die "usage: assemble.sh TOOLS_ROOT MODULES_DIR OUT_FILE < module-paths"
P="${1%/}" MD="$2" OUT="$3"
KVER="$(basename "$MD")"
BB="$P/bin/busybox"
[ -x "$BB" ] || die "no busybox at $BB (install busybox-static)"
[ -f "$MD/modules.dep" ] || die "$MD has no modules.dep"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1700000000}"

IR="$(mktemp -d "${TMPDIR:-/tmp}/iios-initramfs.XXXXXX")"
trap 'rm -rf "$IR"' EXIT
mkdir -p "$IR"/{bin,sbin,dev,proc,sys,run,tmp,newroot,lib/iios,lib/x86_64-linux-gnu,lib64,etc}
cp "$BB" "$IR/bin/busybox"
for applet in $("$BB" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$IR/bin/$applet"
done
ln -sf ../bin/busybox "$IR/sbin/modprobe"
install -m 0755 "$HERE/init" "$IR/init"
install -m 0644 "$HERE/common.sh" "$IR/lib/iios/common.sh"
grep -v '^#' "$HERE/modules.list" | tr -s ' \t' '\n\n' | sed '/^$/d' >"$IR/etc/iios-modules"

# veritysetup (the A/B slots' check) and btrfs (the boot menu's reset to factory), each with exactly the shared
# libraries it loads, resolved by the tools root's own dynamic loader.
LDSO="$P/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
[ -x "$LDSO" ] || die "no dynamic loader at $LDSO"
cp -L "$LDSO" "$IR/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
ln -sf ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$IR/lib64/ld-linux-x86-64.so.2"
add_tool() { # name package: the first of $P/sbin, $P/bin, $P/usr/sbin, $P/usr/bin that has it, into /sbin
  local found="" d
  for d in sbin bin usr/sbin usr/bin; do
    if [ -x "$P/$d/$1" ]; then found="$P/$d/$1"; break; fi
  done
  [ -n "$found" ] || die "no $1 in $P (install $2)"
  cp -L "$found" "$IR/sbin/$1"
  "$LDSO" --library-path "$P/lib/x86_64-linux-gnu:$P/usr/lib/x86_64-linux-gnu" --list "$found" >"$IR/.ldd" ||
    die "cannot resolve $1's libraries"
  while read -r soname arrow path _; do
    [ "$arrow" = "=>" ] || continue
    case "$soname" in /*) continue ;; esac # the dynamic loader itself, copied above
    case "$path" in
      "$P"/*) cp -L "$path" "$IR/lib/x86_64-linux-gnu/$soname" ;;
      *) die "$1 needs $soname, which $P does not provide (got '$path')" ;;
    esac
  done <"$IR/.ldd"
  rm "$IR/.ldd"
}
add_tool veritysetup cryptsetup-bin
add_tool btrfs btrfs-progs

IMD="$IR/lib/modules/$KVER"
mkdir -p "$IMD"
count=0
while read -r rel; do
  [ -n "$rel" ] || continue
  [ -f "$MD/$rel" ] || die "module $rel is listed in modules.dep but missing from $MD"
  mkdir -p "$IMD/$(dirname "$rel")"
  case "$rel" in
    *.ko.xz) xz -dc "$MD/$rel" >"$IMD/${rel%.xz}" ;;
    *.ko.zst) zstd -q -dc "$MD/$rel" >"$IMD/${rel%.zst}" ;;
    *.ko.gz) gzip -dc "$MD/$rel" >"$IMD/${rel%.gz}" ;;
    *) cp "$MD/$rel" "$IMD/$rel" ;;
  esac
  count=$((count + 1))
done
for f in modules.builtin modules.order; do
  if [ -f "$MD/$f" ]; then sed -E 's/\.ko\.(xz|zst|gz)$/.ko/' "$MD/$f" >"$IMD/$f"; fi
done
"$BB" depmod -b "$IR" "$KVER"
echo "iios initramfs: $count kernel modules for $KVER" >&2

if command -v zstd >/dev/null; then compress=(zstd -q -19 -T0 -c); else compress=(gzip -9 -n -c); fi
find "$IR" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
(cd "$IR" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | "${compress[@]}") >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
