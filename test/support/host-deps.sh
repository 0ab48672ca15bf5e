#!/usr/bin/env bash
# Installs what iios's tests and demo need on a Debian/Ubuntu host, only when something is missing.
# Safe to run repeatedly: it checks each tool first and installs nothing when all are present.
set -euo pipefail

# tool -> Debian package
declare -A NEED=(
  [sgdisk]=gdisk [sfdisk]=fdisk [mkfs.vfat]=dosfstools [mcopy]=mtools [mkfs.btrfs]=btrfs-progs
  [mksquashfs]=squashfs-tools [veritysetup]=cryptsetup-bin [mkfs.erofs]=erofs-utils
  [mkfs.ext4]=e2fsprogs [qemu-system-x86_64]=qemu-system-x86 [chromium]=chromium
  [xz]=xz-utils [zstd]=zstd [bzip2]=bzip2 [cpio]=cpio [dpkg-deb]=dpkg [losetup]=util-linux [rsync]=rsync [setfattr]=attr
  [sudo]=sudo [pkexec]=pkexec [dbus-daemon]=dbus [busctl]=systemd
  [gpg]=gnupg [apt-ftparchive]=apt-utils [dpkg-scanpackages]=dpkg-dev [skopeo]=skopeo [umoci]=umoci
  [flatpak]=flatpak [ostree]=ostree [rpmbuild]=rpm [createrepo_c]=createrepo-c [dnf]=dnf [squid]=squid [curl]=curl
  [mmdebstrap]=mmdebstrap [busybox]=busybox-static
)
missing=()
for tool in "${!NEED[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${NEED[$tool]}")
done
[ -x /usr/lib/polkit-1/polkitd ] || missing+=(polkitd)
# `dnf download` (the rpm cache) is a plugin, not a command of its own
compgen -G '/usr/lib/python3/dist-packages/dnf-plugins/download.py' >/dev/null || missing+=(dnf-plugins-core)
# the capacity-check tests' lying stick: a FUSE file that wraps writes past its real size (test/support/wrapping-stick.py)
[ -f /usr/lib/python3/dist-packages/fusepy.py ] || missing+=(python3-fusepy)
[ -e /usr/bin/fusermount ] || [ -e /usr/bin/fusermount3 ] || missing+=(fuse3)
[ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || [ -f /usr/share/OVMF/OVMF_CODE.fd ] || missing+=(ovmf)
# The demo OS is built from Debian bookworm packages; elsewhere it needs Debian's archive key (resources/demo-os).
if [ "$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")" != bookworm ]; then
  [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || missing+=(debian-archive-keyring)
fi

if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "iios: installing host packages: ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  apt_updated=1
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The demo OS build fetches with `apt-get download`, which needs package lists even when no tool is missing
# (a fresh container often ships without them).
if [ -z "${apt_updated:-}" ] && ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
  echo "iios: fetching the package lists (apt-get update)" >&2
  if [ "$(id -u)" -eq 0 ]; then apt-get update -qq >/dev/null; else sudo apt-get update -qq >/dev/null; fi
fi

# npm dependencies: install when node_modules is absent or older than the lockfile.
cd "$(dirname "$0")/../.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "iios: installing npm dependencies" >&2
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
