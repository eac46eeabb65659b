"""Password policy beyond Django's validators (ACC-08; AUTH_PASSWORD_VALIDATORS in settings), and
the plausible range of a date-time typed in."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """At least `min_classes` (default 3) of: lower case, upper case, digits, other characters.

    "Other" is anything that is none of the first three: punctuation, spaces, and also Chinese
    characters (they have no case), so "张三abc123" mixes three classes.
    """

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not (c.islower() or c.isupper() or c.isdigit()) for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                _("The password must mix at least %(count)d of: lower case, upper case, digits, symbols.")
                % {"count": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("Mix at least %(count)d of: lower case, upper case, digits, symbols.") % {"count": self.min_classes}


EARLIEST_DATETIME = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
LATEST_DATETIME = datetime.datetime(3000, 1, 1, tzinfo=datetime.UTC)


def validate_plausible_datetime(value):
    """A date-time between 1970 and 2999. Before 1901 Asia/Shanghai is in local mean time
    (+08:05:43), which no RFC 3339 / OpenAPI client reads back: the API echoed
    "0401-05-28T14:15:46+08:05:43" for a delegation starting in the year 401."""
    if value is not None and not EARLIEST_DATETIME <= value < LATEST_DATETIME:
        raise ValidationError(_("Enter a date between 1970 and 2999."), code="date_out_of_range")
