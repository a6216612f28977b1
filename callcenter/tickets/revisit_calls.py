"""Re-visit calls (再回访) between the tickets and the campaign's dialler.

Before each dispatch, every ticket round waiting for its re-visit becomes a dial job of
the month's re-visit campaign (once: the campaign refuses a round twice). When such a job
ends, its last call says whether the applicant is satisfied with the rectification: the
answer to the re-visit script's question ``satisfied`` (1 满意, 2 不满意); a job that never
got that answer (unreached, refused, hung up first) leaves the round unreachable, which
sends the ticket to supervision.
"""

from __future__ import annotations

import logging

from callcenter.calls.records import AttemptView
from callcenter.calls.store import Ledger
from callcenter.campaign.policy import JobResult
from callcenter.campaign.revisits import Revisit, RevisitJobs
from callcenter.tickets.service import TicketService

log = logging.getLogger(__name__)

REVISIT_SCRIPT = "yima_revisit"
QUESTION = "satisfied"
SATISFIED, UNSATISFIED = "1", "2"


def satisfaction(attempt: AttemptView) -> bool | None:
    """What the applicant answered to the re-visit question; None if they did not."""
    for answer in attempt.answers:
        if answer.question_id == QUESTION and answer.keys in (SATISFIED, UNSATISFIED):
            return answer.keys == SATISFIED
    return None


class RevisitCalls:
    def __init__(
        self,
        tickets: TicketService,
        jobs: RevisitJobs,
        calls: Ledger,
        script_id: str = REVISIT_SCRIPT,
    ) -> None:
        self.tickets = tickets
        self.jobs = jobs
        self.calls = calls
        self.script_id = script_id

    def feed(self) -> int:
        """Enqueue the re-visits now due; how many jobs were added."""
        added = 0
        for due in self.tickets.revisits_due():
            revisit = Revisit(due.ticket_id, due.round, due.case_id, self.script_id)
            if self.jobs.enqueue(revisit):
                log.info("ticket %s round %s: re-visit call queued", due.ticket_id, due.round)
                added += 1
        return added

    def done(self, ticket_id: int, round: int, result: JobResult, attempt_id: str) -> bool:
        """Record the round's result on its ticket; False if it was recorded before."""
        satisfied = None
        if result in (JobResult.COMPLETED, JobResult.PARTIAL):
            satisfied = satisfaction(self.calls.attempt(attempt_id))
        return self.tickets.record_revisit(ticket_id, round, attempt_id, satisfied)
