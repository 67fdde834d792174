"""Every text input is NFC, free of control characters and bidi overrides, and checked by one rule shared by
the API schemas and the HTML forms (marketplace/inputs.py); refusals are a 4xx naming the field, and leave
every table unchanged."""

import pytest

from marketplace.accounts.models import User
from marketplace.organisations.models import Organisation, OrganisationStatus
from tests.factories.organisations import siren_with_key
from tests.hostile.conftest import assert_envelope, logged, row_counts, send_json

NUL = "\x00"


def register_payload(**overrides: object) -> dict[str, object]:
    return {
        "name": "Mairie de Voiron",
        "kind": "commune",
        "siren": siren_with_key(21380563),
        "seat_commune": "38185",
        **overrides,
    }


class TestNulAndControlCharacters:
    @pytest.mark.parametrize(
        "url",
        [
            "/api/v1/geo/communes?q=%00",
            "/api/v1/geo/communes?q=gre%00noble",
            "/api/v1/organisations?q=vi%00lle",
            "/api/v1/organisations?q=ville&x%00=1",
            "/api/v1/geo/communes?q=gre%1Bnoble",
        ],
    )
    def test_api_query_string(self, world, url):
        before = row_counts()
        response = logged(world.agent).get(url)
        assert response.status_code in (400, 422)
        assert_envelope(response, response.status_code)
        assert row_counts() == before

    def test_api_query_names_the_field(self, world):
        body = assert_envelope(logged(world.agent).get("/api/v1/organisations?q=vi%00lle"), 422)
        assert body["detail"]["errors"][0]["field"] == "q"

    @pytest.mark.parametrize(
        "payload",
        [{"display_name": f"Ca{NUL}mille"}, {"phone": f"06{NUL}12345678"}, {"display_name": "a\x07"}],
    )
    def test_api_json_body_names_the_field(self, world, payload):
        response = send_json(logged(world.agent), "patch", "/api/v1/me", payload)
        body = assert_envelope(response, 422, "validation_error")
        assert body["detail"]["errors"][0]["field"] == next(iter(payload))
        world.agent.refresh_from_db()
        assert NUL not in world.agent.display_name
        assert "\x07" not in world.agent.display_name

    def test_api_nested_json_string(self, world):
        before = row_counts()
        response = send_json(
            logged(world.officer),
            "post",
            f"/api/v1/organisations/{world.pending.pk}/reject",
            {"comment": f"non{NUL}"},
        )
        body = assert_envelope(response, 422, "validation_error")
        assert body["detail"]["errors"][0]["field"] == "comment"
        assert row_counts() == before
        world.pending.refresh_from_db()
        assert world.pending.status == OrganisationStatus.PENDING

    def test_api_register_refuses_nul_in_name(self, world):
        before = row_counts()
        response = send_json(
            logged(world.agent), "post", "/api/v1/organisations", register_payload(name=f"Ma{NUL}irie")
        )
        assert_envelope(response, 422)
        assert row_counts() == before

    def test_html_search_form(self, world):
        response = logged(world.agent).get("/employeur/?q=vi%00lle")
        assert response.status_code == 422
        assert "q" in response.content.decode()

    def test_html_profile_form(self, world):
        response = logged(world.agent).post(
            "/comptes/profil/", {"display_name": f"Ca{NUL}mille", "preferred_language": "fr"}
        )
        assert response.status_code == 422
        world.agent.refresh_from_db()
        assert NUL not in world.agent.display_name

    def test_html_decision_comment(self, world):
        before = row_counts()
        response = logged(world.officer).post(
            f"/charge-de-developpement/employeurs/{world.pending.pk}/decision/",
            {"decision": "reject", "comment": f"non{NUL}"},
        )
        assert response.status_code == 422
        assert row_counts() == before
        world.pending.refresh_from_db()
        assert world.pending.status == OrganisationStatus.PENDING

    def test_html_control_character_in_a_field_name(self, world):
        response = logged(world.agent).post("/comptes/profil/", {f"display{NUL}": "x"})
        assert response.status_code == 400


