#!/bin/sh
# SubagentStart / SubagentStop hook: note the event on stderr, and append it to the file
# named by $OMK_NOTIFY_LOG when that is set. Never blocks (always exits 0).
payload=$(cat)
event=$(printf '%s' "$payload" | tr '\n' ' ' |
  sed -n 's/.*"hook_event_name"[[:space:]]*:[[:space:]]*"\([A-Za-z]*\)".*/\1/p')
line="$(date -u +%Y-%m-%dT%H:%M:%SZ) ${event:-subagent event}"
echo "omk notify: $line" >&2
if [ -n "${OMK_NOTIFY_LOG:-}" ]; then
  printf '%s\n' "$line" >>"$OMK_NOTIFY_LOG" 2>/dev/null || true
fi
exit 0
