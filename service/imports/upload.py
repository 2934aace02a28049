"""The files of an uploaded export: a zip, multipart parts (each a file or a zip), or one CSV body."""

from __future__ import annotations

import io
import posixpath
import zipfile
from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType

from service.errors import bad_request, too_large
from service.settings import Settings

ZIP_MAGIC = b"PK\x03\x04"


def unzip(data: bytes, limit: int, name: str = "upload.zip") -> dict[str, bytes]:
    """Files of a zip by path; refused before reading when it would expand past ``limit`` bytes."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise bad_request(f"{name}: not a readable zip file", name) from None
    entries = [i for i in archive.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
    if sum(i.file_size for i in entries) > limit:
        raise too_large(f"{name}: expands past {limit} bytes (ATELIER_MAX_IMPORT_BYTES)", name)
    out, left = {}, limit
    for info in entries:
        with archive.open(info) as handle:
            data = handle.read(left + 1)  # the sizes in a zip's directory can lie: count what comes out
        left -= len(data)
        if left < 0:
            raise too_large(f"{name}: expands past {limit} bytes (ATELIER_MAX_IMPORT_BYTES)", name)
        out[posixpath.normpath(info.filename).lstrip("/")] = data
    return out


async def export_files(request: Request[Any, Any, Any], settings: Settings) -> dict[str, bytes]:
    """Every file the request carries, by path (zips opened, multipart parts by their file name)."""
    limit = settings.max_import_bytes
    if request.content_type[0] == RequestEncodingType.MULTI_PART:
        form = await request.form()
        files: dict[str, bytes] = {}
        for key, value in form.multi_items():
            if not isinstance(value, UploadFile):
                continue
            data = await value.read()
            name = posixpath.basename(value.filename or key)
            files.update(unzip(data, limit, name) if data.startswith(ZIP_MAGIC) else {name: data})
        if not files:
            raise bad_request("multipart body holds no file part", "file")
        return files
    body = await request.body()
    if not body:
        raise bad_request("empty body: send a zip, multipart files, or the CSV itself", "body")
    return unzip(body, limit) if body.startswith(ZIP_MAGIC) else {"upload.csv": body}
