#!/usr/bin/env bash
# Builds app.wasm from hello.c with Debian's clang 14, lld and wasi-libc (installed when missing, as root or with
# sudo). The .wasm is committed, so running the app needs none of this; rebuild after changing hello.c.
set -euo pipefail
cd "$(dirname "$0")"
packages=(clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "build.sh: installing ${missing[*]}" >&2
    sudo=""
    [[ $(id -u) == 0 ]] || sudo=sudo
    $sudo apt-get install -y -q "${missing[@]}" >&2
fi
clang-14 --target=wasm32-wasi -O2 -Wall -Werror -Wl,--strip-all -o app.wasm hello.c
echo "build.sh: wrote $(pwd)/app.wasm ($(stat -c %s app.wasm) bytes)"
