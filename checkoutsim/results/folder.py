"""A results folder: one command's output, locked for the command's whole life.

Rules every command that writes results follows (``run``, ``compare``, ``sweep``, ``optimize``):

* **Checked before simulating.** :func:`open_results_folder` refuses a path that is a file, a
  folder it cannot create or write into, a full disk, and a folder that holds files checkoutsim
  did not write (a user's own files are never overwritten): all before any day is simulated.
* **One writer at a time.** The folder's lock (``.checkoutsim.lock``, an ``flock``) is held from
  the check to the manifest; a second command on the same folder stops at once with a clear
  message instead of mixing its files with the first one's.
* **Complete only with its manifest.** Every file is written to a hidden temporary name and
  renamed into place (:func:`atomic_write`); the previous manifest is removed before the first
  file is replaced, and the new one is written last and lists exactly the files this command
  wrote. Files of a previous run in the same folder that this one did not rewrite are removed
  first, so nothing stale stands beside the manifest.
* **No leftovers.** Hidden ``.*.tmp`` files of an interrupted write are removed when the folder
  is opened (under the lock, so never another command's).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from checkoutsim._version import __version__

__all__ = [
    "LOCK",
    "MANIFEST",
    "FolderLockedError",
    "ResultsFolder",
    "ResultsFolderError",
    "atomic_write",
    "atomic_write_text",
    "exclusive_lock",
    "open_results_folder",
    "remove_temporaries",
    "writing_into",
    "written_by",
]

MANIFEST = "manifest.json"
LOCK = ".checkoutsim.lock"
# Files an unfinished command may have written (the previous manifest's and its own so far):
# the next command in the folder removes those it does not rewrite, so nothing stale is left
# beside a manifest even after a crash or Ctrl-C in the middle of writing.
PENDING = ".checkoutsim.pending.json"
# Where sweep and optimize keep their finished days (checkoutsim.experiments.run_store), locked
# by a file of the same name as the folder's: a folder holding such a store is checkoutsim's
# even before its first manifest.
RUN_STORE = "runs"
# Bytes written and synced when a folder is opened: a disk too full for them is too full for
# any result, and is reported before simulating instead of after.
_PROBE_BYTES = 64 * 1024


class ResultsFolderError(Exception):
    """The results folder cannot be used; the message says why and what to do."""


class FolderLockedError(ResultsFolderError):
    """Another command holds the folder's lock."""


