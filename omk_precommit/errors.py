"""The one exception type for failures a user must see as a single clear line."""
from __future__ import annotations


class OmkError(Exception):
    """A failure the CLI prints as one line (file, reason, what to run) and exits 2 on."""


class OmkWarning(UserWarning):
    """Something the user should know that does not stop the command; the CLI prints it in one line."""
