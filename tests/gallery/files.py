"""The gallery of bad files (issue 15, items 5 and 8): every way a file given to carbonpeak can be
wrong before its content is even read — empty, binary, another encoding, not the format its name
says, damaged, a folder, a header and nothing else, a column named twice. Each command and each
upload endpoint gets every one of them and must answer with a problem naming the file (exit 2,
HTTP 4xx), never a traceback, an exit 70 or a 500."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import Workbook


def _workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["enterprise_id", "period", "amount"])
    sheet.append(["911302007A3K9C2D24", "2023", 1])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _zip_of_text() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "a zip, but no workbook")
    return out.getvalue()


GBK = "企业,期间,数量\n唐山钢铁,2023,100\n".encode("gbk")
CONTENTS: dict[str, bytes] = {
    "empty.csv": b"",
    "binary.csv": bytes(range(256)) * 8,
    "gbk.csv": GBK,
    "gbk.yaml": "名称: 唐山\n产能: 100\n".encode("gbk"),
    "binary.yaml": b"\x00\x01\x02\xff\xfe" * 50,
    "not-a-zip.xlsx": b"enterprise_id,period\n911302007A3K9C2D24,2023\n",
    "truncated.xlsx": _workbook()[:700],
    "zip-of-text.xlsx": _zip_of_text(),
    "header-only.csv": b"enterprise_id,period,stream,item,amount,unit\n",
    "twice.csv": b"enterprise_id,period,amount,amount\n911302007A3K9C2D24,2023,1,2\n",
    "broken.yaml": b"key: [unclosed\n  - item: {\n",
    "list.yaml": b"- just\n- a list\n",
}
FOLDERS = ("folder.csv", "folder.yaml")


def gallery(directory: Path) -> list[Path]:
    """Write the gallery into `directory`: its files and its folders (named like files)."""
    paths = []
    for name, content in CONTENTS.items():
        path = directory / name
        path.write_bytes(content)
        paths.append(path)
    for name in FOLDERS:
        (directory / name).mkdir()
        paths.append(directory / name)
    return paths
