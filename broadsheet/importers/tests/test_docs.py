"""Every importer command and option is in docs/importing.md."""

from __future__ import annotations

from pathlib import Path

from django.core.management import load_command_class

ROOT = Path(__file__).resolve().parents[3]
COMMANDS = sorted(
    path.stem
    for path in (ROOT / "broadsheet" / "importers" / "management" / "commands").glob("*.py")
    if not path.name.startswith("_")
)


def test_every_command_and_option_is_documented() -> None:
    docs = (ROOT / "docs" / "importing.md").read_text()
    assert COMMANDS
    for name in COMMANDS:
        assert f"manage.py {name} " in docs, name
        parser = load_command_class("broadsheet.importers", name).create_parser("manage.py", name)
        for action in parser._actions:
            for option in action.option_strings:
                if option.startswith("--") and option not in (
                    "--help",
                    "--version",
                    "--verbosity",
                    "--settings",
                    "--pythonpath",
                    "--traceback",
                    "--no-color",
                    "--force-color",
                    "--skip-checks",
                ):
                    assert option in docs, f"{name} {option}"
