"""Long work off the request path: jobs.

A view asks for a job (`services.enqueue`), commits, and sends the user to
the job's page (/jobs/<id>), which shows its progress and, once done, the
result for its owner to download. The job's state (status, progress, result,
error) is a row of `job`, so any application server can show it.

Where a job runs is configuration (`ATELIER_JOB_RUNNER`):

- `thread` (the default, and `make run`'s): a worker thread of each app
  process takes the queued jobs from the database, one at a time;
- `rq` (the default when `ATELIER_REDIS_URL` is set): RQ's queue on Redis,
  served by `flask jobs worker` processes;
- `inline` (the tests): the job runs at once, in the request that asked.

Every runner claims a job with one atomic UPDATE, so a job runs once even
when several servers or workers see it. An area registers what its jobs do
with `@services.job("kind")`; this package knows nothing of them.
"""
