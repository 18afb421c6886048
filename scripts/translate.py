"""Fill the zh_CN catalog from a JSON table of translations (msgid -> msgstr):
`python scripts/translate.py FILE.json` after `make messages`.

The catalog (`src/carbonpeak/web/locale/zh_CN/LC_MESSAGES/messages.po`) stays the source of
truth; this only saves editing many entries by hand."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOG = Path(__file__).parents[1] / "src/carbonpeak/web/locale/zh_CN/LC_MESSAGES/messages.po"


def main(table: Path) -> None:
    texts = json.loads(table.read_text(encoding="utf-8"))
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    for message in catalog:
        if message.id and not message.string and message.id in texts:
            message.string = texts[message.id]
    with CATALOG.open("wb") as handle:
        write_po(handle, catalog, width=100)
    missing = [str(m.id) for m in catalog if m.id and not m.string]
    print(f"{len(missing)} untranslated: {missing}" if missing else "all translated")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
