#!/usr/bin/env python3
"""A reference meter-reading collector for carbonpeak: Python's standard library only.

It tails a CSV file that a meter system appends to (header `meter_id,ts,value`, then one
reading a line), and posts each run of new complete lines to the platform as a batch of JSON
lines, with an API key narrowed to the enterprise (`POST /api/v1/auth/api-keys` with
`enterprise_id`).

- The batch id is the file's byte range (`<prefix>:<start>-<end>`). The range is written to
  the state file before the batch is sent, so a collector restarted after a crash sends that
  very range again, with the same id and readings, and the platform stores it once
  (`"duplicate": true`).
- Network errors, 429 and 5xx are retried with exponential back-off and full jitter (waiting
  at least what a `Retry-After` asks); any other 4xx is not: the collector prints the
  platform's problems (each with its line and field) and stops, its offset unchanged, for
  someone to fix the file.
- The offset of the first line not yet stored is kept in the state file too, written
  atomically after each stored batch, so a restarted collector goes on where it stopped.

Run:
    CARBONPEAK_API_KEY=... python examples/collector.py readings.csv \\
        --url http://127.0.0.1:8000 --state collector.state [--once]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HEADER = ["meter_id", "ts", "value"]
RETRIED = {429, 500, 502, 503, 504}


class Refused(Exception):
    """The platform refused a batch (a 4xx other than 429): retrying cannot help."""


def read_state(path: Path) -> tuple[int, list[int] | None]:
    """The offset of the first byte not yet stored (0 for a new file) and the byte range of a
    batch that was being sent, if any."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return 0, None
    return int(state["offset"]), state.get("sending")


def write_state(path: Path, offset: int, sending: list[int] | None = None) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump({"offset": offset, "sending": sending}, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def range_lines(path: Path, start: int, end: int) -> list[bytes]:
    """The data lines of a byte range sent before."""
    with path.open("rb") as handle:
        handle.seek(start)
        return [line for line in handle.read(end - start).splitlines(True) if line.strip()]


def new_lines(path: Path, offset: int, most: int) -> tuple[list[bytes], int, int]:
    """Up to `most` complete data lines from `offset` (past the header): (lines, start, end)."""
    with path.open("rb") as handle:
        if offset == 0:
            header = handle.readline()
            if not header.endswith(b"\n"):
                return [], 0, 0  # the header is not written whole yet
            names = [n.strip() for n in header.decode("utf-8-sig").strip().split(",")]
            if names != HEADER:
                raise Refused(f"{path}: the header must be {','.join(HEADER)}, not {names}")
            offset = handle.tell()
        handle.seek(offset)
        lines, end = [], offset
        while len(lines) < most:
            line = handle.readline()
            if not line.endswith(b"\n"):  # none, or one still being written
                break
            end += len(line)
            if line.strip():
                lines.append(line)
        return lines, offset, end


def as_json_lines(lines: list[bytes]) -> bytes:
    """CSV lines as JSON lines; a value that is not a number is sent as its text (the platform
    places the problem), an empty one as null."""
    out = []
    for line in lines:
        meter, ts, value = [*line.decode("utf-8").rstrip("\r\n").split(",", 2), "", ""][:3]
        number: object
        try:
            number = float(value) if value.strip() else None
        except ValueError:
            number = value
        out.append(json.dumps({"meter_id": meter, "ts": ts, "value": number}))
    return ("\n".join(out) + "\n").encode()


def post(url: str, key: str, batch_id: str, body: bytes, attempts: int, base: float) -> dict:
    """POST a batch, retrying what may succeed later; the platform's answer as JSON."""
    for attempt in range(attempts):
        wait = None
        request = urllib.request.Request(
            f"{url.rstrip('/')}/api/v1/monitoring/readings",
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {key}",
                "Content-Type": "application/x-ndjson",
                "Idempotency-Key": batch_id,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            with error:
                text = error.read().decode("utf-8", "replace")
            if error.code not in RETRIED:
                raise Refused(f"batch {batch_id}: {error.code} {text}") from None
            after = error.headers.get("Retry-After", "")
            wait = float(after) if after.isdigit() else None
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass  # the platform is not reachable now: try again
        # exponential back-off with full jitter (at least what Retry-After asked)
        pause = random.uniform(0, base * 2**attempt)
        time.sleep(max(pause, wait or 0.0))
    raise ConnectionError(f"batch {batch_id}: no answer after {attempts} attempts")


def run(args: argparse.Namespace) -> int:
    key = args.key or os.environ.get("CARBONPEAK_API_KEY", "")
    if not key:
        print("give the API key: --key or CARBONPEAK_API_KEY", file=sys.stderr)
        return 2
    source, state = Path(args.file), Path(args.state)
    prefix = re.sub(r"[^A-Za-z0-9._-]", "-", args.prefix or source.stem)[:30]
    while True:
        offset, sending = read_state(state)
        if sending:  # a batch whose answer never came: the same range, the same id
            start, end = sending
            lines = range_lines(source, start, end)
        elif source.exists():
            lines, start, end = new_lines(source, offset, args.batch)
            if lines:
                write_state(state, offset, [start, end])
        else:
            lines, start, end = [], 0, 0
        if lines:
            try:
                answer = post(
                    args.url, key, f"{prefix}:{start}-{end}", as_json_lines(lines),
                    args.attempts, args.backoff,
                )  # fmt: skip
            except Refused as refused:
                print(refused, file=sys.stderr)
                return 2
            write_state(state, end)
            print(json.dumps(answer), flush=True)
            continue
        if end > start:  # only blank lines: step past them
            write_state(state, end)
        if args.once:
            return 0
        time.sleep(args.interval)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="the CSV file to tail (meter_id,ts,value)")
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the platform")
    parser.add_argument("--key", help="the API key (default: $CARBONPEAK_API_KEY)")
    parser.add_argument("--state", required=True, help="the file that keeps the offset")
    parser.add_argument("--prefix", help="the batch ids' prefix (default: the file's name)")
    parser.add_argument("--batch", type=int, default=1000, help="readings per batch at most")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between looks")
    parser.add_argument("--attempts", type=int, default=10, help="tries of a batch")
    parser.add_argument("--backoff", type=float, default=0.5, help="first back-off, seconds")
    parser.add_argument("--once", action="store_true", help="send what is there, then stop")
    try:
        return run(parser.parse_args(argv))
    except Refused as refused:
        print(refused, file=sys.stderr)
        return 2
    except ConnectionError as error:
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
