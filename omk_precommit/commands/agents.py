"""``agents``: list the bundled role agents."""
from __future__ import annotations

import argparse

from omk_precommit.commands.base import add_common
from omk_precommit.commands.listing import print_rows

HELP = 'list the bundled role agents'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common(parser)


def run(args: argparse.Namespace) -> int:
    return print_rows('agents', args)
