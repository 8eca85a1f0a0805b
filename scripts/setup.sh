#!/usr/bin/env bash
# Installs everything rustrag and its tests need on a fresh machine: the Debian Rust crates
# the tests and benchmarks index, and a virtualenv at .venv with rustrag in editable mode.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_crates=(
  librust-syn-dev librust-clap-dev librust-clap-3-dev librust-clap-2-dev
  librust-nom-dev librust-nom-4-dev librust-anyhow-dev librust-semver-dev librust-log-dev
  librust-itertools-dev librust-serde-dev librust-thiserror-dev librust-indexmap-dev
)
missing=()
for pkg in "${debian_crates[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  echo "installing ${#missing[@]} Debian crate packages (test corpus)..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
# torch first, pinned to the CPU wheel that lies on this kind of machine: anything that
# asks for plain `torch` later would otherwise pull a multi-GB CUDA build.
.venv/bin/python -m pip install -q torch==2.13.0
.venv/bin/python -m pip install -q -e '.[dev]'
echo "setup done: .venv/bin/rustrag is ready"
