"""What the helpdesk says, in the reader's language: one gettext catalog per language
(``i18n/locale/<lang>/LC_MESSAGES/messages.po``, Chinese the default, English second) and the
formatting of dates, times, lists, counts and amounts for that language, through Babel.

    say("en", "ticket_opened", number=1042, ...)   the text for a key, filled in
    plural("en", "hours", 1)                        "1 hour"
    clock_time("zh", at, zone, now)                 "11月23日 10:00" (or "10:00" the same day)
    format_list("en", ["Chen", "Liu"])              "Chen and Liu"

An unknown language reads Chinese. Handlers pass a person's ``language``; nothing here branches
on the language except by looking it up.
"""

from i18n.catalog import DEFAULT_LANGUAGE, LANGUAGES, language, plural, say
from i18n.formatting import clock_time, day, format_list, weekday_time, yuan
from i18n.names import move_name, promise, severity_name, status_name, step_name

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "clock_time",
    "day",
    "format_list",
    "language",
    "move_name",
    "plural",
    "promise",
    "say",
    "severity_name",
    "status_name",
    "step_name",
    "weekday_time",
    "yuan",
]
