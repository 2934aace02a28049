"""The files of an uploaded export: a zip, multipart parts (each a file or a zip), or one CSV body."""

from __future__ import annotations

import io
import posixpath
import zipfile
from typing import Any

import anyio
from litestar import Request
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType

from service.errors import bad_request, too_large
from service.settings import Settings

ZIP_MAGIC = b"PK\x03\x04"


def unzip(data: bytes, limit: int, name: str = "upload.zip", used: int = 0) -> dict[str, bytes]:
    """Files of a zip by path, refused as soon as the request would expand past ``limit`` bytes.

    Args:
        data: The zip's bytes.
        limit: Bytes the whole request may expand to (``max_import_bytes``).
        name: The part's file name, for the error.
        used: Bytes the request's other parts already took.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise bad_request(f"{name}: not a readable zip file", name) from None
    entries = [i for i in archive.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
    if used + sum(i.file_size for i in entries) > limit:
        raise _too_large(name, limit)
    out, left = {}, limit - used
    for info in entries:
        with archive.open(info) as handle:
            data = handle.read(left + 1)  # the sizes in a zip's directory can lie: count what comes out
        left -= len(data)
        if left < 0:
            raise _too_large(name, limit)
        out[posixpath.normpath(info.filename).lstrip("/")] = data
    return out


def _too_large(name: str, limit: int) -> Exception:
    return too_large(f"{name}: the upload expands past {limit} bytes in all (ATELIER_MAX_IMPORT_BYTES)", name)


async def _opened(data: bytes, name: str, used: int, limit: int) -> dict[str, bytes]:
    """One part's files, within what is left of ``limit`` after ``used`` bytes; a zip in a worker thread."""
    if not data.startswith(ZIP_MAGIC):
        if used + len(data) > limit:
            raise _too_large(name, limit)
        return {name: data}
    return await anyio.to_thread.run_sync(unzip, data, limit, name, used)  # inflating is CPU work: off the loop


async def export_files(request: Request[Any, Any, Any], settings: Settings) -> dict[str, bytes]:
    """Every file the request carries, by path (zips opened, multipart parts by their file name).

    One budget for the whole request: what all parts expand to together stays under
    ``max_import_bytes`` (each part once had the whole budget: 100 small zips could hold 100×).
    """
    limit = settings.max_import_bytes
    if request.content_type[0] == RequestEncodingType.MULTI_PART:
        form = await request.form()
        files: dict[str, bytes] = {}
        used = 0
        for key, value in form.multi_items():
            if not isinstance(value, UploadFile):
                continue
            opened = await _opened(await value.read(), posixpath.basename(value.filename or key), used, limit)
            used += sum(map(len, opened.values()))
            files.update(opened)
        if not files:
            raise bad_request("multipart body holds no file part", "file")
        return files
    body = await request.body()
    if not body:
        raise bad_request("empty body: send a zip, multipart files, or the CSV itself", "body")
    return await _opened(body, "upload.zip" if body.startswith(ZIP_MAGIC) else "upload.csv", 0, limit)
