"""Arabic with Western Arabic digits (0-9), as CLDR has it for the generic `ar` locale
and browsers' Intl print it: "1,234" and "3.5". Django's own Arabic formats swap the
separators ("1.234") and group nothing, so a count read "1234" on the server and
"1,234" in the same page's live updates (docs/languages.md, "Digits")."""

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
# "4 ديسمبر 2026": day, month name, year, as Arabic newspapers print a date.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y، H:i"
