"""Local offers in the worker: a confirmed facilities import runs here (a thin call of the service)."""

from procrastinate.contrib.django import app

from local_offers.imports import services


@app.task(queue="default", pass_context=False)
def facility_import_task(import_id: int) -> None:
    services.facility_import_run(import_id=import_id)


from local_offers.agreements.tasks import agreements_tick_task as agreements_tick_task  # noqa: E402  (discovered here)
from local_offers.vouchers.tasks import vouchers_expire_task as vouchers_expire_task  # noqa: E402  (discovered here)
