"""The pre-signed-style upload and report URLs of import jobs, answered like S3 answers them.

``PUT /_upload/<token>``: Content-Type ``text/csv``, no auth header, no extra signed-header
trouble (an ``x-amz-checksum-crc32`` header is refused with S3's 403 ``HeadersNotSigned``);
200 with an ``ETag``. ``GET /_report/<token>``: the report CSV. Expired URLs answer 403
"Request has expired". Errors are S3's XML bodies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from xml.sax.saxutils import escape

from .import_job import UPLOAD_PENDING
from .job_store import JobStore
from .replies import Reply

XML = "application/xml"


def _iso(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def s3_error(status: int, code: str, message: str, **extra: str) -> Reply:
    fields = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in extra.items())
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{escape(message)}</Message>{fields}"
        f"<RequestId>{secrets.token_hex(8).upper()}</RequestId></Error>"
    )
    return Reply(status, body.encode(), XML, store=False)


def _expired(expires: float, now: float) -> Reply:
    return s3_error(403, "AccessDenied", "Request has expired", Expires=_iso(expires), ServerTime=_iso(now))


def _signature_mismatch() -> Reply:
    return s3_error(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. "
        "Check your key and signing method.",
    )


def put_upload(store: JobStore, method: str, token: str, headers: Mapping[str, str], body: bytes) -> Reply:
    """Store the file of the job behind ``token`` (the first upload counts; see the README)."""
    with store.state.lock:
        job = store.jobs.get(store.uploads.get(token, ""))
        now = store.clock.now()
        if job is None or method != "PUT":
            return _signature_mismatch()
        if headers.get("Authorization"):
            return s3_error(
                400,
                "InvalidArgument",
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                "Signature query string parameter or the Authorization header should be specified",
                ArgumentName="Authorization",
            )
        if now > job.upload_expires:
            return _expired(job.upload_expires, now)
        unsigned = [h for h in headers if h.lower().startswith("x-amz-checksum")]
        if unsigned:
            return s3_error(
                403,
                "AccessDenied",
                "There were headers present in the request which were not signed",
                HeadersNotSigned=", ".join(h.lower() for h in unsigned),
            )
        if (headers.get("Content-Type") or "").strip().lower() != "text/csv":
            return _signature_mismatch()
        etag = f'"{hashlib.md5(body).hexdigest()}"'  # noqa: S324 - S3's ETag is an MD5
        if job.status == UPLOAD_PENDING and job.data is None:
            job.data, job.etag, job.uploaded_at = body, etag, now
        return Reply(200, b"", "text/plain", headers={"ETag": etag}, store=False)


def get_report(store: JobStore, method: str, token: str) -> Reply:
    with store.state.lock:
        job = store.jobs.get(store.reports.get(token, ""))
        now = store.clock.now()
        if job is None or method != "GET":
            return _signature_mismatch()
        expires = job.report_expires or 0.0
        if job.report_expired or now > expires:
            return _expired(expires, now)
        return Reply(200, job.report_csv().encode(), "text/csv", store=False)
