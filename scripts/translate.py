"""Fill the zh_CN catalog from a JSON table of translations (msgid -> msgstr):
`python scripts/translate.py FILE.json` after `make messages`.

The catalog (`src/carbonpeak/locale/zh_CN/LC_MESSAGES/messages.po`) stays the source of
truth; this only saves editing many entries by hand."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOG = Path(__file__).parents[1] / "src/carbonpeak/locale/zh_CN/LC_MESSAGES/messages.po"


def main(table: Path) -> None:
    texts = json.loads(table.read_text(encoding="utf-8"))
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if not key or key not in texts or _translated(message.string):
            continue
        # Chinese has one plural form: the plural entry takes the one text
        message.string = (texts[key],) if isinstance(message.id, tuple) else texts[key]
    with CATALOG.open("wb") as handle:
        write_po(handle, catalog, width=100)
    missing = [str(m.id) for m in catalog if m.id and not _translated(m.string)]
    print(f"{len(missing)} untranslated: {missing}" if missing else "all translated")


def _translated(text: object) -> bool:
    return any(text) if isinstance(text, tuple | list) else bool(text)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