def atomic_write(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write ``path`` through ``write(fileobj)`` into a temporary file, then rename it in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600 files; give results the permissions of any other new file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Atomically write UTF-8 text."""
    data = text.encode("utf-8")

    def write(handle: IO[bytes]) -> None:
        handle.write(data)

    atomic_write(path, write)


def remove_temporaries(root: Path) -> int:
    """Delete leftovers of interrupted writes (hidden ``.*.tmp`` files) under ``root``."""
    if not root.is_dir():
        return 0
    removed = 0
    for tmp in root.rglob(".*.tmp"):
        if tmp.is_file():
            tmp.unlink(missing_ok=True)
            removed += 1
    return removed


def _remove_own_temporaries(folder: Path) -> None:
    """Hidden ``.*.tmp`` files directly in ``folder`` (its subfolders are done one by one)."""
    for tmp in folder.glob(".*.tmp"):
        if tmp.is_file():
            tmp.unlink(missing_ok=True)


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's manifest if it is one checkoutsim wrote, else None."""
    try:
        data = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and "checkoutsim_version" in data else None


def _names(listing: object) -> list[str]:
    """File names from a manifest's ``files`` or a pending list; anything else is ignored."""
    if isinstance(listing, dict):
        listing = list(listing)
    if not isinstance(listing, list):
        return []
    return [name for name in listing if isinstance(name, str)]


def _read_pending(folder: Path) -> list[str]:
    try:
        return _names(json.loads((folder / PENDING).read_text("utf-8")))
    except (OSError, ValueError):
        return []


def _is_ours(folder: Path) -> bool:
    """Whether checkoutsim made this folder (its lock, its store of days, or its manifest)."""
    return (
        (folder / LOCK).exists()
        or (folder / RUN_STORE / LOCK).exists()
        or _read_manifest(folder) is not None
    )


class ResultsFolder:
    """An open, locked results folder; made by :func:`open_results_folder`.

    Writers add files with :meth:`write` or :meth:`write_text` and describe the run with
    :meth:`describe`; :meth:`finish` writes the manifest, last.
    """

    def __init__(self, path: Path, previous_files: list[str]):
        self.path = path
        self._previous = previous_files
        self._written: dict[str, Path] = {}
        self._pending: set[str] = set()
        self._fields: dict[str, Any] = {}
        self._manifest_removed = False
        self.finished = False

    def file(self, name: str) -> Path:
        """The path of ``name`` (``a.csv`` or ``scenarios/a.yaml``) inside the folder.

        Raises
        ------
        ResultsFolderError
            If ``name`` would land outside the folder (absolute, ``..``, a symlinked parent).
        """
        rel = PurePosixPath(name)
        if rel.is_absolute() or not rel.parts or any(p in ("", ".", "..") for p in rel.parts):
            raise ResultsFolderError(
                f"refusing to write {name!r}: not a file name inside {self.path}"
            )
        path = self.path.joinpath(*rel.parts)
        root = self.path.resolve()
        if not path.parent.resolve().is_relative_to(root):
            raise ResultsFolderError(f"refusing to write {path}: it lies outside {self.path}")
        return path

    def write(self, name: str, write: Callable[[IO[bytes]], None]) -> Path:
        """Atomically write the file ``name`` through ``write(fileobj)``; return its path."""
        path = self.file(name)
        # Before the file exists, note it (with what the previous command left) as pending.
        self._pending.add(name)
        atomic_write_text(
            self.path / PENDING, json.dumps(sorted({*self._previous, *self._pending}))
        )
        if not self._manifest_removed:
            # From the first replaced file on, the folder must not look complete.
            (self.path / MANIFEST).unlink(missing_ok=True)
            self._manifest_removed = True
        atomic_write(path, write)
        self._written[name] = path
        return path

    def write_text(self, name: str, text: str) -> Path:
        """Atomically write UTF-8 text to the file ``name``; return its path."""
        data = text.encode("utf-8")

        def write(handle: IO[bytes]) -> None:
            handle.write(data)

        return self.write(name, write)

    def describe(self, **fields: Any) -> None:
        """Add fields to the manifest (seed, replications, command, ...)."""
        self._fields.update(fields)

    @property
    def written(self) -> list[Path]:
        """Files written so far, in order."""
        return list(self._written.values())

    def finish(self, command: str | None = None) -> Path:
        """Remove what a previous run left and this one did not rewrite, then write the manifest.

        Returns
        -------
        Path
            The manifest's path.
        """
        for name in self._previous:
            if name in self._written or name in (MANIFEST, PENDING, LOCK):
                continue
            with contextlib.suppress(ResultsFolderError, OSError):
                stale = self.file(name)
                if stale.is_file() and not stale.is_symlink():
                    stale.unlink()
                    if stale.parent != self.path and not any(stale.parent.iterdir()):
                        stale.parent.rmdir()  # an emptied subfolder (scenarios/ of compare)
        manifest = {
            "checkoutsim_version": __version__,
            **self._fields,
            "command": command if command is not None else " ".join(sys.argv),
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": sys.version.split()[0],
            "files": {name: path.stat().st_size for name, path in self._written.items()},
        }
        path = self.path / MANIFEST
        atomic_write_text(path, json.dumps(manifest, indent=2, default=str) + "\n")
        (self.path / PENDING).unlink(missing_ok=True)
        self.finished = True
        return path


def _check_folder(path: Path) -> None:
    """Refuse a path that cannot be a results folder, before anything is simulated."""
    if path.exists() and not path.is_dir():
        raise ResultsFolderError(f"{path} is a file, not a folder: give another --out")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResultsFolderError(
            f"cannot create the results folder {path}: {exc.strerror}"
        ) from None
    if not _is_ours(path):
        try:
            foreign = sorted(p.name for p in path.iterdir())
        except OSError as exc:
            raise ResultsFolderError(f"cannot read the folder {path}: {exc.strerror}") from None
        if foreign:
            shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
            raise ResultsFolderError(
                f"{path} already holds files that checkoutsim did not write ({shown}); "
                "give an empty or new folder with --out, so that none of them is overwritten"
            )


def _probe(path: Path) -> None:
    """Write, sync and remove a small hidden file: a read-only folder or a full disk fails here."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".probe.", suffix=".tmp", dir=path)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(b"\0" * _PROBE_BYTES)
                handle.flush()
                os.fsync(handle.fileno())
        finally:
            Path(tmp).unlink(missing_ok=True)
    except OSError as exc:
        raise ResultsFolderError(
            f"cannot write into the results folder {path}: {exc.strerror}"
        ) from None


@contextlib.contextmanager
def exclusive_lock(lock_file: Path, busy: Callable[[], Exception]) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock_file`` (created if need be) for the block.

    Raises ``busy()`` at once if another process holds it (never waits), and
    :class:`ResultsFolderError` if the lock file cannot be created.
    """
    try:
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise ResultsFolderError(
            f"cannot write into the folder {lock_file.parent}: {exc.strerror}"
        ) from None
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no lock
            yield
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise busy() from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _folder_busy(path: Path) -> Callable[[], Exception]:
    return lambda: FolderLockedError(
        f"another checkoutsim command is writing to {path}; wait for it to finish or give "
        "another --out"
    )


@contextlib.contextmanager
def open_results_folder(path: Path) -> Iterator[ResultsFolder]:
    """Check, lock and tidy the results folder ``path`` for one command's whole life.

    The folder may be new, empty, or one that checkoutsim wrote before (its files are then
    replaced, and those this command does not rewrite are removed by
    :meth:`ResultsFolder.finish`). Call this before simulating, so that a folder that cannot be
    used is reported before any work is done.

    Raises
    ------
    ResultsFolderError
        A file, a folder that cannot be created or written, a full disk, or a folder holding
        files checkoutsim did not write.
    FolderLockedError
        Another command holds the folder's lock.
    """
    path = Path(path)
    _check_folder(path)
    with exclusive_lock(path / LOCK, _folder_busy(path)):
        _probe(path)
        _remove_own_temporaries(path)
        for sub in path.iterdir():
            # Not runs/: a store of days cleans itself, under its own lock.
            if sub.is_dir() and not sub.is_symlink() and sub.name != RUN_STORE:
                remove_temporaries(sub)
        manifest = _read_manifest(path)
        previous = _names(manifest.get("files")) if manifest else []
        previous = sorted({*previous, *_read_pending(path)})
        yield ResultsFolder(path, previous)


@contextlib.contextmanager
def writing_into(out: Path | ResultsFolder, command: str | None) -> Iterator[ResultsFolder]:
    """The folder to write into: ``out`` itself, or ``out`` opened and finished around the block.

    Lets the library writers take either an open folder (the command line holds it for the
    whole command) or a plain path (a notebook writing once).
    """
    if isinstance(out, ResultsFolder):
        yield out
        return
    with open_results_folder(Path(out)) as folder:
        yield folder
        folder.finish(command)


def written_by(folder: ResultsFolder, out: Path | ResultsFolder) -> list[Path]:
    """What a writer given ``out`` wrote into ``folder``: the files, and the manifest last when
    ``out`` was a plain path (so :func:`writing_into` finished the folder)."""
    files = folder.written
    return files if isinstance(out, ResultsFolder) else [*files, folder.path / MANIFEST]
