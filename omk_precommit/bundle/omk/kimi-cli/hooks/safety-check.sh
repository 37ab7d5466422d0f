#!/bin/sh
# PreToolUse gate for file writes and shell commands (Kimi CLI: WriteFile, StrReplaceFile,
# Shell; Kimi Code: Write, Edit, Bash). Reads the hook payload (JSON) on stdin and refuses
# writes to secrets: exit 2 blocks the tool call and stderr is shown as the reason.
#
# Secrets are matched on the normalised path (`//`, `.` and `..` segments and a trailing `/`
# removed; `\` taken as `/`), ignoring case: `.env` and `.env.*` except the templates
# `.env.example`, `.env.sample`, `.env.template`, `.env.dist`; SSH private keys (id_rsa, ...);
# `*.pem`, `*.key`, `*.p12`, `*.pfx`, `*.jks`, `*.keystore`; `.netrc`, `_netrc`,
# `.git-credentials`, `.aws/credentials`; and any content holding a private key block.
# Every `path`/`file_path` string in the payload is judged, and for a shell command every
# file it writes as a word: output redirections, `tee`, the destination of `cp`/`mv`/`install`,
# `sed -i`, `dd of=` (also inside `sh -c '...'` and `eval`). This stops accidents and naive
# injections; it is not a sandbox (see docs/safety-gate.md).
#
# It fails closed: both runtimes treat every exit status except 2 as "allow", so a payload it
# cannot read or parse, or a write or shell call whose path or command it cannot find, is
# blocked. One pass over the payload with bounded work (tr, fold and awk); POSIX tools only,
# no jq.

LC_ALL=C
export LC_ALL

# Anything that ends this script with a status other than 0 or 2 (a shell error, a killed
# helper) would let the call through, so turn it into a block.
trap 'status=$?; if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
  echo "omk safety-check: internal error (status $status); blocking the call to be safe" >&2; exit 2; fi' EXIT

