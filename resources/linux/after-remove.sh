#!/bin/sh
# deb/rpm post-remove: drop iios's polkit action.
set -e
rm -f /usr/share/polkit-1/actions/io.iios.helper.policy
