"""A workbook's document properties: the core ones (title, created) and the custom ones.

A quarterly return records in its custom properties the workbook it was made from,
the period and the owner (:mod:`kpi_core.authoring.returns`); ``collect`` reads them
back here. Excel keeps both parts when it saves a file, and so does LibreOffice.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..errors import FileError

#: Property parts are a few hundred bytes; anything near this is not one.
MAX_PROPERTY_BYTES = 1 << 20
_CORE = "docProps/core.xml"
_CUSTOM = "docProps/custom.xml"
_DCTERMS = "{http://purl.org/dc/terms/}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_CUSTOM_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"


@dataclass(frozen=True, slots=True)
class DocumentProperties:
    """What a workbook says about itself: ``created`` as written (ISO 8601 text),
    ``title``, and the custom properties by name, each as text."""

    created: str | None = None
    title: str | None = None
    custom: dict[str, str] = field(default_factory=dict)


def read_properties(path: str | os.PathLike) -> DocumentProperties:
    """The document properties of a workbook file; none found is an empty result.

    Raises :class:`FileError` when the file is not a workbook package or a property
    part is damaged.
    """
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as z:
            names = {info.filename.casefold(): info for info in z.infolist()}
            core = _part(z, names, _CORE, path)
            custom = _part(z, names, _CUSTOM, path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileError(f"{path}: not a workbook this tool can read ({exc})") from exc
    created = title = None
    if core is not None:
        node = core.find(f"{_DCTERMS}created")
        created = node.text.strip() if node is not None and node.text else None
        node = core.find(f"{_DC}title")
        title = node.text if node is not None and node.text else None
    values: dict[str, str] = {}
    if custom is not None:
        for prop in custom.iter(f"{_CUSTOM_NS}property"):
            name = prop.get("name")
            if name and len(prop):
                values[name] = "".join(prop[0].itertext())
    return DocumentProperties(created, title, values)


def _part(z: zipfile.ZipFile, names: dict, name: str, path: Path):
    info = names.get(name.casefold())
    if info is None:
        return None
    if info.file_size > MAX_PROPERTY_BYTES:
        raise FileError(f"{path}: part {name} is {info.file_size:,} bytes, not document "
                        "properties; refusing it")
    try:
        return fromstring(z.read(info))
    except DefusedXmlException as exc:
        raise FileError(f"{path}: part {name} declares a DTD or entities; refusing it") from exc
    except (SyntaxError, zlib.error, EOFError) as exc:
        raise FileError(f"{path}: part {name} is damaged ({exc})") from exc
