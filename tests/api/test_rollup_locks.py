"""The accounts API's cache (`api.accounting._kept`) holds a lock per key only while that key
is computed: a key whose computation fails (an enterprise that does not exist) leaves no lock
behind, so no caller can grow the locks without bound (review 19, finding 6)."""

from __future__ import annotations

from carbonpeak.domain.uscc import make_uscc

from .conftest import ALUMINIUM, Api


def test_failing_and_kept_keys_leave_no_lock(api: Api) -> None:
    state = api.client.app.state  # type: ignore[attr-defined]
    headers = api.headers("admin")
    for n in range(5):
        missing = make_uscc(f"9115020039999990{n}")  # valid codes no enterprise has
        response = api.client.get(f"/api/v1/enterprises/{missing}/accounts", headers=headers)
        assert response.status_code == 404
    assert state.rollup_cache._waiting == {}
    found = api.client.get(f"/api/v1/enterprises/{ALUMINIUM}/accounts", headers=headers)
    assert found.status_code == 200
    assert state.rollup_cache._waiting == {}
    assert len(state.rollup_cache) == 1  # the answer kept, the failures not
