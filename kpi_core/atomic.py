"""Write a file so that readers see the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import FileError


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


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target``.

    On any exception the temporary file is removed and a previous ``target`` is left
    as it was. Unwritable folders and locked targets raise :class:`FileError`.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise FileError(f"{folder}: the output folder does not exist")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem[:40]}.", suffix=".tmp" + target.suffix,
                                        dir=folder)
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
