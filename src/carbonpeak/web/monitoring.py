"""An enterprise's metered energy: the quality of its meters, its daily energy and CO2, the
energy performance model and its CUSUM over the reporting period."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from carbonpeak.errors import CarbonpeakError
from carbonpeak.i18n import gettext_of
from carbonpeak.io.lake import default_lake
from carbonpeak.web.charts import cusum_chart, daily_chart
from carbonpeak.web.site import locale_of, missing, render, session, signed_in

router = APIRouter(include_in_schema=False)


@router.get("/enterprises/{enterprise_id}/monitoring", response_model=None)
def monitoring(request: Request, enterprise_id: str) -> Response:
    """Metered energy of the enterprise: meter quality, daily energy, the energy model and its
    CUSUM."""
    # imported here: the energy model pulls in scipy.stats, which would add a third to the
    # time the API (and every test client) takes to start
    from carbonpeak.services.monitoring import monitoring_of

    actor = signed_in(request)
    locale = locale_of(request)
    with session(request) as db:
        try:
            enterprise, view = monitoring_of(
                db, actor, enterprise_id, default_lake(), locale == "en"
            )
        except CarbonpeakError:
            return missing(request, actor)
    _ = gettext_of(locale)
    return render(
        request,
        "monitoring/monitoring.html",
        user=actor,
        enterprise=enterprise,
        view=view,
        daily_chart=daily_chart(view.daily, _),
        cusum_chart=cusum_chart(view.savings, _) if view.savings else None,
    )
