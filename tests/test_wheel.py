"""Installed as a package: the wheel carries the datasets and the rulebook, and answers from a
fresh virtual environment outside the checkout (issue 15)."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import ROOT, free_port

pytestmark = pytest.mark.wheel


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(the venv's bin folder, a working directory outside the checkout)."""
    tmp = tmp_path_factory.mktemp("wheel")
    # A copy of what the build reads: setuptools builds in the source folder (build/), and two
    # runs at once (CI's two Pythons, developers) must not share it.
    source = tmp / "source"
    for name in ("app", "datasets", "rules"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    # Without build isolation: the project venv's setuptools, no download.
    run(sys.executable, "-m", "pip", "wheel", source, "--no-deps", "--no-build-isolation",
        "-q", "-w", tmp / "dist", cwd=tmp)  # fmt: skip
    (wheel,) = (tmp / "dist").glob("icc_exposure-*.whl")
    venv = tmp / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp)
    # The dependencies come from this venv's site-packages (a plain path line: its .pth files,
    # among them the editable install of the checkout, are not processed), so nothing is
    # downloaded; the package itself only from the wheel.
    (purelib,) = (venv / "lib").glob("python3.*/site-packages")
    (purelib / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install",
        "--no-deps", "--no-index", "-q", wheel, cwd=tmp)  # fmt: skip
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    yield venv / "bin", elsewhere


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ICC_EXPOSURE_")}
    env.pop("PYTHONPATH", None)
    return env


def test_the_wheel_imports_app_from_itself(installed: tuple[Path, Path]) -> None:
    bin_dir, elsewhere = installed
    code = "import app, app.resources as r; print(app.__file__); print(r.shipped('datasets'))"
    module, datasets = run(bin_dir / "python", "-c", code, cwd=elsewhere, env=clean_env()).split()
    assert str(ROOT) not in module and str(ROOT) not in datasets
    assert datasets.endswith("app/_data/datasets")


def test_the_installed_tool_answers_a_check(installed: tuple[Path, Path]) -> None:
    bin_dir, elsewhere = installed
    output = run(
        bin_dir / "icc-exposure", "check", "Putin", "Japan", "--date", "2024-01-01", "--json",
        cwd=elsewhere, env=clean_env(),
    )  # fmt: skip
    verdict = json.loads(output)
    assert verdict["exposure"] == "high" and verdict["obligation"] is True
    assert verdict["person"]["id"] == "putin-vladimir"


def test_the_installed_tool_serves(installed: tuple[Path, Path]) -> None:
    bin_dir, elsewhere = installed
    port = free_port()
    proc = subprocess.Popen(
        [bin_dir / "icc-exposure", "serve", "--port", str(port)],
        cwd=elsewhere,
        env={**clean_env(), "ICC_EXPOSURE_DATA_DIR": str(elsewhere / "var")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(base + "/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            time.sleep(0.05)
        assert httpx.get(base + "/healthz").json() == {"status": "ok"}
        answer = httpx.get(
            base + "/v1/exposure", params={"person": "Putin", "country": "JP", "date": "2024-01-01"}
        )
        assert answer.status_code == 200
        assert answer.json()["exposure"] == "high"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
