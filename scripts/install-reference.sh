#!/usr/bin/env bash
# Installs llama.cpp's prebuilt CPU libraries (the conformance reference, see docs/conformance.md)
# into ./.reference. Test and bench projects only: the Wallfacer libraries never load them.
# npm's --ignore-scripts: nothing is compiled or downloaded besides the package itself.
set -euo pipefail
cd "$(dirname "$0")/.."
version=3.22.1
dir=.reference/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64
if [ -f "$dir/libllama.v0.5.0.so" ]; then
  echo "reference llama.cpp already installed in $dir"
  exit 0
fi
mkdir -p .reference
npm install --silent --no-audit --no-fund --ignore-scripts --prefix .reference "@node-llama-cpp/linux-x64@$version"
echo "reference llama.cpp installed in $dir"
