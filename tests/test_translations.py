"""English is complete: every French text of the code has its translation, none guessed, the .mo up to date.

makemessages marks a new text's nearest old translation as `fuzzy` (« Appartement » got "Département");
gettext then ignores it and the English page shows French, so a fuzzy or empty entry fails here.
"""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"


def entries() -> list[str]:
    return [block for block in PO.read_text().split("\n\n") if "msgid" in block]


def test_no_guessed_translation():
    fuzzy = [block.split("msgid", 1)[1][:80] for block in entries()[1:] if "#, fuzzy" in block]
    assert not fuzzy, fuzzy


def test_no_missing_translation():
    missing = []
    for block in entries()[1:]:
        if block.lstrip().startswith("#~"):
            continue
        singular = re.search(r'^msgstr "(.*)"\n?(?!")', block, re.M)
        if singular is not None and singular.group(1) == "" and not re.search(r'^msgstr ""\n"', block, re.M):
            missing.append(block.split("msgid", 1)[1][:80])
        if re.search(r'^msgstr\[\d\] ""$(?!\n")', block, re.M):
            missing.append(block.split("msgid", 1)[1][:80])
    assert not missing, missing


def test_compiled_catalogue_is_up_to_date(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(compiled), str(PO)], check=True)
    assert compiled.read_bytes() == PO.with_suffix(".mo").read_bytes()
