"""What every agent runtime omk-precommit serves must say about itself: :class:`Runtime`.

A runtime is one CLI that reads a project's agent assets (the Python Kimi CLI from ``.kimi/``,
Kimi Code from ``.kimi-code/``). Each is one subclass, in its own package under ``runtimes/``,
with its facts as class attributes and its formats and rules as methods; ``registry`` lists the
instances. Code outside ``runtimes/`` asks the runtime object, never compares runtime names.

The drift check imports this module on every commit, so it stays light: no dataclasses, and the
formats and doctor rules are imported inside the methods that need them.
"""
from __future__ import annotations

import os

from omk_precommit.engine.paths import MANIFEST_NAME

TYPE_CHECKING = False  # the hooks' hot path looks runtimes up: no typing, pathlib or shlex at import
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from omk_precommit.bundle.agents import RoleAgent
    from omk_precommit.engine.findings import DiagResult
    from omk_precommit.engine.manifest import EntryKind


# The bundled hook script that blocks writes of secrets: a PreToolUse hook running it is the safety gate.
SAFETY_SCRIPT = 'safety-check.sh'

AgentFile = tuple[str, 'EntryKind', bytes]  # (path relative to the base dir, manifest kind, content)
CheckGroup = tuple[str, 'Callable[[], list[DiagResult]]']  # (group name, the check)

# The keys a [[hooks]] table may hold. Kimi Code validates them strictly (zod .strict()):
# one unknown key, such as the `fail_mode` some documents mention, drops every hook.
HOOK_KEYS = ('event', 'matcher', 'command', 'timeout')


