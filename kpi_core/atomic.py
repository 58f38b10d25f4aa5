"""Write a file so that readers see the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import FileError

#: A temporary file this old is the remains of a run that was killed (a killed process
#: cannot clean up after itself); the next write to the same target removes it.
STALE_AFTER_SECONDS = 15 * 60


def _give_usual_mode(tmp: Path, target: Path) -> None:
    """mkstemp makes files private: give the new file the old one's mode, else the umask's."""
    if os.name == "nt":
        return
    try:
        mode = target.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        mode = 0o666 & ~mask
    os.chmod(tmp, mode)


def _temp_affixes(target: Path) -> tuple[str, str]:
    return f".{target.stem[:40]}.", ".tmp" + target.suffix


def remove_stale_temps(target: str | os.PathLike, older_than: float = STALE_AFTER_SECONDS
                       ) -> list[Path]:
    """Remove ``target``'s temporary files left by killed runs; return those removed."""
    target = Path(target)
    prefix, suffix = _temp_affixes(target)
    pattern = glob.escape(prefix) + "?" * 8 + "*" + glob.escape(suffix)
    removed = []
    cutoff = time.time() - older_than
    for tmp in target.parent.glob(pattern):
        with contextlib.suppress(OSError):
            if tmp.is_file() and tmp.stat().st_mtime < cutoff:
                tmp.unlink()
                removed.append(tmp)
    return removed


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target``.

    On any exception the temporary file is removed and a previous ``target`` is left
    as it was. Unwritable folders and locked targets raise :class:`FileError`.
    Temporary files of ``target`` older than :data:`STALE_AFTER_SECONDS` (left by a
    killed run) are removed first.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise FileError(f"{folder}: the output folder does not exist")
    if target.is_dir():
        raise FileError(f"{target}: is a folder; give a file name ending in {target.suffix}")
    remove_stale_temps(target)
    prefix, suffix = _temp_affixes(target)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    except OSError as exc:
        raise FileError(f"{folder}: cannot write in this folder ({exc.strerror or exc})") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        _give_usual_mode(tmp, target)
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise FileError(f"{target}: cannot be written ({exc.strerror or exc}); "
                            "is it open in Excel?") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


#: Why a file cannot be replaced, by its kind: the program that usually holds it open.
_HELD_BY = {".xlsx": "is it open in Excel?", ".xlsm": "is it open in Excel?",
            ".pdf": "is it open in a PDF reader or another program?",
            ".html": "is the page open in another program?"}


def _why(target: Path, exc: OSError) -> str:
    hint = _HELD_BY.get(target.suffix.lower(), "is it open in another program?")
    return f"{target}: cannot be written ({exc.strerror or exc}); {hint}"


def _check_target(target: Path) -> Path:
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise FileError(f"{folder}: the output folder does not exist")
    if target.is_dir():
        raise FileError(f"{target}: is a folder; give a file name ending in {target.suffix}")
    return folder


@contextlib.contextmanager
def atomic_paths(*targets: str | os.PathLike) -> Iterator[tuple[Path, ...]]:
    """Yield a temporary path beside each target; when the block succeeds, all of them
    replace their targets, or none does.

    Every target is checked before anything is written (its folder exists, it is not a
    folder). The temporaries are renamed only once all are ready; if a rename fails
    (a file open in another program), the targets already replaced get their old files
    back. The :class:`FileError` names the file and a reason that fits its kind.
    """
    paths = [Path(t) for t in targets]
    folders = [_check_target(t) for t in paths]
    temps: list[Path] = []
    try:
        for target, folder in zip(paths, folders):
            remove_stale_temps(target)
            prefix, suffix = _temp_affixes(target)
            try:
                fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
            except OSError as exc:
                raise FileError(f"{folder}: cannot write in this folder "
                                f"({exc.strerror or exc})") from exc
            os.close(fd)
            temps.append(Path(name))
        yield tuple(temps)
        for tmp, target in zip(temps, paths):
            _give_usual_mode(tmp, target)
        _replace_all(list(zip(temps, paths)))
    finally:
        for tmp in temps:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def _replace_all(pairs: list[tuple[Path, Path]]) -> None:
    """Each temporary over its target, all or none: the old files are set aside first
    and put back if any rename fails."""
    saved: list[tuple[Path, Path]] = []  # (old file set aside, its target)
    placed: list[Path] = []
    try:
        for _tmp, target in pairs:
            if target.exists():
                aside = target.with_name(f".{target.name}.{os.getpid()}.old")
                try:
                    os.replace(target, aside)
                except OSError as exc:
                    raise FileError(_why(target, exc)) from exc
                saved.append((aside, target))
        for tmp, target in pairs:
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise FileError(_why(target, exc)) from exc
            placed.append(target)
    except BaseException:
        for target in placed:
            with contextlib.suppress(OSError):
                target.unlink()
        for aside, target in saved:
            with contextlib.suppress(OSError):
                os.replace(aside, target)
        raise
    for aside, _target in saved:
        with contextlib.suppress(OSError):
            aside.unlink()
