"""Build hook: the wheel carries datasets/ and rules/ (with rules/schema and rules/tests) as
app/_data/datasets and app/_data/rules.

The top-level datasets/ and rules/ stay the one source of truth: they are copied into the build
folder (never into app/), so a checkout has a single copy. An editable install copies nothing and
reads them from the checkout (app/resources.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = ("datasets", "rules")


class BuildPyWithData(build_py):
    """build_py, then datasets/ and rules/ into the build's app/_data/."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "app" / "_data"
        shutil.rmtree(target, ignore_errors=True)  # no file deleted since the last build survives
        for name in SHIPPED:
            shutil.copytree(
                ROOT / name,
                target / name,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"),
            )


setup(cmdclass={"build_py": BuildPyWithData})
