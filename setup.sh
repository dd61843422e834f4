#!/usr/bin/env bash
# supertonic's one entry point on a fresh Debian/Ubuntu machine.
#   ./setup.sh run  [supertonic run options]   install everything, then play
#   ./setup.sh test [pytest options]           install everything, then run every test
# Installs the Debian packages (scsynth, sclang, jackd) when missing, the Python
# package into .venv, and compiles the SynthDefs, each step only when needed.
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-}
case "$mode" in
    run|test) shift ;;
    *) echo "usage: $0 run [supertonic run options] | test [pytest options]" >&2; exit 2 ;;
esac

# a2jmidid bridges USB MIDI devices into a JACK server that does not bridge them itself
debs=(supercollider-server supercollider-language jackd2 a2jmidid python3-venv)
# the tests also drive the terminal UI in tmux, check the norns script with Lua, and run
# Link peers in a network namespace that holds only loopback (ip)
[ "$mode" = test ] && debs+=(tmux lua5.4 iproute2)
missing=()
for deb in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$deb")
done
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing ${missing[*]}" >&2
    # jackd2 asks whether to enable realtime limits; answer without a prompt.
    echo "jackd2 jackd/tweak_rt_limits boolean true" | $sudo debconf-set-selections
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "setup: supertonic needs Python 3.11 or newer ($python is $("$python" -V))" >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
stamp=.venv/.supertonic-installed
if [ ! -e "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -e '.[test]'
    touch "$stamp"
fi
.venv/bin/supertonic build >&2

if [ "$mode" = run ]; then
    exec .venv/bin/supertonic run "$@"
fi
.venv/bin/ruff check .
.venv/bin/mypy
exec .venv/bin/pytest "$@"
