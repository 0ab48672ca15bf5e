#!/usr/bin/python3
# A counterfeit USB stick as a file, for the capacity check's tests: a FUSE file system with one file,
# stick.img, that claims CLAIMED bytes but stores only REAL of them (in BACKING). Like the controller of a fake
# stick, it wraps: a write or read at offset X goes to X mod REAL, so what is written past the real size lands on
# the stick's beginning again. Mounted with direct_io so every read reaches this process, never the page cache.
#
#   /usr/bin/python3 wrapping-stick.py MOUNTPOINT BACKING CLAIMED_BYTES REAL_BYTES
#
# Runs in the foreground until unmounted (fusermount -u MOUNTPOINT) or killed.
import errno
import os
import stat
import sys
import time

from fusepy import FUSE, FuseOSError, Operations

NAME = '/stick.img'


class WrappingStick(Operations):
    def __init__(self, backing, claimed, real):
        self.fd = os.open(backing, os.O_RDWR)
        self.claimed = claimed
        self.real = real
        self.now = time.time()

    def getattr(self, path, fh=None):
        times = dict(st_atime=self.now, st_mtime=self.now, st_ctime=self.now)
        if path == '/':
            return dict(st_mode=stat.S_IFDIR | 0o755, st_nlink=2, st_size=0, **times)
        if path == NAME:
            return dict(st_mode=stat.S_IFREG | 0o600, st_nlink=1, st_size=self.claimed, **times)
        raise FuseOSError(errno.ENOENT)

    def readdir(self, path, fh):
        return ['.', '..', NAME[1:]]

    def open(self, path, flags):
        if path != NAME:
            raise FuseOSError(errno.ENOENT)
        return 0

    def truncate(self, path, length, fh=None):
        # a stick's size does not change
        if length != self.claimed:
            raise FuseOSError(errno.EPERM)

    def _spans(self, offset, size):
        size = max(0, min(size, self.claimed - offset))
        while size > 0:
            at = offset % self.real
            n = min(size, self.real - at)
            yield at, n
            offset += n
            size -= n

    def read(self, path, size, offset, fh):
        return b''.join(os.pread(self.fd, n, at) for at, n in self._spans(offset, size))

    def write(self, path, data, offset, fh):
        done = 0
        for at, n in self._spans(offset, len(data)):
            os.pwrite(self.fd, data[done:done + n], at)
            done += n
        return len(data)

    def flush(self, path, fh):
        return 0

    def fsync(self, path, datasync, fh):
        os.fsync(self.fd)
        return 0


if __name__ == '__main__':
    mountpoint, backing, claimed, real = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    FUSE(WrappingStick(backing, claimed, real), mountpoint, foreground=True, nothreads=True, direct_io=True)
