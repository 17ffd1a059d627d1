"""Where files live: a local folder or an object store (``s3://…``), behind one small interface.

Every path textwash reads or writes (input, staging, index, tables) is a :func:`location`: a
``pathlib.Path`` for a local folder, a ``upath.UPath`` (fsspec underneath) for a URL. Both offer
the same ``/``, ``glob``, ``exists``, ``open``, ``read_bytes`` and ``write_text``, so stages are
written once. The few operations that differ live here:

- :func:`write_bytes` is atomic on both: a temporary file renamed on a local disk, a single PUT
  (which an object store applies whole or not at all) on a store;
- :func:`create_exclusive` creates an object only if it does not exist yet (``O_EXCL`` locally,
  a conditional PUT, ``If-None-Match: *``, on S3), the primitive behind the run lock;
- :func:`uri` and :func:`delta_options` are what polars and deltalake need to reach the same place.

Credentials come from the usual places (``AWS_ACCESS_KEY_ID``, ``AWS_ENDPOINT_URL``,
``~/.aws/config``, instance roles): botocore reads them for fsspec, object_store for polars and
deltalake. Nothing here holds a secret.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from upath import UPath

from cleaners import faults


def is_url(value: str | os.PathLike[str]) -> bool:
    return "://" in str(value)


def location(value: str | os.PathLike[str] | UPath) -> Any:
    """A local ``Path`` or a ``UPath`` for a URL (typed ``Any``: both quack the same)."""
    if isinstance(value, Path | UPath):
        return value
    # No listings cache: another process (a scraper, a second run) may add files at any time,
    # and a stale listing would make a new file look missing.
    return UPath(value, use_listings_cache=False) if is_url(value) else Path(value)


def is_local(place: Any) -> bool:
    return isinstance(place, Path)


def uri(place: Any) -> str:
    """The string polars, pyarrow and deltalake take: an absolute path, or the URL."""
    return str(Path(place).resolve()) if is_local(place) else str(place)


def delta_options(place: Any) -> dict[str, str] | None:
    """deltalake's ``storage_options`` for ``place``: on S3, safe concurrent commits by a
    conditional PUT (no DynamoDB lock needed; AWS S3 and MinIO support it)."""
    if is_local(place):
        return None
    options = {"conditional_put": "etag"}
    if os.environ.get("AWS_ENDPOINT_URL", "").startswith("http://"):
        options["allow_http"] = "true"
    return options


def write_bytes(place: Any, data: bytes) -> None:
    """Write ``data`` to ``place`` atomically: readers see the old content or the new, never half."""
    faults.step(f"write {place}")
    if not is_local(place):
        place.parent.mkdir(parents=True, exist_ok=True)
        place.write_bytes(data)
        return
    place.parent.mkdir(parents=True, exist_ok=True)
    temporary = place.with_name(f".{place.name}.{uuid.uuid4().hex}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, place)
    finally:
        temporary.unlink(missing_ok=True)


def create_exclusive(place: Any, data: bytes) -> bool:
    """Create ``place`` holding ``data`` only if nothing is there yet; False if something is."""
    place.parent.mkdir(parents=True, exist_ok=True)
    try:
        with place.open("xb") as handle:
            handle.write(data)
    except FileExistsError:
        return False
    return True


def remove_tree(place: Any) -> None:
    """Remove a folder (or a prefix of objects) and everything under it; absent is fine."""
    faults.step(f"remove tree {place}")
    if is_local(place):
        shutil.rmtree(place, ignore_errors=True)
        return
    try:
        place.fs.rm(str(place), recursive=True)
    except FileNotFoundError:
        pass


def remove(place: Any) -> None:
    """Remove one file or object; absent is fine."""
    faults.step(f"remove {place}")
    try:
        place.unlink()
    except FileNotFoundError:
        pass


def copy_file(source: Any, target: Any) -> None:
    """Put a finished file at a second place: a hard link locally (no copy), a server-side copy
    on a store."""
    faults.step(f"copy {source} -> {target}")
    if is_local(source) and is_local(target):
        if target.exists() and os.path.samefile(source, target):
            return  # a retried commit placing the same part again
        target.unlink(missing_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        return
    if not is_local(source) and not is_local(target) and source.protocol == target.protocol:
        source.fs.copy(str(source), str(target))
        return
    with source.open("rb") as reading, target.open("wb") as writing:
        shutil.copyfileobj(reading, writing)


def files_below(root: Any) -> list[tuple[str, Any]]:
    """``(relative POSIX path, location)`` of every file below ``root``, sorted."""
    if is_local(root):
        found = [(relative, root / relative) for relative in _local_entries(root)]
    else:
        base = str(root).rstrip("/")
        prefix = root.path.rstrip("/") + "/"
        found = [(key[len(prefix):], UPath(f"{root.protocol}://{key}", **root.storage_options))
                 for key in root.fs.find(base) if key.startswith(prefix)]
    return sorted(found, key=lambda item: item[0])


def _safe_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (kept by Python as surrogate escapes)
    become ``\\xNN``, so the name can be stored; ingest rejects such a file by name."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _local_entries(root: Path) -> list[str]:
    """Every entry below a local folder that is not a folder: files, and also symlinks (to
    files or folders; never followed here), FIFOs, sockets, devices, and folders that cannot
    be listed, so that ingest can refuse each with its reason instead of skipping it."""
    entries: list[str] = []

    def unlisted(error: OSError) -> None:
        if error.filename and Path(error.filename) != root:
            entries.append(Path(error.filename).relative_to(root).as_posix())

    for folder, folders, files in os.walk(root, onerror=unlisted, followlinks=False):
        base = Path(folder)
        for name in folders:
            if (base / name).is_symlink():
                entries.append((base / name).relative_to(root).as_posix())
        entries.extend((base / name).relative_to(root).as_posix() for name in files)
    return [_safe_name(entry) for entry in entries]
