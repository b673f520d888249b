"""The README's shown output is the real output: every ```console block marked with
``<!-- readme-test -->`` is run (``icc-exposure`` with this venv's; ``curl`` against a live
uvicorn serving the shipped data, ``localhost:8000`` rewritten to its port) and compared;
stderr is shown with stdout, and a non-zero exit code as ``[exit N]``.

After a change to the data or the code that changes an answer, regenerate them with
``README_UPDATE=1 .venv/bin/pytest tests/test_readme.py`` and read the diff.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import ROOT, live_server

README = ROOT / "README.md"
MARKER = "<!-- readme-test -->"
FENCE = re.compile(r"^" + re.escape(MARKER) + r"\n```console\n(.*?)^```$", re.M | re.S)


@dataclass
class Example:
    command: str  # as shown, after "$ " (continuation lines included)
    output: str  # the lines shown after it
    start: int  # offset of the block's body in the README
    end: int


def _complete(command: str) -> bool:
    if command.endswith("\\"):
        return False
    try:
        shlex.split(command)
    except ValueError:  # an open quote: the command goes on
        return False
    return True


def examples(text: str) -> list[list[Example]]:
    """Examples per marked block."""
    blocks = []
    for match in FENCE.finditer(text):
        found: list[Example] = []
        lines = match.group(1).splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            assert line.startswith("$ "), f"README: a marked block must start with '$ ': {line}"
            command = line[2:]
            i += 1
            while not _complete(command) and i < len(lines):
                command += "\n" + lines[i]
                i += 1
            output = []
            while i < len(lines) and not lines[i].startswith("$ "):
                output.append(lines[i])
                i += 1
            found.append(Example(command, "\n".join(output), match.start(1), match.end(1)))
        blocks.append(found)
    return blocks


def run(command: str, base: str) -> str:
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    env = {k: v for k, v in env.items() if not k.startswith("ICC_EXPOSURE_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command.replace("localhost:8000", base)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # error examples show their message
        text=True,
        timeout=120,
    )
    shown = done.stdout.rstrip("\n")
    if done.returncode:
        shown += f"\n[exit {done.returncode}]"
    return shown


def test_the_readme_examples_show_their_real_output() -> None:
    missing = [tool for tool in ("curl", "jq") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"the README's examples use {' and '.join(missing)}, not installed here")
    text = README.read_text()
    blocks = examples(text)
    assert sum(len(b) for b in blocks) >= 10, "the README's examples are marked"
    with live_server() as base:
        base = base.removeprefix("http://")
        actual = [[run(e.command, base) for e in block] for block in blocks]
    if os.environ.get("README_UPDATE"):
        for block, outputs in reversed(list(zip(blocks, actual, strict=True))):
            body = "".join(
                f"$ {e.command}\n" + (out + "\n" if out else "")
                for e, out in zip(block, outputs, strict=True)
            )
            text = text[: block[0].start] + body + text[block[0].end :]
        README.write_text(text)
        return
    for block, outputs in zip(blocks, actual, strict=True):
        for e, out in zip(block, outputs, strict=True):
            assert out == e.output, f"README example drifted:\n$ {e.command}"
