"""Files only the account running Atelier may read: the SQLite database,
backups, uploads waiting for import. Modes are given when a file or folder is
created (never loosened by the umask, never a window between creating and
tightening)."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FILE_MODE = 0o600
PRIVATE_FOLDER_MODE = 0o700


def private_folder(path: Path) -> Path:
    """Create `path` and any missing parent as folders only their owner can
    enter; an existing folder is left as its administrator set it."""
    missing = [folder for folder in (path, *path.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_FOLDER_MODE, exist_ok=True)
    return path


def private_file(path: Path) -> Path:
    """Make sure `path` exists readable and writable by its owner only: a new
    file is created with mode 0600; an existing one of ours is tightened to
    it (one owned by another account is left as its administrator set it)."""
    private_folder(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    except FileExistsError:
        status = path.stat()
        if status.st_uid == os.geteuid() and status.st_mode & 0o077:
            path.chmod(PRIVATE_FILE_MODE)
    return path
