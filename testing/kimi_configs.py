"""Real-world-looking Kimi ``config.toml`` texts, for the hooks enable/disable tests."""
from __future__ import annotations

REAL_WORLD = '''\
# Kimi CLI configuration -- edited by hand, keep the comments!
default_model = "kimi-k2"   # the one I use most
default_thinking = true
theme = 'light'

[providers.moonshot]
type = "kimi"
base_url = "https://api.moonshot.ai/v1"
api_key = "sk-test-0123456789abcdef"  # secret, do not share

[providers."my proxy"]
type = "openai_legacy"
base_url = 'http://localhost:8080/v1'
api_key = 'sk-local'
custom_headers = { "X-Team" = "platform" }

[models.kimi-k2]
provider = "moonshot"
model = "kimi-k2-0905-preview"
max_context_size = 262_144
capabilities = ["thinking"]

# my own hook: format Python after each write
[[hooks]]
event = "PostToolUse"
matcher = "WriteFile"
command = "ruff format --quiet \\"$(jq -r .tool_input.path)\\""
timeout = 20

[loop_control]
max_steps_per_turn = 200
'''

EMPTY_ARRAY = '''\
# hooks kept empty on purpose
default_model = ""
hooks = []

[loop_control]
max_retries_per_step = 5
'''

INLINE_ARRAY = '''\
hooks = [
  { event = "Stop", command = "echo done" },  # say when finished
]
telemetry = false
'''

SHAPES = {
    'real-world': REAL_WORLD,
    'empty hooks array': EMPTY_ARRAY,
    'inline-table array': INLINE_ARRAY,
    'no trailing newline': 'telemetry = false\n# last line without newline',
    'crlf': REAL_WORLD.replace('\n', '\r\n'),
    'crlf empty array': EMPTY_ARRAY.replace('\n', '\r\n'),
    'empty file': '',
    'only a comment': '# nothing yet\n',
}
