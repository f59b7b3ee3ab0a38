"""The asset registry and the monthly inspection checklist (巡检表): engineers' chat commands, the
label numbers recognised in reports, the first visit that registers a device, and the month-end
list of what is left. The registry's rows live in ``storage.assets``; the import and export are
``helpdesk assets`` (``bot/cli_assets.py``)."""

from handlers.assets.commands import asset_command, parse_asset_command
from handlers.assets.links import labels_in, link_labels
from handlers.assets.month_end import MONTH_END_TIMER, month_end_due, schedule_month_end

__all__ = [
    "MONTH_END_TIMER",
    "asset_command",
    "labels_in",
    "link_labels",
    "month_end_due",
    "parse_asset_command",
    "schedule_month_end",
]