class TestSiren:
    @pytest.mark.parametrize("siren", ["²²²²²²²²²", "１２３４５６７８２", "٢١٣٨٠٥٦٣١", "21380563 "])
    def test_api_non_ascii_digits(self, world, siren):
        before = row_counts()
        response = send_json(
            logged(world.agent), "post", "/api/v1/organisations", register_payload(siren=siren)
        )
        body = assert_envelope(response, 422, "validation_error")
        assert body["detail"]["errors"][0]["field"] == "siren"
        assert row_counts() == before

    @pytest.mark.parametrize("siren", ["²²²²²²²²²", "１２３４５６７８２"])
    def test_html_non_ascii_digits(self, world, siren):
        before = row_counts()
        response = logged(world.agent).post("/adherer/", {**register_payload(siren=siren), "agents_count": 3})
        assert response.status_code == 422
        assert response.context["form"].errors["siren"]
        assert row_counts() == before

    def test_fullwidth_digits_are_not_digits_of_a_siren(self):
        from marketplace.organisations.validators import siren_is_valid

        assert siren_is_valid(siren_with_key(21380563))
        assert not siren_is_valid("１２３４５６７８２")
        assert not siren_is_valid("²²²²²²²²²")


class TestOneRuleForFormsAndSchemas:
    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("contact_email", "contact@ville.fr\r\nBcc: victime@example.com"),
            ("contact_email", "pas-une-adresse"),
            ("contact_phone", "appelez-moi"),
            ("contact_phone", "+1 555 0100"),
        ],
    )
    def test_api_patch_employer_contact(self, world, field, value):
        before = row_counts()
        response = send_json(
            logged(world.correspondent),
            "patch",
            f"/api/v1/organisations/{world.organisation.pk}",
            {field: value},
        )
        body = assert_envelope(response, 422)
        assert body["detail"]["errors"][0]["field"] == field
        assert row_counts() == before
        assert getattr(Organisation.objects.get(pk=world.organisation.pk), field) == getattr(
            world.organisation, field
        )

    def test_api_register_refuses_a_header_injection_in_contact_email(self, world):
        before = row_counts()
        response = send_json(
            logged(world.agent),
            "post",
            "/api/v1/organisations",
            register_payload(contact_email="a@ville.fr\r\nBcc: x@example.com"),
        )
        assert assert_envelope(response, 422)["detail"]["errors"][0]["field"] == "contact_email"
        assert row_counts() == before

    def test_html_profile_refuses_the_same_phone(self, world):
        response = logged(world.correspondent).post(
            f"/correspondant/{world.organisation.pk}/profil/",
            {"agents_count": 3, "contact_email": "", "contact_phone": "appelez-moi"},
        )
        assert response.status_code == 302
        assert (
            Organisation.objects.get(pk=world.organisation.pk).contact_phone
            == world.organisation.contact_phone
        )

    @pytest.mark.parametrize(
        "name",
        ["\u200b\u200b", "\u202eenilla\u202c", "   ", "\u2066x\u2069", "...", "\u00ad\u200d"],
    )
    def test_names_of_invisible_or_bidi_characters_are_refused(self, world, name):
        response = send_json(logged(world.agent), "patch", "/api/v1/me", {"display_name": name})
        assert assert_envelope(response, 422)["detail"]["errors"][0]["field"] == "display_name"
        form_response = logged(world.agent).post(
            "/comptes/profil/", {"display_name": name, "preferred_language": "fr"}
        )
        assert form_response.status_code == 422
        assert User.objects.get(pk=world.agent.pk).display_name == world.agent.display_name

    def test_text_is_stored_nfc_and_phone_normalised(self, world):
        decomposed = "Ame\u0301lie"
        response = send_json(
            logged(world.agent),
            "patch",
            "/api/v1/me",
            {"display_name": decomposed, "phone": "06 12 34 56 78"},
        )
        assert response.status_code == 200
        world.agent.refresh_from_db()
        assert world.agent.display_name == "Amélie"
        assert world.agent.phone == "0612345678"
        logged(world.agent).post(
            "/comptes/profil/", {"display_name": "Zoe\u0301", "preferred_language": "fr"}
        )
        world.agent.refresh_from_db()
        assert world.agent.display_name == "Zoé"

    def test_comment_keeps_its_lines(self):
        from marketplace.inputs import clean_multiline

        assert clean_multiline(" a\r\nb ") == "a\nb"
