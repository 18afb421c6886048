"""Cross-site request forgery (issue 15, item 13): a state-changing request that a browser sends
from a page of another site is refused with a 403 page, on every form of the dashboard, the
login form included; the same forms from the platform's own pages work."""

from __future__ import annotations

from fastapi.routing import APIRoute

from carbonpeak.web import PAGES
from tests.api.conftest import PASSWORD, Api

CROSS_SITE = (
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is another origin
    {"Origin": "http://evil.example"},
    {"Origin": "null"},  # a sandboxed frame or a data: page
)
SAME_SITE = ({"Sec-Fetch-Site": "same-origin"}, {"Origin": "http://testserver"}, {})


def _login(api: Api, headers: dict[str, str]) -> int:
    api.client.cookies.clear()
    sent = api.client.post(
        "/login",
        data={"username": "cement", "password": PASSWORD, "next": "/"},
        headers=headers,
        follow_redirects=False,
    )
    if sent.status_code == 403:
        assert 'id="cross-site"' in sent.text and "carbonpeak_session" not in sent.headers.get(
            "set-cookie", ""
        )
    return sent.status_code


def test_a_login_from_another_site_is_refused_and_from_the_platform_works(api: Api) -> None:
    for headers in CROSS_SITE:
        assert _login(api, headers) == 403, headers
    for headers in SAME_SITE:
        assert _login(api, headers) == 303, headers


def test_every_form_of_the_dashboard_refuses_another_site(api: Api) -> None:
    """Every state-changing page route, found in the app, signed in: 403 from another site."""
    assert _login(api, {}) == 303
    routes = [
        route
        for page in PAGES
        for route in page.router.routes
        if isinstance(route, APIRoute) and route.methods & {"POST", "PUT", "PATCH", "DELETE"}
    ]
    assert len(routes) >= 10
    for route in routes:
        path = route.path.replace("{", "").replace("}", "")  # any id: refused before it is read
        for method in sorted(route.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            sent = api.client.request(method, path, headers={"Sec-Fetch-Site": "cross-site"})
            assert sent.status_code == 403 and 'id="cross-site"' in sent.text, (method, path)


def test_an_upload_from_another_site_stores_nothing(api: Api) -> None:
    assert _login(api, {}) == 303
    rows = (
        b"enterprise_id,period,stream,item,amount,unit\n911302007A3K9C2D24,2023,fuel,raw_coal,1,t\n"
    )
    sent = api.client.post(
        "/upload",
        files={"file": ("activity.csv", rows, "text/csv")},
        headers={"Origin": "http://evil.example"},
    )
    assert sent.status_code == 403
    listed = api.client.get("/api/v1/submissions", headers=api.headers("cement")).json()
    assert listed["total"] == 0
    same = api.client.post(
        "/upload",
        files={"file": ("activity.csv", rows, "text/csv")},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert same.status_code == 200, same.text
