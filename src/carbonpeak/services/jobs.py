"""Background jobs: a long computation runs in a worker thread of the server; its state and
outcome are rows of the store, so any worker process can answer for them.

A job is visible to the user who started it (and to admins), as a 404 to anyone else. Jobs
left `queued` or `running` by a server that stopped are marked failed when the next one starts.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, NotFoundError
from carbonpeak.services.access import Actor
from carbonpeak.store.db import transaction
from carbonpeak.store.models import Job


def create(session: Session, actor: Actor, kind: str) -> int:
    job = Job(kind=kind, state="queued", created_by=actor.user_id)
    session.add(job)
    session.flush()
    return job.job_id


def get(session: Session, actor: Actor, job_id: int) -> dict[str, Any]:
    job = session.get(Job, job_id)
    if job is None or (actor.role != "admin" and job.created_by != actor.user_id):
        raise NotFoundError(f"no job {job_id}")
    return {
        "job_id": job.job_id,
        "kind": job.kind,
        "state": job.state,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "outcome": job.outcome,
    }


def recover(engine: Engine) -> int:
    """Mark jobs a stopped server left unfinished as failed; return how many."""
    with transaction(engine) as session:
        result = session.execute(
            update(Job)
            .where(Job.state.in_(("queued", "running")))
            .values(
                state="failed",
                finished_at=datetime.now(UTC),
                outcome={"error": "interrupted: the server stopped before the job ended"},
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)


class Runner:
    """Runs jobs in a small thread pool; each job has its own transaction."""

    def __init__(self, engine: Engine, workers: int = 2):
        self.engine = engine
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="carbonpeak-job")

    def start(self, actor: Actor, kind: str, work: Callable[[Session], dict[str, Any]]) -> int:
        """A new job of `actor` running `work`; its row is committed before the pool looks
        for it."""
        with transaction(self.engine) as session:
            job_id = create(session, actor, kind)
        self.submit(job_id, work)
        return job_id

    def submit(self, job_id: int, work: Callable[[Session], dict[str, Any]]) -> None:
        self.pool.submit(self._run, job_id, work)

    def _run(self, job_id: int, work: Callable[[Session], dict[str, Any]]) -> None:
        self._set(job_id, "running", None)
        try:
            with transaction(self.engine) as session:
                outcome = work(session)
        except InputError as exc:
            problems = [p.as_dict() for p in exc.problems]
            self._set(job_id, "failed", {"problems": problems})
        except Exception as exc:  # recorded, not lost: the job says what went wrong
            self._set(job_id, "failed", {"error": f"{type(exc).__name__}: {exc}"})
        else:
            self._set(job_id, "done", outcome)

    def _set(self, job_id: int, state: str, outcome: dict[str, Any] | None) -> None:
        with transaction(self.engine) as session:
            job = session.get(Job, job_id)
            assert job is not None
            job.state = state
            if state in ("done", "failed"):
                job.finished_at = datetime.now(UTC)
                job.outcome = outcome

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True)
