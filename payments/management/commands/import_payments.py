"""``python manage.py import_payments FILE``: the same import as the web page, from a shell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from accounts.policy import SYSTEM
from payments.importing import ImportResult, format_report, payments_import
from payments.importing.readers import AUTO, READERS


class Command(BaseCommand):
    help = "Import incoming payments from a CSV, XLSX, 1C or camt.053 file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", default=AUTO, choices=[AUTO, *READERS])
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; save nothing."
        )
        parser.add_argument(
            "--user", help="Username recorded as the importer (default: the system)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("%(path)s is not a file.") % {"path": path})
        user = self._user(options["user"])
        with path.open("rb") as stream:
            result = payments_import(
                file_name=path.name,
                data=stream,
                fmt=options["format"],
                user=user,
                dry_run=options["dry_run"],
            )
        self.stdout.write(_summary(result))
        if not result.accepted:
            self.stderr.write(format_report(result))
            raise CommandError(
                _("%(file)s was rejected: nothing was imported.") % {"file": path.name}
            )

    def _user(self, username: str | None) -> Any:
        if not username:
            return SYSTEM
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(_("No user %(name)s.") % {"name": username}) from None


def _summary(result: ImportResult) -> str:
    if result.dry_run:
        heading = _("Dry run of %(file)s (%(format)s): nothing was saved.")
    elif result.accepted:
        heading = _("Imported %(file)s (%(format)s).")
    else:
        heading = _("Rejected %(file)s (%(format)s).")
    counts = _(
        "new: %(new)d (%(new_amount)s), duplicates: %(duplicate)d, "
        "unmatched: %(unmatched)d (%(unmatched_amount)s), rejected: %(rejected)d"
    )
    lines = [
        heading % {"file": result.file_name, "format": result.format or "?"},
        counts
        % {
            "new": result.new,
            "new_amount": result.new_amount,
            "duplicate": result.duplicate,
            "unmatched": result.unmatched,
            "unmatched_amount": result.unmatched_amount,
            "rejected": result.rejected,
        },
    ]
    if result.near_match_count:
        lines.append(
            _("possible repeats (same payer, day and amount, another number): %(count)d")
            % {"count": result.near_match_count}
        )
        lines.extend(
            _("  row %(line)d: %(number)s resembles %(existing)s")
            % {
                "line": near.line,
                "number": near.number or "—",
                "existing": near.existing_number or "—",
            }
            for near in result.near_matches
        )
    return "\n".join(lines)
