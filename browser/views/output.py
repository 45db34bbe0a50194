"""/output/<path>: report folders, for signed-in users only (the original left this to Apache).

Files are streamed with their type and byte ranges (BAMs are large; genome browsers and
resumed downloads ask for ranges). HTML from plugin output is served with a
``Content-Security-Policy: sandbox`` header, so even when opened directly it runs in an
opaque origin: it cannot read the viewer's cookies or call the API as the viewer. Plugin
block pages additionally get a tiny script that reports their height to the report page
(the sandboxed iframe cannot be measured from outside).
"""
import mimetypes
import re
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse

from rundb.models import ReportStorage

from ..access import page

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024
# Plugin-written html runs sandboxed: scripts yes, same origin no (so no cookies, no API as the viewer).
SANDBOX_CSP = "sandbox allow-scripts allow-popups allow-forms allow-downloads"
HEIGHT_SCRIPT = (
    b"<script>(function(){function s(){try{parent.postMessage({tbFrameHeight:"
    b"document.documentElement.scrollHeight},'*')}catch(e){}}"
    b"addEventListener('load',s);setInterval(s,1000);})();</script>"
)
TEXT_TYPES = {".log": "text/plain", ".txt": "text/plain", ".json": "application/json", ".bed": "text/plain",
              ".vcf": "text/plain", ".csv": "text/csv", ".bam": "application/octet-stream",
              ".bai": "application/octet-stream", ".fasta": "text/plain", ".php": "text/html"}


def _roots():
    roots = [(s.webServerPath.rstrip("/"), Path(s.dirPath)) for s in ReportStorage.objects.all() if s.webServerPath]
    roots.append((str(getattr(settings, "ION_REPORT_WEB_ROOT", "/output")).rstrip("/"), Path(settings.ION_REPORT_ROOT)))
    return sorted(roots, key=lambda r: -len(r[0]))


def resolve(url_path):
    """The file behind /output/... inside a report root; None when outside or missing."""
    for prefix, root in _roots():
        if url_path == prefix or url_path.startswith(prefix + "/"):
            rel = url_path[len(prefix):].lstrip("/")
            target = (root / rel).resolve()
            base = root.resolve()
            if target != base and base not in target.parents:
                return None
            return target
    return None


def _iter_range(path, start, length):
    with open(path, "rb") as fh:
        fh.seek(start)
        left = length
        while left > 0:
            data = fh.read(min(CHUNK, left))
            if not data:
                break
            left -= len(data)
            yield data


def _content_type(path):
    ext = path.suffix.lower()
    if ext in TEXT_TYPES:
        return TEXT_TYPES[ext]
    ctype, _enc = mimetypes.guess_type(path.name)
    if path.name.endswith(".gz"):
        return "application/gzip"
    return ctype or "application/octet-stream"



@page()
def output_file(request, path):
    target = resolve("/output/" + path)
    if target is None or not target.exists():
        raise Http404("No such file")
    if target.is_dir():
        raise Http404("Folder listings are not served here")
    ctype = _content_type(target)
    size = target.stat().st_size
    if ctype == "text/html":
        # Any report html (plugin output above all) runs sandboxed; served whole, never ranged.
        body = target.read_bytes()
        if target.name.endswith("_block.html") or target.name.endswith("_block.php"):
            body = body + HEIGHT_SCRIPT
        response = HttpResponse(body, content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = SANDBOX_CSP
        response["X-Content-Type-Options"] = "nosniff"
        response["X-Frame-Options"] = "SAMEORIGIN"  # the report page frames plugin blocks
        return response
    rng = RANGE_RE.match(request.headers.get("Range", "").strip())
    if rng and (rng.group(1) or rng.group(2)):
        first, last = rng.group(1), rng.group(2)
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:
            start = max(size - int(last), 0)
            end = size - 1
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        length = end - start + 1
        response = StreamingHttpResponse(_iter_range(target, start, length), status=206, content_type=ctype)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(length)
    else:
        response = FileResponse(open(target, "rb"), content_type=ctype)
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["X-Content-Type-Options"] = "nosniff"
    if ctype == "image/svg+xml":
        response["Content-Security-Policy"] = SANDBOX_CSP
    return response
