"""Pages of lists: one limit for every list the API serves.

Lists are cursor-paginated: ``starting_after=<id>`` continues after that id, and
``has_more`` says whether another page follows.
"""

from __future__ import annotations

from axokey.domain.errors import FieldError, ValidationFailed

PAGE_SIZE_MAX = 100
PAGE_SIZE_DEFAULT = 20


def check_page_size(limit: int) -> None:
    """Raise ``ValidationFailed`` unless ``1 <= limit <= PAGE_SIZE_MAX``."""
    if not 1 <= limit <= PAGE_SIZE_MAX:
        raise ValidationFailed(
            f"limit must be from 1 to {PAGE_SIZE_MAX}",
            errors=[FieldError("limit", f"from 1 to {PAGE_SIZE_MAX}")],
        )
