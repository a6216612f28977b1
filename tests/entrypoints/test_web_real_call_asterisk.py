"""A real call on the sandbox, then its page: the recordings the controller sealed are
shown as intact and streamed byte for byte (marked ``asterisk``)."""

from __future__ import annotations

import wave
from datetime import date
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from callcenter import bootstrap
from callcenter.access.accounts import Accounts
from callcenter.calls.integrity import RecordingStatus
from callcenter.entrypoints.web import create_app
from callcenter.interview.outcome import Outcome
from callcenter.kernel.database import make_engine, session_factory
from callcenter.ledger.store import LedgerReader
from callcenter.settings import Settings
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.sandbox import simulator
from tests.sandbox_fixtures import TEST_STORAGE, e2e_settings
from tests.web.fixtures import USERS, login

pytestmark = pytest.mark.asterisk

# Unhappy with the environment and says why, then has a suggestion and says it.
LOW_SCORE = "answer/b1/b3/t/k#/b1/b1/b1/b1/b2/b1/t/k#/h"
PHONE = "13900000901"


async def test_a_real_call_on_its_page(
    sandbox: Settings, tmp_path: Path, password_hashes: dict[str, str]
) -> None:
    settings = e2e_settings(database_url=f"sqlite:///{tmp_path / 'ledger.db'}")
    with bootstrap.open_ledger(settings) as ledger:
        ledger.upsert_unit("城区市场监管所", "station")
        case_id = ledger.add_case(
            "WEB-E2E-1", "城区市场监管所", "王伟", PHONE, "个体工商户设立登记", date(2026, 10, 9)
        )
        async with AriClient(settings.ari) as ari:
            await simulator.program(ari, PHONE, LOW_SCORE)
        async with bootstrap.controller(settings, ledger) as ctl:
            result = await ctl.call(ledger.case_info(case_id))
    assert result.outcome is Outcome.COMPLETE

    engine = make_engine(settings.database_url)
    try:
        sessions = session_factory(engine)
        Accounts(sessions).add_user(USERS["auditor"][0], "auditor", password_hashes["auditor"])
        call = LedgerReader(sessions).call(result.attempt_id)
        assert call.call_recording is not None
        whole = call.call_recording
        assert [r.question_id for r in call.answer_recordings] == ["q1_reason", "q7_detail"]

        async with TestClient(TestServer(create_app(settings, engine=engine))) as client:
            await login(client, "auditor")
            html = await (await client.get(f"/calls/{result.attempt_id}")).text()
            assert html.count(RecordingStatus.INTACT.label) == 3
            assert "录音文件已被改动" not in html and "录音文件缺失" not in html
            assert "139****0901" in html and PHONE not in html
            for rec in (whole, *call.answer_recordings):
                assert f'src="/recordings/{rec.id}"' in html

            response = await client.get(f"/recordings/{whole.id}")
            assert response.status == 200
            body = await response.read()
            path = TEST_STORAGE / whole.path
            assert body == path.read_bytes()
            assert response.headers["X-Recording-SHA256"] == whole.sha256
            with wave.open(str(path), "rb") as w:
                assert (w.getframerate(), w.getnchannels()) == (8000, 1)
                seconds = w.getnframes() / w.getframerate()
            assert whole.duration_seconds == pytest.approx(seconds, abs=0.01)
            seek = await client.get(f"/recordings/{whole.id}", headers={"Range": "bytes=8000-"})
            assert seek.status == 206 and await seek.read() == body[8000:]
    finally:
        engine.dispose()
