# Shared by Scripts/test and Scripts/run: install what is missing, then build.
# Debian: installs with apt-get when root; otherwise (or on macOS) says exactly what to install.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

need_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        echo "Swift 6.1 or later is needed: https://www.swift.org/install (Debian: the tarball for Debian 12; macOS: Xcode 16.3+)." >&2
        exit 1
    fi
}

# Debian packages Clave builds and tests against.
# bubblewrap: the sandbox of process apps (ClaveRuntime.ProcessRuntime, docs/runtime.md).
# jq: the demo and the tutorials read `clave ... --json` with it.
DEBIAN_PACKAGES=(pkg-config libsecp256k1-dev libssl-dev bubblewrap jq)
# What the tests add: the iApp templates' toolchains (`clave app init --template wasm-c` builds with clang 14, lld
# and wasi-libc; `--template node` runs node).
DEBIAN_TEST_PACKAGES=(clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32)
BREW_PACKAGES=(pkg-config secp256k1 openssl@3 python@3)

missing_debian_packages() {
    local missing=()
    # Python 3 with venv and ensurepip, for the independent reference implementations.
    python3 -c "import venv, ensurepip" >/dev/null 2>&1 || missing+=(python3 python3-venv)
    command -v node >/dev/null 2>&1 || [ -z "${WITH_TEST_PACKAGES:-}" ] || missing+=(nodejs)
    for pkg in "${DEBIAN_PACKAGES[@]}" ${WITH_TEST_PACKAGES:+"${DEBIAN_TEST_PACKAGES[@]}"}; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    echo "${missing[@]:-}"
}

install_system_packages() {
    if [ "$(uname)" = "Darwin" ]; then
        if ! pkg-config --exists libsecp256k1 libcrypto 2>/dev/null; then
            echo "Install the C libraries Clave links: brew install ${BREW_PACKAGES[*]}" >&2
            echo "and export PKG_CONFIG_PATH=\"\$(brew --prefix openssl@3)/lib/pkgconfig:\$PKG_CONFIG_PATH\"" >&2
            exit 1
        fi
        return
    fi
    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "On this system, install pkg-config, libsecp256k1 (with its recovery module) and OpenSSL 3 development files, and Python 3 with venv." >&2
        exit 1
    fi
    local missing
    missing="$(missing_debian_packages)"
    [ -z "$missing" ] && return
    if [ "$(id -u)" = "0" ]; then
        say "Installing $missing"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    else
        echo "Missing Debian packages: $missing" >&2
        echo "Install them with: sudo apt-get install -y $missing" >&2
        exit 1
    fi
}

# The independent reference implementations (eth-account, pyhpke, ...) live in a venv under .build/.
PYTHON_ENV="$ROOT/.build/python"
export CLAVE_PYTHON="$PYTHON_ENV/bin/python"

install_python_tools() {
    local requirements="$ROOT/Scripts/vectors/requirements.txt"
    local stamp="$PYTHON_ENV/.requirements"
    if [ -x "$CLAVE_PYTHON" ] && cmp -s "$requirements" "$stamp"; then return; fi
    say "Installing the Python reference tools (Scripts/vectors/requirements.txt) into .build/python"
    mkdir -p "$ROOT/.build"
    python3 -m venv "$PYTHON_ENV"
    "$CLAVE_PYTHON" -m pip install -q --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$stamp"
}

# Builds and fails on any warning in Clave's own code (dependencies' warnings are theirs).
# SwiftPM rebuilds everything when the environment it runs in changes (any variable: CLAVE_NODE, CLAVE_PYTHON, ...),
# so builds run with the same few variables whatever the caller's shell holds, and a warm build stays warm.
stable_swift() {
    env -i HOME="$HOME" PATH="$PATH" ${TMPDIR:+TMPDIR="$TMPDIR"} ${PKG_CONFIG_PATH:+PKG_CONFIG_PATH="$PKG_CONFIG_PATH"} \
        swift "$@"
}

build_without_warnings() {
    local log
    log="$(mktemp)"
    if ! stable_swift build "$@" 2>&1 | tee "$log" | grep -E "error:|Compiling|Build complete|Build of product .* complete" | grep -v "^\[" ; then :; fi
    if grep -q "error:" "$log" || ! grep -qE "Build complete|Build of product .* complete" "$log"; then
        cat "$log" >&2
        rm -f "$log"
        echo "The build failed." >&2
        exit 1
    fi
    if grep -E "^$ROOT/(Sources|Tests)/.*warning:" "$log" | sort -u | grep . ; then
        rm -f "$log"
        echo "The build has warnings in Clave's code; Clave builds without warnings." >&2
        exit 1
    fi
    rm -f "$log"
}
