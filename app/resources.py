"""Where the shipped datasets and rulebook are: inside the installed package (a wheel carries
them as ``app/_data/``, see setup.py), else the checkout's top-level ``datasets/`` and ``rules/``
(an editable install, or running from the source tree).

``ICC_EXPOSURE_DATASETS_DIR`` / ``ICC_EXPOSURE_RULES_DIR`` and ``--datasets-dir`` /
``--rules-dir`` override both (app/settings.py).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Literal

CHECKOUT = Path(__file__).resolve().parent.parent


def shipped(name: Literal["datasets", "rules"]) -> Path:
    """The folder of the shipped ``datasets`` or ``rules``."""
    packaged = files("app") / "_data" / name
    # Installed wheels are plain folders; the loaders read files by path.
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return CHECKOUT / name
