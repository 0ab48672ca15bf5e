#!/bin/sh
# deb/rpm post-install: register iios's polkit action so the helper's elevation prompt names iios.
set -e
if [ -d /usr/share/polkit-1/actions ]; then
  install -m 0644 /opt/iios/resources/resources/linux/io.iios.helper.policy /usr/share/polkit-1/actions/io.iios.helper.policy
fi
# pkexec starts this wrapper (the action's exec.path): it must be root's and executable.
chown root:root /opt/iios/resources/resources/linux/iios-helper
chmod 0755 /opt/iios/resources/resources/linux/iios-helper
