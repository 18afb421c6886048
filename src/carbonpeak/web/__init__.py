"""Floor 3: the dashboard, server-rendered pages on the platform's services.

Jinja2 templates, HTMX for partial updates and Apache ECharts for charts, both vendored from
npm under `static/vendor/` (see `scripts/vendor-js`); Simplified Chinese by default and
English, from the Babel catalogs under `locale/`. Pages call `services` like the API does.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy.orm import Session


def mount(app: FastAPI, sessions: Callable[[], AbstractContextManager[Session]]) -> None:
    """Add the dashboard to `app`: its pages, the redirect to the login page, the static
    files."""
    from carbonpeak.web.site import install

    install(app, sessions)
