#!/usr/bin/env bash
# Installs llama.cpp's prebuilt CPU libraries (the conformance reference, see docs/conformance.md)
# into ./.reference, and llama.cpp's example GBNF grammars (from the node-llama-cpp package, read as test
# data). Test and bench projects only: the Wallfacer libraries never load them.
# npm's --ignore-scripts: nothing is compiled or downloaded besides the packages themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
version=3.22.1
dir=.reference/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64
grammars=.reference/grammars
mkdir -p .reference
if [ -f "$dir/libllama.v0.5.0.so" ]; then
  echo "reference llama.cpp already installed in $dir"
else
  npm install --silent --no-audit --no-fund --ignore-scripts --prefix .reference "@node-llama-cpp/linux-x64@$version"
  echo "reference llama.cpp installed in $dir"
fi
if [ ! -f "$grammars/json.gbnf" ]; then
  # The package tarball alone (no dependencies); only its grammars folder is kept.
  tarball=$(cd .reference && npm pack --silent "node-llama-cpp@$version")
  mkdir -p "$grammars"
  tar -xzf ".reference/$tarball" -C "$grammars" --strip-components=3 package/llama/grammars
  rm -f ".reference/$tarball"
  echo "llama.cpp example grammars in $grammars"
fi
