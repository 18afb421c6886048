"""Floor 3: the dashboard, server-rendered pages on the platform's services.

Jinja2 templates, HTMX for partial updates and Apache ECharts for charts, both vendored from
npm under `static/vendor/` (see `scripts/vendor-js`); Simplified Chinese by default and
English, from the Babel catalogs under `locale/`. Pages call `services` like the API does.
"""
