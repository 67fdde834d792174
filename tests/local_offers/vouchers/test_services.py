"""Voucher services: issue (eligibility, audience, facility, window, party), quotas per agent and in total
(a cancelled voucher gives its unit back), validation once (a second is refused with the first's time),
offline uploads (a double validation flagged, not lost), expiry with time frozen, erasure."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from geo.models import Departement, Region
from local_offers.exceptions import (
    VoucherAlreadyUsed,
    VoucherNotEligible,
    VoucherNotFound,
    VoucherOfferNotFound,
    VoucherOutsideWindow,
    VoucherQuotaReached,
    VoucherWrongState,
)
from local_offers.vouchers import services
from local_offers.vouchers.models import (
    CODE_ALPHABET,
    ValidationChannel,
    Voucher,
    VoucherStatus,
    VoucherValidation,
)
from marketplace.accounts.services import user_delete
from marketplace.audit.models import AuditEvent
from marketplace.errors import InvalidField
from tests.accounts.test_rgpd import tables_containing
from tests.factories.accounts import PASSWORD, UserFactory
from tests.helpers import assert_nothing_written
from tests.local_offers.vouchers.conftest import another_agent

pytestmark = pytest.mark.django_db


def test_an_eligible_agent_gets_a_voucher(offer):
    voucher = offer.request()
    assert voucher.status == VoucherStatus.ISSUED
    assert len(voucher.code) == 8
    assert set(voucher.code) <= set(CODE_ALPHABET)
    assert not set(voucher.code) & set("01OIL")
    assert voucher.employer == offer.cast.chambery
    assert voucher.year == timezone.localdate().year
    assert voucher.last_day - voucher.first_day == dt.timedelta(days=6)
    assert AuditEvent.objects.filter(transition="issue", object_id=str(voucher.pk)).exists()


def test_codes_are_unique(offer):
    codes = {offer.request(agent=another_agent()).code for _ in range(3)}
    assert len(codes) == 3


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"party_size": 5}, "party_size"),  # the agreement takes 1 to 4
        ({"party_size": 0}, "party_size"),
        ({"first_day": dt.date(2000, 1, 1)}, "first_day"),
        ({"last_day": "2000-01-01"}, "last_day"),
        ({"last_day": "pas une date"}, "last_day"),
        ({"last_day": timezone.localdate() + dt.timedelta(days=40)}, "last_day"),  # 31 days at most
        ({"first_day": timezone.localdate() + dt.timedelta(days=400)}, "first_day"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(offer, fields, field):
    with assert_nothing_written(), pytest.raises(InvalidField) as error:
        offer.request(**fields)
    assert error.value.field == field


def test_a_facility_the_agreement_does_not_cover_is_refused(offer):
    from tests.factories.local_offers import make_facility

    other = make_facility(offer.cast.correspondent, offer.cast.grenoble, name="Piscine", publish=True)
    with assert_nothing_written(), pytest.raises(InvalidField) as error:
        offer.request(facility_id=other.pk)
    assert error.value.field == "facility_id"


def test_only_eligible_agents_get_one(offer):
    with assert_nothing_written(), pytest.raises(VoucherNotEligible):
        offer.request(agent=offer.outsider)


def test_an_agreement_not_in_force_is_a_404(offer, scene):
    draft = scene.draft()
    with assert_nothing_written(), pytest.raises(VoucherOfferNotFound):
        offer.request(agreement_id=draft.pk)
    with assert_nothing_written(), pytest.raises(VoucherOfferNotFound):
        offer.request(agreement_id=999999)


def test_the_audience_is_respected(scene):
    # Open to the agents of Auvergne-Rhône-Alpes only: the Chambéry agent (Savoie) is in, a Breton is not.
    agreement = scene.approved(audience_all=False, audience_regions=["84"])
    breton = UserFactory()
    from geo.models import Commune
    from tests.factories.organisations import EmploymentFactory, MemberOrganisationFactory

    EmploymentFactory(
        agent=breton, organisation=MemberOrganisationFactory(seat_commune=Commune.objects.get(code="35238"))
    )
    today = timezone.localdate()
    data = {
        "agreement_id": agreement.pk,
        "facility_id": scene.facility.pk,
        "first_day": today,
        "last_day": today,
        "party_size": 1,
    }
    assert services.voucher_request(actor=scene.cast.agent, **data).pk
    with assert_nothing_written(), pytest.raises(VoucherOfferNotFound):
        services.voucher_request(actor=breton, **data)
    assert Region.objects.get(code="84").departements.filter(code="73").exists()
    assert Departement.objects.get(code="35").region.code != "84"


def test_quota_per_agent_then_total(offer):
    offer.request()
    offer.request()
    with assert_nothing_written(), pytest.raises(VoucherQuotaReached) as error:
        offer.request()  # 2 per agent per year
    assert error.value.detail["quota"] == "per_agent"
    offer.request(agent=another_agent())  # the third of 3 in total
    fourth = another_agent()
    with assert_nothing_written(), pytest.raises(VoucherQuotaReached) as error:
        offer.request(agent=fourth)
    assert error.value.detail == {"quota": "total", "limit": 3, "year": timezone.localdate().year}


def test_a_cancelled_voucher_gives_its_unit_back(offer):
    first = offer.request()
    offer.request()
    services.voucher_cancel(actor=offer.cast.agent, voucher_id=first.pk)
    assert offer.request().status == VoucherStatus.ISSUED
    with pytest.raises(VoucherNotFound):  # not the holder: as if it did not exist
        services.voucher_cancel(actor=offer.outsider, voucher_id=first.pk)
    with assert_nothing_written(), pytest.raises(VoucherWrongState):
        services.voucher_cancel(actor=offer.cast.agent, voucher_id=first.pk)


def test_the_desk_validates_once_a_second_time_is_refused_with_the_first_time(offer):
    voucher = offer.request()
    desk = services.Venue(user=offer.cast.desk)
    services.voucher_validate(venue=desk, code=voucher.display_code.lower())  # case and dash do not matter
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.USED
    assert (voucher.validated_by, voucher.validated_via) == (offer.cast.desk, ValidationChannel.DESK)
    with assert_nothing_written(), pytest.raises(VoucherAlreadyUsed) as error:
        services.voucher_validate(venue=desk, code=voucher.code)
    assert error.value.detail["validated_at"] == voucher.validated_at.isoformat()
    assert timezone.localtime(voucher.validated_at).strftime("%H:%M") in error.value.message


def test_the_desk_validates_by_signed_token(offer):
    voucher = offer.request()
    token = services.voucher_token(voucher)
    services.voucher_validate(venue=services.Venue(user=offer.cast.desk), token=token)
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.USED


def test_another_venues_desk_cannot_see_or_validate(offer):
    voucher = offer.request()
    with assert_nothing_written(), pytest.raises(VoucherNotFound):
        services.voucher_validate(venue=services.Venue(user=offer.other_desk), code=voucher.code)
    with assert_nothing_written(), pytest.raises(VoucherNotFound):
        services.voucher_validate(venue=services.Venue(user=offer.cast.agent), code=voucher.code)


def test_outside_its_window_a_voucher_is_refused(offer):
    voucher = offer.request(
        first_day=timezone.localdate() + dt.timedelta(days=3),
        last_day=timezone.localdate() + dt.timedelta(days=4),
    )
    with assert_nothing_written(), pytest.raises(VoucherOutsideWindow):
        services.voucher_validate(venue=services.Venue(user=offer.cast.desk), code=voucher.code)


def test_an_offline_double_validation_is_flagged_not_lost(offer):
    voucher = offer.request()
    other = offer.request(agent=another_agent())
    key, _secret = services.venue_api_key_create(
        actor=offer.cast.correspondent, facility_id=offer.facility.pk, name="Borne"
    )
    venue = services.Venue(api_key=key)
    now = timezone.now()
    results = services.voucher_validations_sync(
        venue=venue,
        items=[
            {"code": voucher.code, "validated_at": now - dt.timedelta(minutes=5), "device": "borne B"},
            {
                "token": services.voucher_token(voucher),
                "validated_at": now - dt.timedelta(minutes=30),
                "device": "A",
            },
            {"code": "ZZZZZZZZ", "validated_at": now - dt.timedelta(minutes=1)},
            {"code": other.code, "validated_at": now - dt.timedelta(minutes=2)},
        ],
    )
    assert [r.result for r in results] == ["flagged", "validated", "error", "validated"]
    assert results[2].code == "voucher_not_found"
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.USED
    assert voucher.double_validation
    assert voucher.validated_via == ValidationChannel.OFFLINE_SYNC
    assert voucher.validated_at == now - dt.timedelta(minutes=30)  # the earliest one is the use
    attempts = list(VoucherValidation.objects.filter(voucher=voucher).order_by("validated_at"))
    assert [(a.accepted, a.device) for a in attempts] == [(True, "A"), (False, "borne B")]


def test_an_offline_upload_after_an_online_validation_flags_it(offer):
    voucher = offer.request()
    services.voucher_validate(venue=services.Venue(user=offer.cast.desk), code=voucher.code)
    results = services.voucher_validations_sync(
        venue=services.Venue(user=offer.cast.desk),
        items=[{"code": voucher.code, "validated_at": timezone.now() - dt.timedelta(minutes=1)}],
    )
    assert results[0].result == "flagged"
    assert Voucher.objects.get(pk=voucher.pk).double_validation


def test_a_bad_offline_batch_writes_nothing(offer):
    voucher = offer.request()
    with assert_nothing_written(), pytest.raises(InvalidField) as error:
        services.voucher_validations_sync(
            venue=services.Venue(user=offer.cast.desk),
            items=[
                {"code": voucher.code, "validated_at": timezone.now()},
                {"code": voucher.code, "validated_at": timezone.now() + dt.timedelta(days=1)},
            ],
        )
    assert error.value.field == "batch.1.validated_at"


def test_expiry_marks_past_vouchers_only(offer):
    today = timezone.localdate()
    past = offer.request(first_day=today, last_day=today + dt.timedelta(days=1))
    later = offer.request(first_day=today + dt.timedelta(days=5), last_day=today + dt.timedelta(days=9))
    used = offer.request(agent=another_agent(), first_day=today, last_day=today)
    services.voucher_validate(venue=services.Venue(user=offer.cast.desk), code=used.code)
    assert services.vouchers_expire(today=today) == 0
    with time_machine.travel(timezone.now() + dt.timedelta(days=3), tick=False):
        assert services.vouchers_expire() == 1
    statuses = {v.pk: v.status for v in Voucher.objects.all()}
    assert statuses == {
        past.pk: VoucherStatus.EXPIRED,
        later.pk: VoucherStatus.ISSUED,
        used.pk: VoucherStatus.USED,
    }
    with pytest.raises(VoucherWrongState):  # online, an expired voucher is refused
        services.voucher_validate(venue=services.Venue(user=offer.cast.desk), code=past.code)
    # Offline, it was used within its window; the upload came after the expiry: it stands.
    results = services.voucher_validations_sync(
        venue=services.Venue(user=offer.cast.desk),
        items=[{"code": past.code, "validated_at": timezone.now() - dt.timedelta(minutes=1)}],
    )
    assert results[0].result == "validated"
    assert Voucher.objects.get(pk=past.pk).status == VoucherStatus.USED


def test_the_expiry_task_calls_the_service(offer):
    from local_offers.vouchers.tasks import vouchers_expire_task

    voucher = offer.request(first_day=timezone.localdate(), last_day=timezone.localdate())
    with time_machine.travel(timezone.now() + dt.timedelta(days=2), tick=False):
        vouchers_expire_task(timestamp=0)
    assert Voucher.objects.get(pk=voucher.pk).status == VoucherStatus.EXPIRED


def test_erasure_cancels_unused_vouchers_and_keeps_used_ones_without_the_person(offer):
    agent = offer.cast.agent
    unused = offer.request()
    used = offer.request()
    services.voucher_validate(venue=services.Venue(user=offer.cast.desk), code=used.code)
    from marketplace.accounts.privacy import export_sections

    exported = export_sections(agent)["vouchers"]
    assert {v["code"] for v in exported} == {unused.display_code, used.display_code}
    email = agent.email
    user_delete(actor=agent, password=PASSWORD)
    assert tables_containing(email) == []
    unused.refresh_from_db()
    used.refresh_from_db()
    assert unused.status == VoucherStatus.CANCELLED
    assert unused.agent is None
    assert used.status == VoucherStatus.USED
    assert used.agent is None
    assert used.employer == offer.cast.chambery
