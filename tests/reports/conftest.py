"""The hand-built dataset on a migrated database (SQLite and PostgreSQL, from
``db_url``), and the report service over it on a fixed clock."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from callcenter.kernel.clock import FixedClock
from callcenter.kernel.database import session_factory
from callcenter.reports.drill import DrillDown
from callcenter.reports.service import ReportService
from callcenter.reports.store import ReportStore
from tests.reports.dataset import bj, build


@pytest.fixture
def service(ledger_engine: Engine) -> ReportService:
    sessions = session_factory(ledger_engine)
    build(sessions)
    return ReportService(ReportStore(sessions), FixedClock(bj(12, 3)))


@pytest.fixture
def drill(service: ReportService) -> DrillDown:
    return DrillDown(service.store.sessions)
