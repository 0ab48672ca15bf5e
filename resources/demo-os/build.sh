#!/usr/bin/env bash
# Builds the iios demo OS bundle from Debian packages (recipe.env): kernel, initramfs, squashfs root with its
# dm-verity hash tree, systemd-boot, manifest.json. Downloads with `apt-get download`, unpacks with
# `dpkg-deb -x`; nothing is installed on the host. Works as root or not.
# Output: .cache/demo-os/bundle/ under the repository. The bundle directory is printed as the LAST line of
# stdout; everything else goes to stderr. Rebuilds only when an input (recipe, scripts, package set) changed.
# `--version V` builds the same system as version V (an update to try: `iios update --bundle DIR`) into
# .cache/demo-os-V/bundle/, sharing the downloaded packages; the default bundle is never touched by it.
set -euo pipefail
exec 3>&1 1>&2

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
INITRAMFS="$REPO/resources/initramfs"
VERSION_OVERRIDE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --version) VERSION_OVERRIDE="${2:-}"; shift 2 || true ;;
    --version=*) VERSION_OVERRIDE="${1#--version=}"; shift ;;
    *) echo "iios demo-os: error: unknown argument $1 (usage: build.sh [--version V])" >&2; exit 2 ;;
  esac
done
if [ -n "$VERSION_OVERRIDE" ] && ! [[ "$VERSION_OVERRIDE" =~ ^[A-Za-z0-9][A-Za-z0-9._+~-]{0,63}$ ]]; then
  echo "iios demo-os: error: --version wants letters, digits and . _ + ~ - (got '$VERSION_OVERRIDE')" >&2
  exit 2
fi
CACHE="${IIOS_DEMO_CACHE:-$REPO/.cache/demo-os${VERSION_OVERRIDE:+-$VERSION_OVERRIDE}}"
DEBS="$CACHE/debs"
[ -z "$VERSION_OVERRIDE" ] || [ -n "${IIOS_DEMO_CACHE:-}" ] || DEBS="$REPO/.cache/demo-os/debs"
OUT="$CACHE/bundle"
WORK="$CACHE/work"

# shellcheck source=recipe.env
source "$HERE/recipe.env"
[ -z "$VERSION_OVERRIDE" ] || BUNDLE_VERSION="$VERSION_OVERRIDE"

# say KEY ENGLISH [FIELD…]: a progress line. Run by iios (IIOS_DEMO_EVENTS=1) it is a typed line, "@iios-demo"
# KEY FIELD… separated by tabs, that the app says in its reader's language (src-shared/errors/demo-build-words.ts
# holds the same sentences); run by hand, the English. die KEY ENGLISH [FIELD…]: the same for the reason a build
# stops ("@iios-demo-fail"), then exit 1. Anything else on stderr is the tools' own output.
typed() { local IFS=$'\t'; echo "$*" >&2; }
say() {
  local key=$1 english=$2
  shift 2
  if [ "${IIOS_DEMO_EVENTS:-}" = 1 ]; then typed @iios-demo "$key" "$@"; else echo "iios demo-os: $english" >&2; fi
}
die() {
  local key=$1 english=$2
  shift 2
  if [ "${IIOS_DEMO_EVENTS:-}" = 1 ]; then typed @iios-demo-fail "$key" "$@"; else echo "iios demo-os: error: $english" >&2; fi
  exit 1
}

for tool in apt-get apt-cache dpkg-deb mksquashfs veritysetup cpio sha256sum; do
  command -v "$tool" >/dev/null || die missing-tool "missing host tool: $tool (run test/support/host-deps.sh)" "$tool"
done

mkdir -p "$DEBS" "$CACHE"
# One build at a time per cache (test suites may call this concurrently).
exec 9>"$CACHE/.lock"
flock 9

# --- 1. resolve and fetch the packages -------------------------------------------------------------------------

