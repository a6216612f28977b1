#!/usr/bin/env bash
# Install a Vosk model from its zip archive, only if the archive has the expected SHA-256.
#   scripts/install-vosk-model.sh vosk-model-small-cn-0.22.zip SHA256 [/var/cache/callcenter/models]
# The model lands in DEST/<archive name>, replacing an older copy only once the new one
# is unpacked and looks complete; a wrong digest installs nothing.
set -euo pipefail
if (($# < 2)); then
  echo "usage: $0 MODEL.zip SHA256 [DEST]" >&2
  exit 2
fi
zip=$1 want=$2 dest=${3:-/var/cache/callcenter/models}
name=$(basename "$zip" .zip)
got=$(sha256sum "$zip" | cut -d' ' -f1)
if [[ "$got" != "${want,,}" ]]; then
  echo "SHA-256 of $zip is $got, expected $want: nothing installed" >&2
  exit 1
fi
mkdir -p "$dest"
tmp=$(mktemp -d "$dest/.$name.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
python3 -m zipfile -e "$zip" "$tmp"
for needed in am/final.mdl conf/mfcc.conf graph; do
  if [[ ! -e "$tmp/$name/$needed" ]]; then
    echo "$zip has no $name/$needed: not a Vosk model, nothing installed" >&2
    exit 1
  fi
done
echo "$got  $zip" > "$tmp/$name/SHA256SUM"
rm -rf "$dest/$name"
mv "$tmp/$name" "$dest/$name"
echo "$dest/$name"
