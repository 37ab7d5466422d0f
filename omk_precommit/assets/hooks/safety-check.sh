#!/bin/sh
# PreToolUse gate for file writes (Kimi CLI: WriteFile|StrReplaceFile; Kimi Code: Write|Edit).
# Reads the hook payload (JSON) on stdin, finds the target file in tool_input.path and
# refuses writes to secrets: exit 2 blocks the tool call and stderr is shown as the reason.
# Needs only POSIX sh, sed and grep; no jq.

payload=$(cat)

# The first "path" (or "file_path") string value in the payload, JSON escapes undone for
# the characters a file name can plausibly contain.
target=$(printf '%s' "$payload" | tr '\n' ' ' |
  sed -n 's/.*"\(file_\)\{0,1\}path"[[:space:]]*:[[:space:]]*"\(\([^"\\]\|\\.\)*\)".*/\2/p' |
  sed -e 's/\\\//\//g' -e 's/\\\\/\\/g' -e 's/\\"/"/g')

block() {
  echo "omk safety-check: refusing to write $target: $1" >&2
  exit 2
}

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
