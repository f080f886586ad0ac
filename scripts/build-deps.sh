#!/usr/bin/env bash
# Builds the plugin's dependencies as static, position-independent archives
# from Debian's own source packages (bookworm's, with Debian's patches), for
# linking into the self-contained libcontainer.so (docs/release.md).
#
#   build-deps.sh ARCH PREFIX      ARCH: x86_64 or aarch64 (cross)
#
# Runs inside the build root (scripts/debian-root.sh, bullseye-build), so that
# nothing built here needs a glibc newer than Debian 11's. Reuses PREFIX when
# it was built by this same script.
#
# Each library is configured down to what the plugin uses:
#   curl     HTTP/1.1 and HTTP/2 (nghttp2) over unix sockets: no TLS, no
#            compression, no proxy, no other protocol, no resolver thread
#   nghttp2  the library alone
#   jansson, protobuf-c (runtime only, no compiler)
set -euo pipefail

arch=$1
prefix=$2
src=/opt/src
self_hash=$(sha256sum "$0" | cut -c1-16)

case $arch in
x86_64) host=x86_64-linux-gnu ;;
aarch64) host=aarch64-linux-gnu ;;
*) echo "build-deps.sh: unknown arch $arch" >&2; exit 2 ;;
esac

if [ -f "$prefix/.built" ] && [ "$(cat "$prefix/.built")" = "$self_hash" ]; then
	exit 0
fi

# Sources: once per root (apt-get source applies Debian's patches).
fetch() {
	local pkg=$1
	if ! ls -d "$src/$pkg"-*/ >/dev/null 2>&1; then
		mkdir -p "$src"
		(cd "$src" && apt-get source -qq "$pkg" >/dev/null 2>&1) ||
			{ apt-get update -qq && (cd "$src" && apt-get source -qq "$pkg" >/dev/null); }
	fi
	ls -d "$src/$pkg"-*/ | head -n 1
}

jobs=$(nproc)
export CC=$host-gcc AR=$host-ar RANLIB=$host-ranlib
export CFLAGS="-O2 -g -fPIC -fvisibility=hidden -ffunction-sections -fdata-sections"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig PKG_CONFIG_LIBDIR=$prefix/lib/pkgconfig
common=(--host="$host" --prefix="$prefix" --libdir="$prefix/lib" --disable-shared
        --enable-static --with-pic)

# configure + make install out of tree, quiet unless it fails.
build() {
	local name=$1 dir=$2
	shift 2
	local b=/tmp/build-$arch-$name log=/tmp/build-$arch-$name.log
	rm -rf "$b" && mkdir -p "$b"
	echo "build-deps.sh: $arch $name" >&2
	if ! (cd "$b" && "$dir/configure" "${common[@]}" "$@" && make -j "$jobs" &&
		make install) >"$log" 2>&1; then
		tail -40 "$log" >&2
		exit 1
	fi
	rm -rf "$b"
}

# The same for a CMake project (nghttp2's and jansson's Debian sources have no
# generated configure; Debian runs autoreconf, CMake needs nothing more).
build_cmake() {
	local name=$1 dir=$2
	shift 2
	local b=/tmp/build-$arch-$name log=/tmp/build-$arch-$name.log
	rm -rf "$b"
	echo "build-deps.sh: $arch $name" >&2
	if ! (cmake -S "$dir" -B "$b" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR="$arch" -DCMAKE_C_COMPILER="$CC" \
		-DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib \
		-DCMAKE_POSITION_INDEPENDENT_CODE=ON "$@" && cmake --build "$b" -j "$jobs" &&
		cmake --install "$b") >"$log" 2>&1; then
		tail -40 "$log" >&2
		exit 1
	fi
	rm -rf "$b"
}

rm -rf "$prefix"
mkdir -p "$prefix"

build_cmake nghttp2 "$(fetch nghttp2)" -DENABLE_LIB_ONLY=ON -DENABLE_STATIC_LIB=ON \
	-DENABLE_SHARED_LIB=OFF -DENABLE_DOC=OFF -DWITH_LIBXML2=OFF -DWITH_JEMALLOC=OFF

build_cmake jansson "$(fetch jansson)" -DJANSSON_BUILD_SHARED_LIBS=OFF -DJANSSON_BUILD_DOCS=OFF \
	-DJANSSON_EXAMPLES=OFF -DJANSSON_WITHOUT_TESTS=ON

# The Debian source of protobuf-c builds its compiler by default (C++); only
# the C runtime is linked into the plugin.
build protobuf-c "$(fetch protobuf-c)" --disable-protoc

build curl "$(fetch curl)" --with-nghttp2="$prefix" --without-ssl --without-zlib \
	--without-brotli --without-zstd --without-libidn2 --without-libpsl --without-librtmp \
	--without-libssh2 --without-libssh --without-gssapi --without-libgsasl --without-hyper \
	--without-ngtcp2 --without-nghttp3 --without-quiche --without-msh3 \
	--without-ca-bundle --without-ca-path --disable-threaded-resolver --disable-ares \
	--disable-ldap --disable-ldaps --disable-rtsp --disable-dict --disable-telnet \
	--disable-tftp --disable-pop3 --disable-imap --disable-smtp --disable-gopher \
	--disable-mqtt --disable-smb --disable-ftp --disable-file --disable-proxy \
	--disable-ntlm --disable-ntlm-wb --disable-kerberos-auth --disable-negotiate-auth \
	--disable-aws --disable-alt-svc --disable-hsts --disable-cookies --disable-netrc \
	--disable-doh --disable-mime --disable-dateparse --disable-progress-meter \
	--disable-manual --disable-websockets --enable-unix-sockets \
	--disable-verbose --disable-libcurl-option --enable-http

echo "$self_hash" >"$prefix/.built"
