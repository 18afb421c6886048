"""API keys (issue 15, item 14): named, with an expiry and a last use; their owners list and
revoke them by id (an admin anyone's), at the API and at the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from carbonpeak.store.db import transaction
from carbonpeak.store.models import Token
from tests.api.conftest import Api

Cli = Callable[..., tuple[int, str, str]]


def _issue(api: Api, who: str, name: str, days: int | None = None) -> dict[str, object]:
    body: dict[str, object] = {"name": name} | ({"days": days} if days else {})
    made = api.client.post("/api/v1/auth/api-keys", json=body, headers=api.headers(who))
    assert made.status_code == 201, made.text
    return made.json()  # type: ignore[no-any-return]


def _when(text: object) -> datetime:
    moment = datetime.fromisoformat(str(text))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _with(key: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_key_has_a_name_an_expiry_and_a_last_use(api: Api) -> None:
    made = _issue(api, "cement", "meter collector", days=30)
    expires = _when(made["expires_at"]) - datetime.now(UTC)
    assert timedelta(days=29, hours=23) < expires <= timedelta(days=30)
    listed = api.client.get("/api/v1/auth/api-keys", headers=api.headers("cement")).json()
    (key,) = listed["items"]
    assert key["name"] == "meter collector" and key["last_used_at"] is None
    assert "api_key" not in key and made["api_key"] not in json.dumps(listed)
    assert api.client.get("/api/v1/enterprises", headers=_with(made["api_key"])).status_code == 200
    used = api.client.get("/api/v1/auth/api-keys", headers=api.headers("cement")).json()
    first_use = used["items"][0]["last_used_at"]
    assert first_use is not None


def test_a_key_lasts_the_configured_days(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARBONPEAK_API_KEY_DAYS", "7")
    made = _issue(api, "cement", "short")
    assert _when(made["expires_at"]) - datetime.now(UTC) <= timedelta(days=7)


def test_an_expired_key_is_refused(api: Api) -> None:
    made = _issue(api, "cement", "old")
    with transaction(api.engine) as session:
        session.execute(
            update(Token)
            .where(Token.token_id == made["key_id"])
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    refused = api.client.get("/api/v1/enterprises", headers=_with(made["api_key"]))
    assert refused.status_code == 401


def test_owners_list_and_revoke_their_own_and_admins_anyones(api: Api) -> None:
    mine = _issue(api, "cement", "mine")
    theirs = _issue(api, "group", "theirs")
    seen = api.client.get("/api/v1/auth/api-keys", headers=api.headers("cement")).json()
    assert [k["name"] for k in seen["items"]] == ["mine"]
    everyone = api.client.get("/api/v1/auth/api-keys", headers=api.headers("admin")).json()
    assert {k["name"] for k in everyone["items"]} == {"mine", "theirs"}
    one = api.client.get("/api/v1/auth/api-keys?username=group", headers=api.headers("admin"))
    assert [k["name"] for k in one.json()["items"]] == ["theirs"]
    # another user's key is answered exactly like a missing one
    other = api.client.delete(
        f"/api/v1/auth/api-keys/{theirs['key_id']}", headers=api.headers("cement")
    )
    missing = api.client.delete("/api/v1/auth/api-keys/999999", headers=api.headers("cement"))
    assert other.status_code == missing.status_code == 404
    assert other.json()["detail"].replace(str(theirs["key_id"]), "N") == missing.json()[
        "detail"
    ].replace("999999", "N")
    assert (
        api.client.get("/api/v1/enterprises", headers=_with(theirs["api_key"])).status_code == 200
    )
    gone = api.client.delete(
        f"/api/v1/auth/api-keys/{mine['key_id']}", headers=api.headers("cement")
    )
    assert gone.status_code == 200 and gone.json()["revoked_at"] is not None
    assert api.client.get("/api/v1/enterprises", headers=_with(mine["api_key"])).status_code == 401
    by_admin = api.client.delete(
        f"/api/v1/auth/api-keys/{theirs['key_id']}", headers=api.headers("admin")
    )
    assert by_admin.status_code == 200
    assert (
        api.client.get("/api/v1/enterprises", headers=_with(theirs["api_key"])).status_code == 401
    )


def test_the_operator_lists_and_revokes_keys_at_the_command_line(
    api: Api, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", str(api.engine.url.render_as_string(False)))
    made = _issue(api, "cement", "collector")
    code, out, _err = cli("users", "keys", "--json")
    assert code == 0
    (key,) = json.loads(out)["items"]
    assert (key["username"], key["name"], key["revoked_at"]) == ("cement", "collector", None)
    code, out, _err = cli("users", "revoke-key", str(made["key_id"]), "--json")
    assert code == 0 and json.loads(out)["revoked_at"] is not None
    assert api.client.get("/api/v1/enterprises", headers=_with(made["api_key"])).status_code == 401
    code, out, err = cli("users", "revoke-key", "424242")
    assert code == 2 and "no API key 424242" in out + err


def test_a_key_never_looks_like_a_command_line_option(api: Api) -> None:
    """A key is pasted into command lines (`collector.py --key …`, curl); a bare urlsafe token
    starts with "-" one time in 64 and is then read as an option (a CI run failed on it)."""
    keys = [str(_issue(api, "cement", f"k{n}")["api_key"]) for n in range(20)]
    assert all(key.startswith("cp_") and len(key) > 40 for key in keys)
    assert len(set(keys)) == len(keys)
