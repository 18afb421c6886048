"""Every upload endpoint of the API (each operation that takes a file, found in the OpenAPI) and
of the dashboard gets every file of the gallery: a 4xx naming the file, never a 500, and
nothing stored (issue 15, items 5 and 8)."""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

from tests.api.conftest import PASSWORD, Api
from tests.gallery.files import CONTENTS

# values for the required query parameters of the upload endpoints
QUERY = {"year": "2024", "factors": "a,b"}
ENTERPRISE = "911302007A3K9C2D24"  # an example enterprise for the path of a per-enterprise upload
# uploads that take any file by design: the carbon market's evidence documents (an invoice, a
# lab report, a meter's photo), kept by their hash
ANY_FILE = {"/api/v1/market/documents/{enterprise_id}"}
# values for the required form fields beside the file (a catalogue's or a list's document)
FORM = {
    "catalogue": "gallery_test",
    "source_id": "gallery_test",
    "title": "gallery test, not a document",
    "kind": "building_material",
}


def _uploads(api: Api) -> list[tuple[str, str, dict[str, str]]]:
    """(path, file field, the other required form fields) of every operation with a multipart
    body."""
    spec = api.client.get("/openapi.json").json()
    found = []
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            if "multipart/form-data" not in content:
                continue
            ref = content["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
            fields = spec["components"]["schemas"][ref]["properties"]
            (field,) = [
                n
                for n, f in fields.items()
                if "contentMediaType" in f or f.get("format") == "binary"
            ]
            if path in ANY_FILE:
                continue
            query = [
                p["name"]
                for p in operation.get("parameters", [])
                if p.get("required") and p.get("in") == "query"
            ]
            schema = spec["components"]["schemas"][ref]
            form = {n: FORM[n] for n in schema.get("required", []) if n != field}
            target = path.replace("{enterprise_id}", ENTERPRISE)
            found.append((target + "?" + "&".join(f"{q}={QUERY[q]}" for q in query), field, form))
    return found


def _finished(api: Api, job: dict[str, Any]) -> dict[str, Any]:
    url = f"/api/v1/jobs/{job['job_id']}"
    for _ in range(400):
        state: dict[str, Any] = api.client.get(url, headers=api.headers("admin")).json()
        if state["state"] in ("done", "failed"):
            return state
        time.sleep(0.05)
    raise AssertionError(f"job did not finish: {state}")


def test_every_upload_endpoint_refuses_every_bad_file(api: Api) -> None:
    uploads = _uploads(api)
    assert len(uploads) >= 5
    held = 0
    for (url, field, form), name in itertools.product(uploads, sorted(CONTENTS)):
        sent = api.client.post(
            url,
            headers=api.headers("admin"),
            data=form,
            files={field: (name, CONTENTS[name], "text/csv")},
        )
        if sent.status_code == 202:  # a background job: it fails, with the file's problems
            job = _finished(api, sent.json())
            assert job["state"] == "failed" and name in str(job), (url, job)
        else:
            assert 400 <= sent.status_code < 500, (url, sent.status_code, sent.text)
            assert name in sent.text, (url, sent.text)
        held += 1
    assert held == len(uploads) * len(CONTENTS)
    listed = api.client.get("/api/v1/submissions", headers=api.headers("admin")).json()
    assert listed["total"] == 0


def test_the_dashboard_upload_forms_refuse_every_bad_file(api: Api) -> None:
    api.client.cookies.clear()
    logged = api.client.post(
        "/login",
        data={"username": "admin", "password": PASSWORD, "next": "/"},
        follow_redirects=False,
    )
    assert logged.status_code == 303
    for url, name in itertools.product(
        (
            "/upload",
            "/caps",
            "/pathways/workbook",
            "/diagnosis/inventory",
            "/reference/editions",
            f"/market/enterprises/{ENTERPRISE}/processes",
            "/credits/fleet/footprints",
            "/directory/catalogues",
            "/utilisation/reports",
        ),
        sorted(CONTENTS),
    ):
        sent = api.client.post(url, data=FORM, files={"file": (name, CONTENTS[name], "text/csv")})
        assert sent.status_code < 500, (url, sent.text)
        assert name in sent.text, url
    listed = api.client.get("/api/v1/submissions", headers=api.headers("admin")).json()
    assert listed["total"] == 0


def test_the_gallery_is_what_the_cli_gets_too() -> None:
    from tests.gallery import files

    assert Path(files.__file__).parent.name == "gallery" and len(CONTENTS) >= 12
