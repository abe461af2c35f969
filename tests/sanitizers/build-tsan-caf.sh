#!/usr/bin/env bash
# build-tsan-caf.sh -- builds a ThreadSanitizer-instrumented libcaf_core from the Debian source of
# the installed CAF, once per CAF and gcc version, and prints the directory holding it. The "tsan"
# suite of scripts/test.sh puts that directory first on LD_LIBRARY_PATH.
#
# Why: Debian's libcaf_core.so is not instrumented, so TSan never sees CAF's atomics (mailbox,
# scheduler queues, reference counts). Every message hand-over between threads then looks like a
# race, and those reports have OUR frames in them (a handler reading what the sender wrote).
# Suppressing libcaf_core.so silences them, but also every real race that has an actor on one
# side: the handler's stack always starts in libcaf_core. With CAF instrumented, nothing needs
# suppressing and a real race in an actor is reported.
#
# Same sources as the installed library (Debian's .orig tarball is upstream 0.17.6), Debian's own
# build_config.hpp, same soname: it is a drop-in replacement. Needs the Debian source index,
# fetched with apt-get into a private directory (the system's apt configuration is not changed).
# About 180 CPU-seconds to build; cached in ${XDG_CACHE_HOME:-~/.cache}/cafchat afterwards.
set -euo pipefail

lib="$(readlink -f "/usr/lib/$(gcc -print-multiarch)/libcaf_core.so")"
pkg="$(dpkg -S "$lib" | cut -d: -f1)"
src_pkg="$(dpkg-query -W -f='${source:Package}' "$pkg")"
src_ver="$(dpkg-query -W -f='${source:Version}' "$pkg")"
soname="$(objdump -p "$lib" | awk '$1 == "SONAME" { print $2 }')"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/cafchat/tsan-caf-$src_ver-gcc$(gcc -dumpfullversion)"
if [ -f "$cache/$soname" ] && [ -f "$cache/complete" ]; then
  echo "$cache"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "building a TSan-instrumented $soname from $src_pkg $src_ver (cached in $cache)" >&2

# deb-src twins of the configured deb sources, in a private apt directory.
mkdir -p "$work/apt/sources.list.d" "$work/apt/lists/partial" "$work/src"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  if [ -f "$f" ]; then
    sed -n 's/^deb /deb-src /p' "$f" >"$work/apt/sources.list.d/$(basename "$f").list"
  fi
done
for f in /etc/apt/sources.list.d/*.sources; do
  if [ -f "$f" ]; then
    sed 's/^Types:.*/Types: deb-src/' "$f" >"$work/apt/sources.list.d/$(basename "$f")"
  fi
done
apt_private=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$work/apt/sources.list.d"
  -o "Dir::State::Lists=$work/apt/lists" -o APT::Sandbox::User=root -o Acquire::Languages=none)
apt-get "${apt_private[@]}" -qq update >&2 || true # a third-party source without deb-src is fine
(cd "$work/src" && apt-get "${apt_private[@]}" -qq source --download-only --tar-only \
  "$src_pkg=$src_ver" >&2)
tar -xf "$work"/src/*.orig.tar.* -C "$work/src"
core="$(echo "$work"/src/*/libcaf_core)"
cp /usr/include/caf/detail/build_config.hpp "$core/caf/detail/" # Debian's configuration

# The library's own source list (LIBCAF_CORE_SRCS), compiled in parallel, linked as one .so.
sed -n '/^set(LIBCAF_CORE_SRCS/,/)/p' "$core/CMakeLists.txt" | grep -o 'src/[^ )]*\.cpp' \
  >"$work/srcs"
mkdir -p "$work/obj"
export core work
xargs -P "$(nproc)" -I{} sh -c 'o="$work/obj/$(echo {} | tr / _).o";
  g++ -std=c++17 -O1 -g -fPIC -fsanitize=thread -fno-omit-frame-pointer -w -I"$core" \
    -c "$core/{}" -o "$o"' <"$work/srcs"
mkdir -p "$cache"
g++ -shared -fsanitize=thread -Wl,-soname,"$soname" -o "$cache/$soname" "$work"/obj/*.o -pthread
touch "$cache/complete"
echo "$cache"
