#!/bin/sh
# PreToolUse gate for file writes (Kimi CLI: WriteFile|StrReplaceFile; Kimi Code: Write|Edit).
# Reads the hook payload (JSON) on stdin, finds the target file in tool_input.path and
# refuses writes to secrets: exit 2 blocks the tool call and stderr is shown as the reason.
# It fails closed: both runtimes treat every exit status except 2 as "allow", so when the
# payload cannot be read, or a write tool's target path cannot be found, this script blocks.
# Needs only POSIX sh, tr, sed and grep; no jq.

target=

block() {
  echo "omk safety-check: refusing to write ${target:-this file}: $1" >&2
  exit 2
}

# Anything that ends this script with a status other than 0 or 2 (a shell error, a killed
# helper) would let the write through, so turn it into a block.
trap 'status=$?; if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
  echo "omk safety-check: internal error (status $status); blocking the write to be safe" >&2; exit 2; fi' EXIT

payload=$(cat) || block "cannot read the hook payload"
[ -n "$payload" ] || block "the hook payload is empty"
flat=$(printf '%s' "$payload" | tr '\n' ' ') || block "cannot read the hook payload"

tool=$(printf '%s' "$flat" |
  sed -n 's/.*"tool_name"[[:space:]]*:[[:space:]]*"\([^"\\]*\)".*/\1/p') || block "cannot parse the hook payload"

# The "path" (or "file_path") string value in the payload, JSON escapes undone for the
# characters a file name can plausibly contain. A "path" inside a string value is escaped
# (\"path\") and so never matches.
target=$(printf '%s' "$flat" |
  sed -n 's/.*"\(file_\)\{0,1\}path"[[:space:]]*:[[:space:]]*"\(\([^"\\]\|\\.\)*\)".*/\2/p' |
  sed -e 's/\\\//\//g' -e 's/\\\\/\\/g' -e 's/\\"/"/g') || block "cannot parse the hook payload"

if [ -z "$target" ]; then
  case "$tool" in
    '' | Write | Edit | WriteFile | StrReplaceFile)
      block "cannot find the target path of this ${tool:-tool} call in the hook payload" ;;
  esac
fi

if [ -n "$target" ]; then
  name=${target##*/}
  case "$name" in
    .env | .env.*) block "it looks like an environment file with secrets" ;;
    id_rsa | id_dsa | id_ecdsa | id_ed25519 | id_ecdsa_sk | id_ed25519_sk)
      block "it looks like an SSH private key" ;;
    *.pem | *.key | *.p12 | *.pfx | *.jks | *.keystore)
      block "it looks like a private key or certificate store" ;;
  esac
fi

if printf '%s' "$payload" | grep -q -- '-----BEGIN [A-Z ]*PRIVATE KEY-----'; then
  block "the content contains a private key"
fi

exit 0
