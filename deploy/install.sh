#!/bin/sh
# Install hrbot from a source folder into a fresh virtual environment:
#     sh deploy/install.sh TARGET [SOURCE]
# The Dockerfile runs exactly this (into /opt/hrbot), and so does CI (into a temporary folder,
# then uses the result from another folder), so what is tested is what the image holds.
# The wheel is built from SOURCE and installed non-editable; the bytecode is compiled now, so
# the bot never needs to write next to its code (a read-only root file system works). With
# HRBOT_WHEELS set, the built wheel is left in that folder.
set -eu
target=$1
source=${2:-.}
wheels=${HRBOT_WHEELS:-$(mktemp -d)}
mkdir -p "$wheels"
python3 -m venv "$target"
"$target/bin/pip" wheel --no-cache-dir --quiet --no-deps --wheel-dir "$wheels" "$source"
"$target/bin/pip" install --no-cache-dir --quiet "$wheels"/hrbot-*.whl
"$target/bin/python" -m compileall -q "$target/lib"
# The bundled content's phrases, read once now, so the bot starts faster: `hrbot check` keeps
# them in $target/cache (bot/understanding/content_words.py), which the bot only reads.
HRBOT_CACHE_DIR="$target/cache" "$target/bin/hrbot" check >/dev/null 2>&1 ||
  echo "hrbot: the bundled content has problems: run hrbot check" >&2
[ -n "${HRBOT_WHEELS:-}" ] || rm -rf "$wheels"
"$target/bin/hrbot" --version