# shellcheck disable=SC2016 # the program is awk, not shell
verdict=$(tr '\n' ' ' | fold -b -w 8192 | awk '
function block(target, why,    n, i, part) {
  if (target != "") {
    n = split(target, part, "\001"); target = part[1]  # \001 stands for a backslash
    for (i = 2; i <= n; i++) target = target "\\" part[i]
    gsub(/[\001-\037\177]/, "?", target)
    print "refusing to write " target ": " why
  } else print why
  blocked = 1
  exit 0
}

# The value of a JSON string (without its quotes), escapes undone with gsub (bounded work, no
# character loop). An escaped backslash becomes \001, which the callers read as a backslash
# (a byte no JSON text holds raw); \uXXXX outside printable ASCII becomes "?".
function unjson(s,    code, re, ch) {
  if (index(s, "\\") == 0) return s
  gsub(/\\\\/, "\001", s)
  gsub(/\\"/, "\"", s); gsub(/\\\//, "/", s); gsub(/\\n/, "\n", s); gsub(/\\t/, "\t", s)
  gsub(/\\r/, "\r", s); gsub(/\\[bf]/, "?", s)
  if (s ~ /\\u00[2-7]/)
    for (code = 32; code < 127; code++) {
      re = "\\\\u00" hexre(int(code / 16)) hexre(code % 16)
      if (s !~ re) continue
      ch = code == 92 ? "\001" : code == 38 ? "\\&" : sprintf("%c", code)
      gsub(re, ch, s)
    }
  gsub(/\\u[0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]/, "?", s)
  return s
}

function hexre(d) { return d < 10 ? d : "[" substr("abcdef", d - 9, 1) substr("ABCDEF", d - 9, 1) "]" }

# The path p with `\` read as `/`, and empty, `.` and `..` segments resolved, as the runtimes
# do before opening it. A leading `..` stays.
function normalise(p,    n, i, seg, keep, k, out) {
  gsub(/[\\\001]/, "/", p)
  n = split(p, seg, "/"); k = 0
  for (i = 1; i <= n; i++) {
    if (seg[i] == "" || seg[i] == ".") continue
    if (seg[i] == ".." && k > 0 && keep[k] != "..") { k--; continue }
    keep[++k] = seg[i]
  }
  out = k > 0 ? keep[1] : ""
  for (i = 2; i <= k; i++) out = out "/" keep[i]
  return out
}

# Why the file at path p is a secret, or "" when it is not. Names are compared ignoring case.
function secret(p,    n, seg, name, dir) {
  n = split(normalise(tolower(p)), seg, "/")
  name = n > 0 ? seg[n] : ""; dir = n > 1 ? seg[n - 1] : ""
  if (name == ".env") return "it looks like an environment file with secrets"
  if (name ~ /^\.env\./ && name !~ /^\.env\.(example|sample|template|dist)$/)
    return "it looks like an environment file with secrets"
  if (name ~ /^id_(rsa|dsa|ecdsa|ed25519|ecdsa_sk|ed25519_sk)$/) return "it looks like an SSH private key"
  if (name ~ /\.(pem|key|p12|pfx|jks|keystore)$/) return "it looks like a private key or certificate store"
  if (name == ".netrc" || name == "_netrc" || name == ".git-credentials" || (dir == ".aws" && name == "credentials"))
    return "it looks like a credentials file"
  return ""
}

function judge_path(p,    why) {
  why = secret(p)
  if (why != "") block(p, why)
}

# The last segment of a path, after normalisation (for "cp a/id_rsa backup/").
function base(p,    n, seg) {
  n = split(normalise(p), seg, "/")
  return n > 0 ? seg[n] : ""
}

# A shell destination that names a directory for sure: the copy lands at dir/basename.
function dirlike(p) { return p ~ /(^|[\/\\\001])(\.|\.\.)?$/ || p == "~" }

# A script inside the command (sh -c SCRIPT, eval ARGS), judged after the outer one.
function nested(script) {
  if (index(script, "\002")) block("", "refusing this command: a nested script too long to judge")
  if (nq >= 8) block("", "refusing this command: too deeply nested to judge")
  queue[++nq] = script
}

# A simple command ended: judge the files its words say it writes.
function end_command(    i, s, cmd, nargs, arg, a, dest, tdir, inplace) {
  s = 1
  while (s <= nw) {
    if (w[s] ~ /^[A-Za-z_][A-Za-z0-9_]*=/) { s++; continue }
    if (w[s] ~ /^(sudo|doas|env|command|exec|nohup|time|nice|builtin|stdbuf|timeout|xargs|busybox|!|if|then|else|elif|do|while|until)$/) {
      s++
      while (s <= nw && (w[s] ~ /^-/ || w[s] ~ /^[A-Za-z_][A-Za-z0-9_]*=/)) s++
      continue
    }
    break
  }
  if (s > nw) { nw = 0; return }
  cmd = tolower(w[s]); sub(/.*\//, "", cmd)  # tolower: CP is cp on a case-insensitive disk
  nargs = 0; tdir = ""; inplace = 0
  for (i = s + 1; i <= nw; i++) {
    if (w[i] == "-t" && i < nw) { tdir = w[++i]; continue }
    if (w[i] ~ /^--target-directory=/) { tdir = substr(w[i], 20); continue }
    if (w[i] ~ /^-[^-]*i/ || w[i] ~ /^--in-place/) inplace = 1
    if (w[i] ~ /^-./) continue
    a[++nargs] = w[i]
  }
  if (cmd == "tee") for (i = 1; i <= nargs; i++) judge_path(a[i])
  else if (cmd == "cp" || cmd == "mv" || cmd == "install") {
    dest = tdir
    if (dest == "" && nargs > 0) dest = a[nargs--]
    if (dest != "") {
      judge_path(dest)
      if (tdir != "" || nargs > 1 || dirlike(dest))
        for (i = 1; i <= nargs; i++) judge_path((normalise(dest) == "" ? "" : normalise(dest) "/") base(a[i]))
    }
  } else if (cmd == "sed") { if (inplace) for (i = 1; i <= nargs; i++) judge_path(a[i]) }
  else if (cmd == "dd") { for (i = 1; i <= nargs; i++) if (a[i] ~ /^of=/) judge_path(substr(a[i], 4)) }
  else if (cmd ~ /^(sh|bash|dash|zsh|ksh|ash|mksh)$/) {
    for (i = s + 1; i < nw; i++) if (w[i] ~ /^-[A-Za-z]*c[A-Za-z]*$/) { nested(w[i + 1]); break }
  } else if (cmd == "eval") {
    arg = ""
    for (i = s + 1; i <= nw; i++) arg = arg " " w[i]
    nested(arg)
  }
  nw = 0
}

# A finished word: a redirection target, a here-document delimiter or a command word.
function end_word() {
  if (!inword) return
  if (long) word = "\002"
  if (redir == "out") judge_path(word)
  else if (redir == "heredoc") heredoc[++nh] = word
  else if (redir == "") w[++nw] = word
  redir = ""; word = ""; wl = 0; inword = 0; fdword = 1; long = 0
}

# Append to the current word; a word longer than any path (4 KiB) is only marked long, which
# keeps the work linear.
function add(ch) {
  inword = 1
  if (long) return
  if (++wl > 4096) { long = 1; return }
  word = word ch
  if (index("0123456789", ch) == 0) fdword = 0
}

# Judge one shell command line (a string of sh syntax) in one pass over its characters, read
# in windows of 256 (with 256 more to look ahead): substr stays cheap in every awk. A here-
# document body is skipped only up to its delimiter line; with none (or a `<<` that was an
# arithmetic shift after all) the rest is judged again with here-documents off (nohd).
function judge_command(c, nohd,    n, off, s, m, i, ch, nx, q, hd, hstart, line, ll, arith) {
  nw = 0; word = ""; wl = 0; inword = 0; redir = ""; nh = 0; q = ""; fdword = 1; long = 0; hd = 0; arith = 0
  n = length(c); off = 0
  while (off < n) {
    s = substr(c, off + 1, 512); m = length(s) < 256 ? length(s) : 256
    for (i = 1; i <= m; i++) {
      ch = substr(s, i, 1)
      if (!hd && q == "" && index(SPECIAL, ch) == 0) { add(ch); continue }  # the common case, first
      if (hd) {
        # Inside here-document bodies: data, not commands, up to each delimiter line.
        if (ch != "\n") { if (++ll <= 4096) line = line ch; continue }
        sub(/^\t+/, "", line)
        if (line == heredoc[hd]) hd = hd < nh ? hd + 1 : 0
        line = ""; ll = 0
        if (!hd) nh = 0
        continue
      }
      if (q == "\047") { if (ch == "\047") q = ""; else add(ch); continue }
      if (q == "\"") {
        if (ch == "\"") q = ""
        else if ((ch == "\\" || ch == "\001") && substr(s, i + 1, 1) == "\n") i++  # a continued line
        else if ((ch == "\\" || ch == "\001") && off + i < n) add(substr(s, ++i, 1))
        else add(ch)
        continue
      }
      if (ch == "\047" || ch == "\"") { q = ch; inword = 1; fdword = 0; continue }
      if (ch == "\\" || ch == "\001") {
        if (substr(s, i + 1, 1) == "\n") i++  # a continued line
        else if (off + i < n) { add(substr(s, ++i, 1)); fdword = 0 }
        continue
      }
      if (ch == ">" || ch == "<" || (ch == "&" && substr(s, i + 1, 1) == ">")) {
        if (inword && fdword && word ~ /^[0-9]+$/) { word = ""; wl = 0; inword = 0 }
        end_word()
        nx = substr(s, i + 1, 1)
        if (ch == "&") { i++; if (substr(s, i + 1, 1) == ">") i++; redir = "out"; continue }
        if (ch == "<") {
          if (nx == ">") { i++; redir = "out"; continue }
          if (nx == "<") {
            i++
            if (substr(s, i + 1, 1) == "<" || arith) { i++; redir = "in"; continue }
            if (substr(s, i + 1, 1) == "-") i++
            redir = nohd ? "in" : "heredoc"; continue
          }
          if (nx == "&") i++
          redir = "in"; continue
        }
        if (nx == ">" || nx == "|") { i++; redir = "out"; continue }
        if (nx == "&") {
          i++
          # >&2 and >&- duplicate a descriptor; >&file (bash) writes to file.
          nx = substr(s, i + 1, 12)
          redir = nx ~ /^[ \t]*([0-9]+|-)([ \t;&|)<>\n]|$)/ ? "in" : "out"
          continue
        }
        redir = "out"; continue
      }
      if (ch == " " || ch == "\t" || ch == "\r") { end_word(); continue }
      if ((ch == "{" || ch == "}") && inword) { add(ch); continue }
      # Arithmetic, where << is a shift: $(( )), (( )), $[ ].
      if (ch == "(" && substr(s, i + 1, 1) == "(") { end_word(); end_command(); redir = ""; arith++; i++; continue }
      if (ch == ")" && substr(s, i + 1, 1) == ")" && arith) { end_word(); end_command(); redir = ""; arith--; i++; continue }
      if (ch == "$" && substr(s, i + 1, 1) == "[") { arith++; i++; continue }
      if (ch == "]" && arith) { arith--; add(ch); continue }
      if (ch == "\n" || ch == ";" || ch == "&" || ch == "|" || ch == "(" || ch == ")" || ch == "`" || ch == "{" || ch == "}") {
        end_word(); end_command(); redir = ""
        if (ch == "\n" && nh > 0) { hd = 1; line = ""; ll = 0; hstart = off + i + 1 }
        continue
      }
      if (ch == "$" && substr(s, i + 1, 2) == "((") { end_word(); end_command(); redir = ""; arith++; i += 2; continue }
      if (ch == "$" && substr(s, i + 1, 1) == "(") { end_word(); end_command(); redir = ""; i++; continue }
      if (ch == "$" && (substr(s, i + 1, 1) == "\047" || substr(s, i + 1, 1) == "\"")) continue  # $'...', $"..."
      add(ch)
    }
    off += i - 1
  }
  end_word(); end_command()
  if (hd) judge_command(substr(c, hstart), 1)
}

# A key/value pair found in the payload. A key cannot occur inside a JSON string (its quotes
# would be escaped), so every match of "name": "..." is a real key of some object.
function found(key, value) {
  if (key ~ /tool_name/) { if (!tool_seen) { tool = value; tool_seen = 1 } return }
  if (key ~ /command/) {
    command_bytes += length(value)
    if (command_bytes > 65536) block("", "refusing this command: longer than 64 KiB, too long to judge")
    if (++commands > 16) block("", "cannot judge the hook payload: too many commands")
    nq = 1; queue[1] = unjson(value)
    for (j = 1; j <= nq; j++) judge_command(queue[j], 0)
    return
  }
  if (++paths > 256) block("", "cannot judge the hook payload: too many paths")
  if (length(value) > 16384) block("", "refusing this call: a path longer than 16 KiB, too long to judge")
  judge_path(unjson(value))
}

# Judge the keys in buf; keep in tail what the next chunk may complete (a key whose value has
# not ended, or the last bytes, where a key or a key marker may be cut in two).
function scan(buf,    key, rest) {
  if (index(buf, "PRIVATE KEY") && buf ~ /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/)
    block("", "refusing this call: the content contains a private key")
  while (match(buf, /"(tool_name|command|file_path|path)"[ \t\r]*:[ \t\r]*"/)) {
    key = substr(buf, RSTART, RLENGTH); rest = substr(buf, RSTART + RLENGTH)
    if (!match(rest, /^([^"\\]|\\.)*"/)) {
      tail = substr(buf, RSTART); pending = 1
      if (length(tail) > 65600) block("", "refusing this call: a path or command longer than 64 KiB, too long to judge")
      return
    }
    pending = 0
    found(key, substr(rest, 1, RLENGTH - 1))
    buf = substr(rest, RLENGTH + 1)
  }
  tail = length(buf) > 256 ? substr(buf, length(buf) - 255) : buf
}

BEGIN { SPECIAL = "\047\"\\\001<>& \t\r\n;|()`{}$" }

# The payload arrives as chunks of at most 8 KiB (tr and fold upstream), so that no awk reads
# a 50 MB line; chunks join with no separator, newlines became spaces.
last == "" && $0 ~ /[^ \t\r]/ && $0 !~ /^[ \t\r]*\{/ { block("", "cannot parse the hook payload") }
$0 ~ /[^ \t\r]/ { last = $0 }
{ scan(tail $0) }
END {
  if (blocked) exit 0
  if (last == "") block("", "the hook payload is empty")
  if (last !~ /\}[ \t\r]*$/ || pending) block("", "cannot parse the hook payload")
  if (!tool_seen || tool == "") block("", "cannot find the tool name in the hook payload")
  if (paths == 0 && tool ~ /^(Write|Edit|WriteFile|StrReplaceFile)$/)
    block("", "refusing this call: cannot find the target path of this " tool " call in the hook payload")
  if (commands == 0 && tool ~ /^(Shell|Bash)$/)
    block("", "refusing this call: cannot find the command of this " tool " call in the hook payload")
  print "allow"
}
')
status=$?

if [ "$status" -eq 0 ] && [ "$verdict" = allow ]; then
  exit 0
fi
case $verdict in
  '' | allow) echo "omk safety-check: cannot judge the hook payload (status $status); blocking the call to be safe" >&2 ;;
  *) printf 'omk safety-check: %s\n' "$verdict" >&2 ;;
esac
exit 2
