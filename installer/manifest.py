"""The install manifest: what one installation put where, so an upgrade or the uninstaller can
replace or remove exactly that and nothing else (never the data file, which lives elsewhere)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from installer import PRODUCT
from mfa_console.core.errors import ConsoleError

MANIFEST_NAME = "install-manifest.json"
FORMAT = 1


class NotInstalledError(ConsoleError):
    """The folder holds no MFA Console installation (no manifest)."""


@dataclass(frozen=True)
class InstalledFile:
    path: str  # relative to the install folder, with forward slashes
    size: int
    sha256: str


@dataclass
class Manifest:
    version: str
    files: list[InstalledFile] = field(default_factory=list)
    launchers: list[str] = field(default_factory=list)
    product: str = PRODUCT
    installed_at: str = field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds")
    )
    format: int = FORMAT

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        raw = json.loads(text)
        raw["files"] = [InstalledFile(**item) for item in raw["files"]]
        return cls(**raw)


def manifest_path(target: Path) -> Path:
    return target / MANIFEST_NAME


def read_manifest(target: Path) -> Manifest | None:
    """The installation's manifest, or None when ``target`` holds no installation."""
    path = manifest_path(target)
    if not path.exists():
        return None
    try:
        return Manifest.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ConsoleError(
            f"The install manifest {path} cannot be read ({exc}).",
            hint="Remove the folder by hand, then install again.",
        ) from exc


def require_manifest(target: Path) -> Manifest:
    manifest = read_manifest(target)
    if manifest is None:
        raise NotInstalledError(
            f"{target} holds no {PRODUCT} installation ({MANIFEST_NAME} is missing).",
            hint="Give the folder the console was installed into with --target.",
        )
    return manifest


def write_manifest(target: Path, manifest: Manifest) -> None:
    """Write through a temporary file so a crash never leaves half a manifest."""
    path = manifest_path(target)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(manifest.to_json(), encoding="utf-8")
    os.replace(tmp, path)
