"""Where the advisory database lives by default (kept apart so the CLI can name it without loading the database code)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

__all__ = ["default_db_path"]


def default_db_path(env: Mapping[str, str] | None = None) -> Path:
    """``$ASSAY_DB``, else ``$XDG_CACHE_HOME/assay/db/assay.db``, else ``~/.cache/assay/db/assay.db``."""
    env = os.environ if env is None else env
    if env.get("ASSAY_DB"):
        return Path(env["ASSAY_DB"]).expanduser()
    cache = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache, "assay", "db", "assay.db")
