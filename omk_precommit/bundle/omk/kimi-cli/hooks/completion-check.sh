#!/bin/sh
# Stop hook: before the agent finishes, point out leftover merge-conflict markers in the
# files git sees as changed. Informational only: always exits 0 so it never traps the agent.
cat >/dev/null

command -v git >/dev/null 2>&1 || exit 0
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || exit 0

changed=$(git diff --name-only HEAD 2>/dev/null; git ls-files --others --exclude-standard 2>/dev/null)
[ -n "$changed" ] || exit 0

printf '%s\n' "$changed" | while IFS= read -r file; do
  [ -f "$file" ] || continue
  if grep -n -E '^(<<<<<<<|>>>>>>>) ' "$file" >/dev/null 2>&1; then
    echo "omk completion-check: $file still contains merge-conflict markers" >&2
  fi
done
exit 0
