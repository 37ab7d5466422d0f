"""The one exception type for failures a user must see as a single clear line, and the exit statuses."""
from __future__ import annotations

# 0 clean; 1 the command ran and found something; 2 it could not run (bad input, an OmkError).
EXIT_CLEAN, EXIT_FOUND, EXIT_ERROR = 0, 1, 2


class OmkError(Exception):
    """A failure the CLI prints as one line (file, reason, what to run) and exits 2 on."""


class OmkWarning(UserWarning):
    """Something the user should know that does not stop the command; the CLI prints it in one line."""
