"""The file store: files people sent, on disk under one folder, named by their SHA-256.

Kept outside the database so that a photo does not bloat every backup and query; the same file sent
twice is stored once. A ref is 64 hex digits and nothing else, so a ref can never name a path
outside the folder."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

_REF = re.compile(r"[0-9a-f]{64}")


class FileTooBig(Exception):
    """More bytes than the store takes."""


class FileStore:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def save(self, data: bytes) -> str:
        """Keep ``data``; returns its ref. Written to a temporary file and renamed, so a reader never
        sees half a file."""
        if len(data) > self.max_bytes:
            raise FileTooBig(f"{len(data)} bytes is more than {self.max_bytes}")
        ref = hashlib.sha256(data).hexdigest()
        path = self.path(ref)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        return ref

    def path(self, ref: str) -> Path:
        if not _REF.fullmatch(ref):
            raise ValueError("not a file ref")
        return self.root / ref[:2] / ref

    def read(self, ref: str) -> bytes:
        return self.path(ref).read_bytes()
