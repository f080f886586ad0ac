#!/usr/bin/env bash
# Packages a release libcontainer.so as a .deb (docs/release.md):
#
#   make-deb.sh SO VERSION DEBARCH OUTDIR
#
# The package installs /usr/share/falco/plugins/libcontainer.so, the path and
# file name Falco's own configuration loads (Falco >= 0.41 packages its own
# libcontainer.so there and loads it from /etc/falco/config.d). Installing the
# plugin under another name would need a second `container` entry in the
# plugins list, and Falco refuses two plugins of one name; so the package
# diverts Falco's file instead (dpkg-divert: it moves to libcontainer.so.falco,
# Falco upgrades keep writing there, and removing this package puts it back).
set -euo pipefail
so=$1
version=$2
debarch=$3
outdir=$4
pkg=falco-plugin-container-c
plugin=/usr/share/falco/plugins/libcontainer.so

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
install -D -m 0644 "$so" "$stage$plugin"
doc=$stage/usr/share/doc/$pkg
install -d "$doc"
cat >"$doc/README.Debian" <<EOF
$pkg: the Falco container metadata plugin, written in C.

It installs $plugin, the file Falco's configuration loads as the
plugin named "container". When Falco's own libcontainer.so is installed, it is
diverted to $plugin.falco (dpkg-divert --list $pkg) and comes back
when this package is removed. Configure the plugin under plugins[name=container]
init_config in /etc/falco/falco.yaml or /etc/falco/config.d/.
EOF

install -d "$stage/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<EOF
Package: $pkg
Version: $version
Architecture: $debarch
Maintainer: container plugin maintainers <maintainers@users.noreply.example>
Section: admin
Priority: optional
Installed-Size: $size
Depends: libc6 (>= 2.17)
Description: Falco container metadata plugin (C implementation)
 Tells Falco which container every process runs in and everything about that
 container: container.*, k8s.pod.* and proc.is_container_* fields, from
 Docker, Podman, containerd and CRI runtimes. Self-contained: needs only libc.
EOF
cat >"$stage/DEBIAN/preinst" <<EOF
#!/bin/sh
set -e
if [ "\$1" = install ] || [ "\$1" = upgrade ]; then
	dpkg-divert --package $pkg --add --rename --divert $plugin.falco $plugin
fi
EOF
cat >"$stage/DEBIAN/postrm" <<EOF
#!/bin/sh
set -e
if [ "\$1" = remove ] || [ "\$1" = abort-install ] || [ "\$1" = disappear ]; then
	dpkg-divert --package $pkg --remove --rename --divert $plugin.falco $plugin
fi
EOF
chmod 0755 "$stage/DEBIAN/preinst" "$stage/DEBIAN/postrm"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$outdir/${pkg}_${version}_${debarch}.deb" >/dev/null
echo "$outdir/${pkg}_${version}_${debarch}.deb"