# The recipe pins Debian $DEBIAN_SUITE packages. On a host of that suite the host's own apt sources serve them;
# anywhere else (Ubuntu, another Debian release) a private apt state under the cache points at Debian's archive,
# so the demo OS is the same everywhere and nothing of the host's apt configuration changes.
APT=()
host_suite="$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")"
if [ "${IIOS_DEMO_PRIVATE_APT:-0}" = 1 ] || { [ "$host_suite" != "$DEBIAN_SUITE" ] && [ "${IIOS_DEMO_PRIVATE_APT:-}" != 0 ]; }; then
  keyring="${IIOS_DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}"
  [ -f "$keyring" ] || die no-keyring "this host is not Debian $DEBIAN_SUITE: install debian-archive-keyring so the demo OS can come from Debian's archive" "$DEBIAN_SUITE"
  A="$CACHE/apt"
  mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$A/etc/preferences.d" "$A/etc/sources.list.d"
  : >>"$A/status"
  echo "deb [signed-by=$keyring] ${IIOS_DEBIAN_MIRROR:-http://deb.debian.org/debian} $DEBIAN_SUITE main" >"$A/etc/sources.list"
  echo "deb [signed-by=$keyring] ${IIOS_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security} $DEBIAN_SUITE-security main" >>"$A/etc/sources.list"
  APT=(-o "Dir::Etc::SourceList=$A/etc/sources.list" -o "Dir::Etc::SourceParts=$A/etc/sources.list.d"
       -o "Dir::Etc::Preferences=$A/etc/preferences" -o "Dir::Etc::PreferencesParts=$A/etc/preferences.d"
       -o "Dir::State::Lists=$A/lists" -o "Dir::State::status=$A/status" -o "Dir::Cache=$A/cache"
       -o "APT::Architecture=amd64" -o "APT::Architectures=amd64" -o "Acquire::Languages=none")
  [ "$(id -u)" -ne 0 ] || APT+=(-o APT::Sandbox::User=root)
  say private-apt "host is ${host_suite:-unknown}, not $DEBIAN_SUITE: using Debian's archive through a private apt state ($A)" "${host_suite:-unknown}" "$DEBIAN_SUITE" "$A"