class Runtime:
    """One agent runtime: where it keeps its files, what it sends its hooks, how its formats look.

    Facts are class attributes a subclass sets; formats and doctor rules are methods it overrides.
    """

    name: str                  # the --target value, e.g. 'kimi-cli'
    base_dir: str              # the asset directory in a project, e.g. '.kimi'
    product: str               # for messages, e.g. 'Kimi CLI'
    install_hint: str          # how a user gets this CLI
    binary_major: int          # the major version of the `kimi` binary that is this runtime
    write_tools: tuple[str, ...]   # the tool names it sends PreToolUse for file writes
    shell_tools: tuple[str, ...]   # the tool names of its shell
    tool_names: tuple[str, ...]    # every built-in tool name a PreToolUse matcher is tested against
    hook_events: tuple[str, ...]
    # True when [[hooks]] tables are validated strictly (Kimi Code's zod schema): an unknown key,
    # an empty command or a non-integer timeout invalidates every hook. The Python Kimi CLI
    # (pydantic, lax) ignores unknown keys and coerces "30" to 30.
    strict_hooks: bool
    # Events whose matcher is tested against the empty string (there is nothing to match on).
    empty_matched_events: tuple[str, ...]
    matcher_engine: str        # whose regular expressions a matcher is: 'python' or 'javascript'
    home_env: str              # the environment variable that moves the home directory
    default_home: str          # the home directory under ~ otherwise
    home_label: str            # what the home is called in messages, e.g. 'Kimi CLI share dir'
    hooks_example_header: str  # the comment that opens the bundled hooks.toml.example
    user_dir_env: str | None = None  # an override of the user asset directory, if this runtime has one
    # The project config this CLI can be pointed at (kimi --config-file), relative to the root; None when
    # it reads hooks only from its home.
    project_config: str | None = None
    # Its folder in a bundle (mirroring base_dir), e.g. 'kimi-cli'; None: its assets are generated from the
    # role metadata only, and no bundle but omk can serve it.
    bundle_folder: str | None = None
    migrates_from: str | None = None  # the runtime whose assets `omk-kimi migrate` converts into this one's

    def __repr__(self) -> str:
        return f'<runtime {self.name}>'

    # -- where things are --------------------------------------------------------------------

    @property
    def hooks_dir(self) -> str:
        return f'{self.base_dir}/hooks'

    @property
    def manifest_path(self) -> str:
        """The manifest's path relative to the project root."""
        return f'{self.base_dir}/{MANIFEST_NAME}'

    def home(self) -> Path:
        """The home directory: ``$<home_env>`` when set and non-empty, else ``~/<default_home>``."""
        from pathlib import Path

        value = os.environ.get(self.home_env)
        return Path(value).expanduser() if value else Path.home() / self.default_home

    def home_shown(self) -> str:
        """How the user names the home: ``$KIMI_SHARE_DIR`` when it is set, else ``~/.kimi``."""
        return f'${self.home_env}' if os.environ.get(self.home_env) else f'~/{self.default_home}'

    def config_file(self) -> Path:
        """The user config this runtime reads: ``config.toml`` in its home."""
        return self.home() / 'config.toml'

    def user_dir(self) -> tuple[Path, str]:
        """The user asset directory and why: the override variable when set, else the home."""
        from pathlib import Path

        override = os.environ.get(self.user_dir_env) if self.user_dir_env else None
        if override:
            return Path(override).expanduser(), f'${self.user_dir_env}'
        return self.home(), f'the {self.home_label} ({self.home_shown()})'

    # -- messages ----------------------------------------------------------------------------

    @property
    def target_option(self) -> str:
        """What a command line needs to address this runtime: ``--target NAME``, or nothing for the default."""
        from omk_precommit.runtimes.registry import DEFAULT_RUNTIME

        return '' if self is DEFAULT_RUNTIME else f'--target {self.name}'

    def heading(self) -> str:
        """What names this runtime before its part of a report on several runtimes."""
        return f'== {self.name}: {self.base_dir}/ ({self.product}) =='

    def command(self, args: str) -> str:
        """The ``omk-kimi`` command line that runs ``args`` (``sync --force``, ``diff PATH``) for this runtime."""
        return ' '.join(part for part in ('omk-kimi', args, self.target_option) if part)

    def hook_command(self, script: Path) -> str:
        """The shell command a ``[[hooks]]`` table runs for a script given by absolute path."""
        import shlex

        return shlex.quote(str(script))

    # -- hooks -------------------------------------------------------------------------------

    @property
    def gate_matcher(self) -> str:
        """The PreToolUse matcher of the safety gate: file writes and the shell, anchored because
        matchers are unanchored regex searches (``Write`` alone would also match ``mcp__x__WriteNote``)."""
        return '^(' + '|'.join(self.write_tools + self.shell_tools) + ')$'

    def user_configs_considered(self) -> tuple[Runtime, ...]:
        """The runtimes whose user configs may hold this runtime's bundled hooks (its own, by default)."""
        return (self,)

    def config_table_findings(self, data: dict[str, object]) -> list[str]:
        """What this CLI refuses in a whole ``config.toml`` besides its ``[[hooks]]`` (none by default)."""
        return []

    # -- formats and rules -------------------------------------------------------------------

    def agent_files(self, role: RoleAgent) -> list[AgentFile]:
        """The files that make ``role`` an agent of this runtime."""
        raise NotImplementedError

    def agent_tools(self, role: RoleAgent) -> tuple[str, ...]:
        """The tool names ``role`` gets in this runtime's format."""
        raise NotImplementedError

    def doctor_checks(self, root: Path, managed: frozenset[str]) -> list[CheckGroup]:
        """The doctor's checks of this runtime's files under ``root / base_dir``, as named groups."""
        raise NotImplementedError

    def doctor_looks_at(self, rel: str) -> bool:
        """Whether ``doctor_checks`` may look at the project file or directory ``rel`` (open it,
        find it in a listing or ask its type) other than through a file that points at it. The
        staged doctor writes only these, and what they point at, into its temporary tree; the
        others, the bulk of a large skill, it judges from their blob ids (``doctor/staged.py``).
        A directory the checks look at must be looked at in each of its ancestors too."""
        prefix = f'{self.base_dir}/skills/'
        return not rel.startswith(prefix) or self.skill_rules_look_at(rel[len(prefix):].split('/'))

    def skill_rules_look_at(self, parts: list[str]) -> bool:
        """``doctor_looks_at`` for the file ``<base_dir>/skills/<parts>``: yes, unless the runtime knows better."""
        return True
