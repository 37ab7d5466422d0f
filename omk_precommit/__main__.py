from __future__ import annotations

from omk_precommit.cli import main

raise SystemExit(main())
