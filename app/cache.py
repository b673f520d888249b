"""The CLI's cache of loaded datasets: a repeated ``check`` starts without parsing YAML again.

Parsing the datasets' YAML (ruamel, with line numbers for located errors) is most of a cold
``check`` (docs/benchmarks.md). The loaded Snapshot is pickled under the cache folder, keyed by a
hash of the dataset files' bytes AND of the code that reads them (every ``app/**/*.py``, the
Python and pydantic versions): a changed file, an edited model or another interpreter is a miss,
never a stale answer. Any problem reading or writing the cache falls back to loading the YAML.

The pickles are this user's own files (folder mode 0700), read by the same user's process; the
server does not use the cache (it loads once and stays up).
"""

from __future__ import annotations

import copyreg
import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.data import Snapshot
    from app.engine.rulebook import Rulebook

APP = Path(__file__).resolve().parent
KEEP = 4  # snapshots kept (one per datasets version); older ones are removed


def _proxy(mapping: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(mapping)


def _reduce_proxy(proxy: MappingProxyType[Any, Any]) -> tuple[Any, tuple[dict[Any, Any]]]:
    return _proxy, (dict(proxy),)


# The Snapshot's read-only maps; pickling them as the dict they wrap.
copyreg.pickle(MappingProxyType, _reduce_proxy)


def default_cache_dir() -> Path:
    """ICC_EXPOSURE_CACHE_DIR, else $XDG_CACHE_HOME/icc-exposure, else ~/.cache/icc-exposure."""
    explicit = os.environ.get("ICC_EXPOSURE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "icc-exposure"


def _code_digest() -> bytes:
    import pydantic

    digest = hashlib.sha256(f"{sys.version}\0{pydantic.VERSION}\0".encode())
    for path in sorted(APP.rglob("*.py")):
        digest.update(str(path.relative_to(APP)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def snapshot_key(directory: Path) -> str | None:
    """The cache key of the datasets in ``directory`` (None when a file cannot be read)."""
    from app.data import models

    digest = hashlib.sha256(_code_digest() + directory.name.encode() + b"\0")
    try:
        for name in models.FILES:
            digest.update(name.encode() + b"\0" + (directory / name).read_bytes() + b"\0")
    except OSError:
        return None  # the loader reports the missing file, located
    return digest.hexdigest()


def cached_snapshot(directory: Path, cache_dir: Path | None = None) -> Snapshot:
    """The Snapshot of ``directory``, from the cache when its key matches, else loaded (and
    cached). Raises FileProblems as load_snapshot does."""
    from app.data import load_snapshot

    key = snapshot_key(directory)
    if key is None:
        return load_snapshot(directory)
    folder = cache_dir or default_cache_dir()
    path = folder / f"snapshot-{key[:32]}.pickle"
    try:
        with path.open("rb") as f:
            found: Snapshot = pickle.load(f)
        return found
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        pass
    snapshot = load_snapshot(directory)
    _store(folder, path, snapshot)
    return snapshot


def cached_rulebook(directory: Path, cache_dir: Path | None = None) -> Rulebook:
    """The Rulebook of ``directory``: its parsed rules from the cache when the key matches (the
    durable-rules engine cannot be pickled: it is compiled again, which is quick), else loaded
    (and cached). Raises FileProblems as load_rulebook does."""
    from app.engine.durable import CompiledRulebook
    from app.engine.rulebook import Rulebook, load_rulebook, rule_files

    # Rules are shown as "<folder name>/<file>:<line>": the folder's name is part of the key.
    digest = hashlib.sha256(_code_digest() + directory.name.encode() + b"\0")
    try:
        for path in rule_files(directory):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return load_rulebook(directory)  # the loader reports what is wrong, located
    folder = cache_dir or default_cache_dir()
    path = folder / f"rules-{digest.hexdigest()[:32]}.pickle"
    try:
        with path.open("rb") as f:
            rules, files, version = pickle.load(f)
        per_file = [(name, [p.rule for p in rules if p.file == name]) for name in files]
        return Rulebook(
            rules=rules, files=files, version=version, compiled=CompiledRulebook(per_file)
        )
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        pass
    rulebook = load_rulebook(directory)
    _store(folder, path, (rulebook.rules, rulebook.files, rulebook.version), "rules-")
    return rulebook


def _store(folder: Path, path: Path, value: object, prefix: str = "snapshot-") -> None:
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".tmp-", delete=False) as f:
            f.write(data)
        os.replace(f.name, path)  # atomic: a concurrent reader sees the whole file or none
        old = sorted(folder.glob(prefix + "*.pickle"), key=lambda p: p.stat().st_mtime)
        for stale in old[:-KEEP]:
            stale.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return  # a read-only home or an unpicklable field: the CLI works, only slower
