"""Service last accessed reports: GenerateServiceLastAccessedDetails and the two reads of a job.

Jobs complete at once and their ids hold the job (stockade.identity.access_jobs), so a report
read from any node, at any time after, is the subject's data as it stands at that read.
"""

from __future__ import annotations

from typing import Any

from stockade.api.authorize import authorize
from stockade.api.context import Call
from stockade.api.registry import Result, operation, paginate
from stockade.identity import access_jobs, last_accessed
from stockade.identity.errors import InvalidInput, NoSuchEntity

# Without MaxItems AWS answers 200 services a page here, not IAM's usual 100: tools that read
# one page (Aardvark, CloudMapper) are reported to get exactly 200 of an administrator's ~400.
SERVICES_PAGE = 200


@operation("iam", "GenerateServiceLastAccessedDetails", writes=False)
def generate(call: Call) -> Result:
    arn = str(call.params["Arn"])
    authorize(call, "iam:GenerateServiceLastAccessedDetails", arn)
    account_id = call.caller.account_id
    kind, subject = last_accessed.job_for_arn(call.tx, account_id, arn)
    granularity = str(call.params.get("Granularity") or "SERVICE_LEVEL")
    created = call.request_time.replace(microsecond=0)
    job = access_jobs.Job(kind, subject, granularity, created)
    job_id = access_jobs.encode(call.services.box, account_id, job)
    if job_id is None:
        raise InvalidInput(f"Stockade cannot report on {arn}: its unique id is not AWS-shaped.")
    return {"JobId": job_id}


def _job(call: Call) -> tuple[access_jobs.Job, last_accessed.Subject]:
    job_id = str(call.params["JobId"])
    job = access_jobs.decode(call.services.box, call.caller.account_id, job_id)
    if job is None:
        raise NoSuchEntity(f"The job with ID {job_id} cannot be found.")
    return job, last_accessed.subject_of(call.tx, call.caller.account_id, job)


def _status(job: access_jobs.Job) -> dict[str, Any]:
    return {
        "JobStatus": "COMPLETED",
        "JobCreationDate": job.created,
        "JobCompletionDate": job.created,
    }


@operation("iam", "GetServiceLastAccessedDetails")
def get_details(call: Call) -> Result:
    authorize(call, "iam:GetServiceLastAccessedDetails", "*")
    job, subject = _job(call)
    services = last_accessed.services_report(call.tx, subject)
    return paginate(
        call,
        services,
        "ServicesLastAccessed",
        page_size=SERVICES_PAGE,
        JobType=job.granularity,
        **_status(job),
    )


@operation("iam", "GetServiceLastAccessedDetailsWithEntities")
def get_details_with_entities(call: Call) -> Result:
    authorize(call, "iam:GetServiceLastAccessedDetailsWithEntities", "*")
    job, subject = _job(call)
    namespace = str(call.params["ServiceNamespace"])
    entities = last_accessed.entities_report(call.tx, subject, namespace)
    return paginate(call, entities, "EntityDetailsList", **_status(job))
