"""Fixtures several features' tests share (the web pages, a ledger with an interview,
campaigns on the real Redis), wherever those tests live. pytest takes plugin lists only
from the top-level conftest, hence this file."""

pytest_plugins = ["tests.ledger.fixtures", "tests.campaign.fixtures", "tests.web.fixtures"]
