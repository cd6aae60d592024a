#!/usr/bin/env bash
# Regenerates the committed speech clips (8 kHz mu-law WAV) with espeak-ng and sox:
#   apt-get install espeak-ng sox
# The build never runs this; the clips are committed so that nothing needs these tools.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
clip() { # name text destination
  espeak-ng -v en-us -s 165 -w "$tmp/$1.wav" "$2"
  sox "$tmp/$1.wav" -r 8000 -c 1 -e u-law -t wav "$3"
}
clip apology "I'm sorry, something went wrong on our side. Please call again later. Goodbye." \
  core/src/main/resources/dev/switchboard/core/bridge/apology.wav
clip moment "One moment, please." \
  core/src/main/resources/dev/switchboard/core/bridge/one-moment.wav
clip caller-1 "Hi, I'd like to book a table for two tonight at eight." \
  examples/src/main/resources/dev/switchboard/examples/caller-1.wav
clip caller-2 "Actually, wait, can you make it four people?" \
  examples/src/main/resources/dev/switchboard/examples/caller-2.wav
rm -rf "$tmp"
