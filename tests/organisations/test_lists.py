"""The employer lists of the API and the agent page: one query count whatever the rows, filters, keyset pages."""

from urllib.parse import quote

import pytest
from django.utils import timezone

from marketplace.organisations.models import Employment, EmploymentStatus
from tests.factories.organisations import EmploymentFactory, MemberOrganisationFactory, StaffRoleFactory
from tests.organisations.test_api import client_for


@pytest.fixture
def rows(request, world):
    """`request.param` rows in every list: employers found by "grenoble", employments of the agent,
    requests waiting at Grenoble, desk agents of Grenoble."""
    n = request.param
    for i in range(n):
        MemberOrganisationFactory(
            name=f"Grenoble Service {i:02d}", seat_commune=world.organisation.seat_commune
        )
        EmploymentFactory(
            agent=world.agent, status=EmploymentStatus.ENDED if i % 2 else EmploymentStatus.PENDING
        )
        EmploymentFactory(organisation=world.organisation, status=EmploymentStatus.PENDING)
        StaffRoleFactory(organisation=world.organisation, role="desk")
    return n


# The user (1; the session is read from the cache: marketplace.core.sessions), then per list: the rows (1);
# the per-employer lists also load the employer and check that the actor manages it (2). The page adds
# eligibility, the agent's employments and invitations, and the navigation's role checks and the header's
# unread notifications.
# The last number: rows of the world fixture also in the list (Ville de Grenoble, its correspondent).
LISTS = [
    ("agent", "/api/v1/organisations?q=grenoble&limit=100", 2, 1),
    ("agent", "/api/v1/employments/mine?limit=100", 2, 0),
    ("correspondent", "/api/v1/organisations/{org}/staff?limit=100", 4, 1),
    ("correspondent", "/api/v1/organisations/{org}/employments?limit=100", 4, 0),
    ("agent", "/employeur/?q=grenoble&limit=100", 11, 1),  # the page, with the header's two unread counts
]


@pytest.mark.parametrize("rows", [3, 30], indirect=True)
@pytest.mark.parametrize(("who", "url", "queries", "also"), LISTS)
def test_query_count_does_not_grow_with_the_rows(
    world, rows, who, url, queries, also, django_assert_num_queries
):
    client = client_for(getattr(world, who))
    with django_assert_num_queries(queries):
        response = client.get(url.format(org=world.organisation.pk))
    assert response.status_code == 200
    if response["Content-Type"].startswith("application/json"):
        assert len(response.json()["items"]) == rows + also
    else:
        assert len(response.context["results"].items) == rows + also


class TestFilters:
    @pytest.mark.parametrize("rows", [4], indirect=True)
    def test_my_employments_by_status(self, world, rows):
        client = client_for(world.agent)
        body = client.get("/api/v1/employments/mine?status=ended").json()
        assert [e["status"] for e in body["items"]] == ["ended", "ended"]
        bad = client.get("/api/v1/employments/mine?status=fired")
        assert bad.status_code == 422
        assert [e["field"] for e in bad.json()["detail"]["errors"]] == ["status"]

    @pytest.mark.parametrize("rows", [2], indirect=True)
    def test_staff_by_role(self, world, rows):
        client = client_for(world.correspondent)
        url = f"/api/v1/organisations/{world.organisation.pk}/staff"
        assert [r["role"] for r in client.get(f"{url}?role=desk").json()["items"]] == ["desk", "desk"]
        assert [r["user_name"] for r in client.get(f"{url}?role=correspondent").json()["items"]] == [
            str(world.correspondent)
        ]
        assert client.get(f"{url}?status=revoked").status_code == 422  # not a filter of this list


class TestKeysetOnDates:
    @pytest.mark.parametrize("rows", [7], indirect=True)
    def test_employments_with_equal_dates_are_all_seen_once(self, world, rows):
        # Equal request times: the id breaks the tie, so no row is skipped or repeated at a page boundary.
        Employment.objects.filter(agent=world.agent).update(requested_at=timezone.now())
        client = client_for(world.agent)
        for sort, expected in (
            ("-requested_at", list(Employment.objects.filter(agent=world.agent).order_by("-id"))),
            ("requested_at", list(Employment.objects.filter(agent=world.agent).order_by("id"))),
        ):
            ids, cursor = [], ""
            while cursor is not None:
                body = client.get(
                    f"/api/v1/employments/mine?sort={sort}&limit=2&cursor={quote(cursor)}"
                ).json()
                ids += [e["id"] for e in body["items"]]
                cursor = body["next"]
                assert len(ids) <= 2 * rows, "the cursor does not move forward"
            assert ids == [e.id for e in expected]

    @pytest.mark.parametrize("rows", [5], indirect=True)
    def test_requests_to_decide_oldest_first_in_pages(self, world, rows):
        client = client_for(world.correspondent)
        url = f"/api/v1/organisations/{world.organisation.pk}/employments?limit=3"
        first = client.get(url).json()
        second = client.get(f"{url}&cursor={quote(first['next'])}").json()
        expected = list(
            Employment.objects.filter(organisation=world.organisation, status="pending")
            .order_by("requested_at", "id")
            .values_list("id", flat=True)
        )
        assert [e["id"] for e in first["items"] + second["items"]] == expected
        assert second["next"] is None
