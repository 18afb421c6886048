"""Fetch the PACT Technical Specifications v3.0.3 schema and examples into `build/pact-spec/`:
`python scripts/pact_spec.py [--git-dir MIRROR] [--out DIR]`.

Source: github.com/wbcsd/data-exchange-protocol at commit COMMIT below, files
`spec/v3/openapi.yaml` (info.version 3.0.3) and `spec/v3/examples/*.json`.

Why not vendored: the repository's LICENSE.md (WBCSD licence) lets a user share a Reproduction
(an exact copy of the Licensed Material as a whole, with the licence) only non-commercially, and
forbids sharing a Modified Version or a part of one; only a "Separate Derivative" (software that
implements the information without including the material) may be shared freely. carbonpeak is
Apache-2.0, so its wheel and repository carry no copy: the code implements the data model, and
this script puts the schema and the examples where the schema check and the conformance tests
find them (`carbonpeak.io.pact.read_pact_schema`, conformance/test_pact_spec.py; `make
pact-conformance` runs both). The sha256 of openapi.yaml is checked against
`carbonpeak.product.pact_schema.SCHEMA_SHA256`. The licence itself (LICENSE.md) comes along: it
belongs with the copy, and the conformance tests check that NOTICE-PACT.md reproduces its
Section 5 exactly.

With `--git-dir` the files are read with `git show` from a local clone or mirror; without it they
are downloaded from raw.githubusercontent.com at the pinned commit.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import urllib.request
from pathlib import Path

COMMIT = "cf4ebedb18d42f3453bcc868e01159321297c09a"
SCHEMA = "spec/v3/openapi.yaml"
SCHEMA_SHA256 = "e5e48ab32d3d87fd634c8a4df27d81256991819196a4cdb1ef0d655bd8fb9d43"
EXAMPLES = [
    "spec/v3/examples/example-1.json",
    "spec/v3/examples/example-2.json",
    "spec/v3/examples/example-3.json",
    "spec/v3/examples/example-4.json",
    "spec/v3/examples/get-footprint-response.json",
    "spec/v3/examples/list-footprints-response.json",
]
LICENSE = "LICENSE.md"
RAW = "https://raw.githubusercontent.com/wbcsd/data-exchange-protocol"


def _read(path: str, git_dir: Path | None) -> bytes:
    if git_dir is not None:
        return subprocess.run(
            ["git", f"--git-dir={git_dir}", "show", f"{COMMIT}:{path}"],
            check=True,
            capture_output=True,
        ).stdout
    with urllib.request.urlopen(f"{RAW}/{COMMIT}/{path}", timeout=60) as response:
        body: bytes = response.read()
        return body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--git-dir", type=Path, default=None)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parents[1] / "build" / "pact-spec"
    )
    args = parser.parse_args()
    schema = _read(SCHEMA, args.git_dir)
    digest = hashlib.sha256(schema).hexdigest()
    if digest != SCHEMA_SHA256:
        print(f"{SCHEMA}: sha256 {digest}, expected {SCHEMA_SHA256}", file=sys.stderr)
        return 1
    (args.out / "examples").mkdir(parents=True, exist_ok=True)
    (args.out / "openapi.yaml").write_bytes(schema)
    lines = [f"source: wbcsd/data-exchange-protocol@{COMMIT}", f"{digest}  openapi.yaml"]
    for path in EXAMPLES:
        body = _read(path, args.git_dir)
        name = Path(path).name
        (args.out / "examples" / name).write_bytes(body)
        lines.append(f"{hashlib.sha256(body).hexdigest()}  examples/{name}")
    body = _read(LICENSE, args.git_dir)
    (args.out / LICENSE).write_bytes(body)
    lines.append(f"{hashlib.sha256(body).hexdigest()}  {LICENSE}")
    (args.out / "SOURCE.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