fi
apt_lists_fresh=0
# Private lists are refreshed at most once a run and only when something must be fetched (cached debs need none).
apt_ready() {
  [ ${#APT[@]} -gt 0 ] && [ "$apt_lists_fresh" = 0 ] || return 0
  apt_lists_fresh=1
  if [ -z "$(find "$A/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    say apt-update "updating the private package lists for $DEBIAN_SUITE" "$DEBIAN_SUITE"
    apt-get -q "${APT[@]}" update >&2 || die no-archive "cannot reach Debian's archive for $DEBIAN_SUITE" "$DEBIAN_SUITE"
  fi
}

# Prints the cached .deb of package $1 at version $2, if any.
cached_deb() {
  local f
  for f in "$DEBS/$1"_*.deb; do
    [ -f "$f" ] || continue
    if [ "$(dpkg-deb -f "$f" Package)" = "$1" ] && [ "$(dpkg-deb -f "$f" Version)" = "$2" ]; then
      echo "$f"
      return 0
    fi
  done
  return 1
}

candidate_version() {
  apt_ready
  apt-cache "${APT[@]}" policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }'
}

download() { # name version
  local tmp sandbox=()
  apt_ready
  tmp="$(mktemp -d "$DEBS/.dl.XXXXXX")"
  # As root, apt would drop to its sandbox user, which may not reach the repository's folder.
  [ "$(id -u)" -ne 0 ] || sandbox=(-o APT::Sandbox::User=root)
  if (cd "$tmp" && apt-get download -q "${APT[@]}" "${sandbox[@]}" "$1=$2" >&2); then
    mv "$tmp"/*.deb "$DEBS/"
    rmdir "$tmp"
    return 0
  fi
  rm -rf "$tmp"
  return 1
}

# Ensures name=version is cached (falling back to the current candidate when the pin left the archive,
# unless IIOS_DEMO_STRICT_PINS=1) and prints the .deb path.
fetch() { # name version
  local name="$1" version="$2" f cand
  if f="$(cached_deb "$name" "$version")"; then echo "$f"; return 0; fi
  say downloading "downloading $name=$version" "$name" "$version"
  if download "$name" "$version" && f="$(cached_deb "$name" "$version")"; then echo "$f"; return 0; fi
  [ "${IIOS_DEMO_STRICT_PINS:-0}" = 1 ] && die pin-gone "$name=$version is not available (update recipe.env)" "$name" "$version"
  cand="$(candidate_version "$name")"
  [ -n "$cand" ] && [ "$cand" != "(none)" ] || die no-package "$name is not available from apt (apt-get update?)" "$name"
  say pin-replaced "WARNING: $name=$version is no longer available; using $cand (update recipe.env)" "$name" "$version" "$name $cand"
  if f="$(cached_deb "$name" "$cand")"; then echo "$f"; return 0; fi
  download "$name" "$cand" && f="$(cached_deb "$name" "$cand")" || die download-failed "cannot download $name=$cand" "$name" "$cand"
  echo "$f"
}

kernel_pkg="$KERNEL_PACKAGE" kernel_ver="$KERNEL_PACKAGE_VERSION"
if ! cached_deb "$kernel_pkg" "$kernel_ver" >/dev/null && [ -z "$(candidate_version "$kernel_pkg" | grep -v '(none)')" ]; then
  # The pinned ABI is gone from the archive: follow the metapackage to the current one.
  [ "${IIOS_DEMO_STRICT_PINS:-0}" = 1 ] && die pin-gone "$kernel_pkg is not available (update recipe.env)" "$kernel_pkg" "$kernel_ver"
  kernel_pkg="$(apt-cache "${APT[@]}" depends "$KERNEL_META" 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }')"
  [ -n "$kernel_pkg" ] || die no-package "cannot resolve $KERNEL_META" "$KERNEL_META"
  kernel_ver="$(candidate_version "$kernel_pkg")"
  say pin-replaced "WARNING: $KERNEL_PACKAGE is gone; using $kernel_pkg=$kernel_ver (update recipe.env)" "$KERNEL_PACKAGE" "$KERNEL_PACKAGE_VERSION" "$kernel_pkg $kernel_ver"
fi

deb="$(fetch "$kernel_pkg" "$kernel_ver")" || exit 1
deb_files=("$deb")
for spec in "${PACKAGES[@]}"; do
  deb="$(fetch "${spec%%=*}" "${spec#*=}")" || exit 1
  deb_files+=("$deb")
done

# --- 2. inputs hash: skip the build when nothing changed --------------------------------------------------------

inputs_hash="$(
  {
    echo "iios-demo-os-inputs 1 version=$BUNDLE_VERSION"
    (cd "$HERE" && find . -type f ! -name '*~' ! -name '*.md' | LC_ALL=C sort | xargs sha256sum)
    (cd "$INITRAMFS" && find . -type f ! -name '*~' ! -name '*.md' | LC_ALL=C sort | xargs sha256sum)
    for f in "${deb_files[@]}"; do echo "$(basename "$f")"; done
  } | sha256sum | cut -d' ' -f1
)"

bundle_complete() {
  [ -f "$OUT/.inputs-sha256" ] && [ "$(cat "$OUT/.inputs-sha256")" = "$inputs_hash" ] || return 1
  local f
  for f in manifest.json vmlinuz initrd.img root.squashfs root.verity systemd-bootx64.efi; do
    [ -s "$OUT/$f" ] || return 1
  done
}

if bundle_complete; then
  say up-to-date "bundle is up to date ($inputs_hash)" "$inputs_hash"
  echo "$OUT" >&3
  exit 0
fi

say building "building bundle (inputs $inputs_hash)" "$inputs_hash"
rm -rf "$WORK"
mkdir -p "$WORK/pkgs"
trap 'rm -rf "$WORK"' EXIT
for f in "${deb_files[@]}"; do
  dpkg-deb -x "$f" "$WORK/pkgs"
done
P="$WORK/pkgs"
BB="$P/bin/busybox"
[ -x "$BB" ] || die broken-package "busybox-static did not unpack to /bin/busybox" busybox-static

KVER="$(basename "$(find "$P/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -n1)")"
[ -f "$P/boot/vmlinuz-$KVER" ] || die no-kernel "no kernel image for $KVER" "$KVER"
say kernel "kernel $KVER" "$KVER"

# Deterministic timestamps for squashfs and cpio.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1700000000}"

# --- 3. initramfs (resources/initramfs: shared with every created bundle) -----------------------------------------

# Kernel modules: modules.list plus everything they depend on (modules.dep of the whole tree).
"$BB" depmod -b "$P" "$KVER"
MD="$P/lib/modules/$KVER"
declare -A want=()
module_path() { # name -> path relative to the modules dir (names match with - and _ interchangeable)
  local n="${1//-/_}"
  awk -F: -v n="$n" '{ p = $1; b = p; sub(/.*\//, "", b); sub(/\.ko.*$/, "", b); gsub(/-/, "_", b); if (b == n) { print p; exit } }' "$MD/modules.dep"
}
add_module_file() {
  local rel="$1" dep
  [ -n "${want[$rel]:-}" ] && return 0
  want[$rel]=1
  for dep in $(awk -F': ' -v p="$rel" '$1 == p { print $2 }' "$MD/modules.dep"); do
    add_module_file "$dep"
  done
}
for m in $(grep -v '^#' "$INITRAMFS/modules.list"); do
  rel="$(module_path "$m")"
  [ -n "$rel" ] || die no-module "kernel module $m not found in $KVER (built in? check resources/initramfs/modules.list)" "$m" "$KVER"
  add_module_file "$rel"
done
printf '%s\n' "${!want[@]}" | LC_ALL=C sort | bash "$INITRAMFS/assemble.sh" "$P" "$MD" "$WORK/initrd.img"

# --- 4. root filesystem (squashfs) + dm-verity -------------------------------------------------------------------

RT="$WORK/root"
mkdir -p "$RT"/{bin,sbin,dev,proc,sys,run,tmp,home,payload,root,etc,var/lib/iios,var/log,lib/iios,usr/bin,usr/sbin}
chmod 1777 "$RT/tmp"
cp "$BB" "$RT/bin/busybox"
for applet in $("$BB" --list); do
  [ "$applet" = busybox ] || [ "$applet" = init ] || ln -sf busybox "$RT/bin/$applet"
done
install -m 0755 "$HERE/rootfs/init" "$RT/sbin/init"
install -m 0644 "$INITRAMFS/common.sh" "$RT/lib/iios/common.sh"
echo iios >"$RT/etc/hostname"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$RT/etc/passwd"
printf 'root:x:0:\n' >"$RT/etc/group"
printf 'NAME="iios demo"\nID=iios-demo\nVERSION_ID=%s\nPRETTY_NAME="iios demo OS %s"\n' \
  "$BUNDLE_VERSION" "$BUNDLE_VERSION" >"$RT/etc/os-release"
printf 'export PATH=/bin:/sbin:/usr/bin:/usr/sbin\nexport PS1='"'"'\\h:\\w\\$ '"'"'\n' >"$RT/etc/profile"
find "$RT" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
mksquashfs "$RT" "$WORK/root.squashfs" -noappend -all-root -comp xz -no-progress -quiet >&2

# The salt is derived from the image, so the same inputs give the same root hash.
salt="$(sha256sum "$WORK/root.squashfs" | cut -d' ' -f1)"
veritysetup format --data-block-size=4096 --hash-block-size=4096 --hash=sha256 --salt="$salt" \
  "$WORK/root.squashfs" "$WORK/root.verity" >"$WORK/verity.txt"
root_hash="$(awk '/^Root hash:/ { print $3 }' "$WORK/verity.txt")"
[[ "$root_hash" =~ ^[0-9a-f]{64}$ ]] || die verity-failed "veritysetup format gave no root hash"
veritysetup verify "$WORK/root.squashfs" "$WORK/root.verity" "$root_hash" || die verity-failed "fresh verity tree does not verify"

# --- 5. bundle ---------------------------------------------------------------------------------------------------

STAGE="$WORK/bundle"
mkdir -p "$STAGE"
cp "$P/boot/vmlinuz-$KVER" "$STAGE/vmlinuz"
mv "$WORK/initrd.img" "$WORK/root.squashfs" "$WORK/root.verity" "$STAGE/"
cp "$P/usr/lib/systemd/boot/efi/systemd-bootx64.efi" "$STAGE/systemd-bootx64.efi"
chmod 0644 "$STAGE"/*

size_of() { stat -c %s "$1"; }
sha_of() { sha256sum "$1" | cut -d' ' -f1; }
json_str() { local s="${1//\\/\\\\}"; printf '"%s"' "${s//\"/\\\"}"; }

files_json=""
total=0
for f in vmlinuz initrd.img root.squashfs root.verity systemd-bootx64.efi; do
  [ -z "$files_json" ] || files_json+=$',\n'
  files_json+="    \"$f\": { \"sha256\": \"$(sha_of "$STAGE/$f")\", \"sizeBytes\": $(size_of "$STAGE/$f") }"
  total=$((total + $(size_of "$STAGE/$f")))
done
[ "$total" -le "$MAX_BUNDLE_BYTES" ] || die over-budget "bundle is $total bytes, over the $MAX_BUNDLE_BYTES budget" "$total" "$MAX_BUNDLE_BYTES"

cat >"$STAGE/manifest.json" <<EOF
{
  "format": 1,
  "name": $(json_str "$BUNDLE_NAME"),
  "version": $(json_str "$BUNDLE_VERSION"),
  "arch": $(json_str "$BUNDLE_ARCH"),
  "kernel": "vmlinuz",
  "initrd": "initrd.img",
  "cmdline": $(json_str "$BUNDLE_CMDLINE"),
  "bootloader": "systemd-bootx64.efi",
  "rootfs": { "kind": "squashfs", "file": "root.squashfs", "sizeBytes": $(size_of "$STAGE/root.squashfs") },
  "verity": {
    "hashFile": "root.verity",
    "rootHash": "$root_hash",
    "salt": "$salt",
    "dataBlockSize": 4096,
    "hashBlockSize": 4096,
    "hashAlgorithm": "sha256",
    "sizeBytes": $(size_of "$STAGE/root.verity")
  },
  "files": {
$files_json
  },
  "build": {
    "kernelRelease": $(json_str "$KVER"),
    "packages": [$(for f in "${deb_files[@]}"; do printf '%s"%s=%s"' "${sep:-}" "$(dpkg-deb -f "$f" Package)" "$(dpkg-deb -f "$f" Version)"; sep=', '; done)],
    "inputsSha256": "$inputs_hash"
  }
}
EOF
echo "$inputs_hash" >"$STAGE/.inputs-sha256"

rm -rf "$OUT"
mv "$STAGE" "$OUT"
say ready "bundle ready: $total bytes in $OUT (root hash $root_hash)" "$total" "$OUT" "$root_hash"
echo "$OUT" >&3
