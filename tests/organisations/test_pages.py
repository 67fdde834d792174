import pytest
from django.test import Client

from marketplace.organisations.models import Organisation, OrganisationStatus
from tests.factories.organisations import siren_with_key
from tests.helpers import assert_nothing_written


def logged(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestRoleSpaces:
    def test_navigation_shows_each_role_its_spaces(self, world):
        agent_nav = logged(world.agent).get("/").content.decode()
        assert "Mon employeur" in agent_nav
        assert "Espace correspondant" not in agent_nav
        assert "Espace chargé de développement" not in agent_nav
        assert "Espace correspondant" in logged(world.correspondent).get("/").content.decode()
        assert "Espace chargé de développement" in logged(world.officer).get("/").content.decode()

    def test_officer_space_is_for_officers(self, world):
        response = logged(world.agent).get("/charge-de-developpement/")
        assert response.status_code == 302
        assert logged(world.officer).get("/charge-de-developpement/").status_code == 200

    def test_correspondent_space_is_for_correspondents(self, world):
        assert logged(world.agent).get("/correspondant/").status_code == 302
        assert logged(world.correspondent).get("/correspondant/").status_code == 200

    def test_anonymous_is_sent_to_login(self, world):
        response = Client().get("/employeur/")
        assert response["Location"].startswith("/comptes/connexion/")

    @pytest.mark.parametrize("who", ["stranger", "other_officer"])
    def test_decision_on_an_invisible_employer_is_404_and_changes_nothing(self, world, who):
        client = logged(getattr(world, who))
        with assert_nothing_written():
            response = client.post(
                f"/charge-de-developpement/employeurs/{world.pending.pk}/decision/", {"decision": "validate"}
            )
        assert response.status_code == 404


class TestRegisterPage:
    def test_bad_siren_is_shown_on_its_field_and_nothing_is_written(self, world):
        client = logged(world.agent)
        with assert_nothing_written():
            response = client.post(
                "/adherer/",
                {
                    "name": "Mairie",
                    "kind": "commune",
                    "siren": "732829321",
                    "seat_commune": "38185",
                    "agents_count": 3,
                },
            )
        assert response.status_code == 422
        assert response.context["form"].errors["siren"]

    def test_registration(self, world):
        response = logged(world.agent).post(
            "/adherer/",
            {
                "name": "Mairie de Grenoble bis",
                "kind": "commune",
                "siren": siren_with_key(21380099),
                "seat_commune": "38185",
                "agents_count": 3,
            },
        )
        assert response.status_code == 302
        assert Organisation.objects.get(name="Mairie de Grenoble bis").status == OrganisationStatus.PENDING


class TestDecisionHistory:
    def test_officer_sees_the_decisions_of_their_departements_only(self, world):
        from marketplace.organisations import services
        from marketplace.organisations.selectors import decision_history

        services.organisation_reject(
            actor=world.officer, organisation=world.pending, comment="Pas de délibération"
        )
        chambery_role = services.organisation_request_join(
            actor=world.agent, organisation=world.other_organisation
        )
        services.staff_role_decide(actor=world.other_officer, role=chambery_role, accept=True)
        mine = decision_history(world.officer)
        assert [(d.organisation, d.event.to_state, d.event.comment) for d in mine] == [
            (world.pending, "rejected", "Pas de délibération")
        ]
        assert all(d.organisation.seat_commune.departement_id == "38" for d in mine)
        assert {d.organisation for d in decision_history(world.other_officer)} == {world.other_organisation}
        page = logged(world.officer).get("/charge-de-developpement/").content.decode()
        assert "Pas de délibération" in page
