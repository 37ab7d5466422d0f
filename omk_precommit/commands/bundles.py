"""``bundles``: list the bundles found (name, version, where from, what it extends)."""
from __future__ import annotations

import argparse

from omk_precommit.commands.base import EXIT_CLEAN, EXIT_FOUND
from omk_precommit.errors import OmkError

HELP = 'list the installed bundles: omk and those of the entry point group omk_precommit.bundles'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--json', action='store_true', help='machine-readable output on stdout')


def run(args: argparse.Namespace) -> int:
    from omk_precommit.bundle.found import bundle_by_name, installed_bundle_names
    from omk_precommit.render.output import print_json

    rows: list[dict[str, str | None]] = []
    for name in installed_bundle_names():
        try:
            info = bundle_by_name(name)
        except OmkError as e:
            rows.append({'name': name, 'error': str(e)})
            continue
        if info is not None:
            rows.append({'name': info.name, 'version': info.version, 'from': info.origin,
                         'package': info.package, 'extends': info.extends, 'description': info.description or None})
    if args.json:
        print_json(rows)
    else:
        for row in rows:
            if 'error' in row:
                print(f'{row["name"]}: broken: {row["error"]}')
            else:
                extends = f', extends {row["extends"]}' if row['extends'] else ''
                print(f'{row["name"]} {row["version"]}: {row["from"]}{extends}')
    return EXIT_FOUND if any('error' in row for row in rows) else EXIT_CLEAN
