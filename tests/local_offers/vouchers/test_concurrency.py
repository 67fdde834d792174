"""Two agents ask at the same instant for the last voucher of an agreement: exactly one gets it, the other a
clear 409. The agreement's row lock serialises the two quota counts (a count in Python alone would let both
see one unit left)."""

import threading
import time

from django.db import connection, transaction

from local_offers.models import Agreement
from local_offers.vouchers.models import Voucher
from tests.hostile.conftest import logged
from tests.local_offers.vouchers.conftest import another_agent
from tests.transactional import KEEP_TERRITORIES

pytestmark = KEEP_TERRITORIES


def _race(offer, agents, *, hold_lock: bool) -> tuple[list[int], list[dict]]:
    barrier = threading.Barrier(len(agents) + (1 if hold_lock else 0))
    statuses: list[int] = []
    bodies: list[dict] = []
    today = offer.agreement.validity.lower.isoformat()
    body = {
        "agreement_id": offer.agreement.pk,
        "facility_id": offer.facility.pk,
        "first_day": today,
        "last_day": today,
        "party_size": 1,
    }

    def ask(agent) -> None:
        try:
            client = logged(agent)
            barrier.wait(timeout=10)
            response = client.post("/api/v1/vouchers", body, content_type="application/json")
            statuses.append(response.status_code)
            bodies.append(response.json())
        finally:
            connection.close()

    def hold() -> None:
        # Holds the agreement's row while both requests start, so that both are waiting on it at once.
        try:
            with transaction.atomic():
                Agreement.objects.select_for_update().get(pk=offer.agreement.pk)
                barrier.wait(timeout=10)
                time.sleep(0.5)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(agent,)) for agent in agents]
    if hold_lock:
        threads.append(threading.Thread(target=hold))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(statuses), bodies


def test_two_requests_for_the_last_unit_exactly_one_wins(offer):
    offer.request(agent=another_agent())
    offer.request(agent=another_agent())  # 2 of 3: one unit left
    statuses, bodies = _race(offer, [another_agent(), another_agent()], hold_lock=False)
    assert statuses == [201, 409], bodies
    assert next(b for b in bodies if "code" in b and b["code"] == "voucher_quota_reached")
    assert Voucher.objects.filter(agreement=offer.agreement).count() == 3


def test_both_waiting_on_the_lock_still_exactly_one_wins(offer):
    offer.request(agent=another_agent())
    offer.request(agent=another_agent())
    statuses, bodies = _race(offer, [another_agent(), another_agent()], hold_lock=True)
    assert statuses == [201, 409], bodies
    assert Voucher.objects.filter(agreement=offer.agreement).count() == 3
