"""Invitations and own cases in Debian's Chromium: a correspondent invites a desk agent, who accepts from
their own page; a correspondent's own request is decided by the officer."""

from playwright.sync_api import Page, expect

from marketplace.organisations.models import Employment, EmploymentStatus, StaffRole, StaffRoleStatus
from tests.browser import JOURNEY
from tests.factories.organisations import EmploymentFactory
from tests.organisations.test_journeys_browser import log_in

pytestmark = JOURNEY


def test_invited_desk_agent_accepts(world, live_server, page: Page, new_page):
    log_in(page, live_server.url, world.correspondent.email)
    page.get_by_role("link", name="Espace correspondant").click()
    page.get_by_label("E-mail de la personne").fill(world.agent.email)
    page.get_by_label("Rôle").select_option("desk")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.locator(".messages")).to_contain_text(f"Invitation envoyée à {world.agent.email}")
    expect(page.get_by_role("button", name=f"Annuler l'invitation de {world.agent.email}")).to_be_visible()
    assert not StaffRole.objects.filter(user=world.agent).exists()

    invitee = new_page()
    log_in(invitee, live_server.url, world.agent.email)
    invitee.get_by_role("link", name="Mon employeur").click()
    expect(invitee.locator("#invitations-title")).to_have_text("Invitations reçues")
    invitee.get_by_role("button", name="Accepter l'invitation de Ville de Grenoble").click()
    expect(invitee.locator(".messages")).to_contain_text("Invitation acceptée.")
    expect(invitee.locator("#invitations-title")).to_have_count(0)
    role = StaffRole.objects.get(user=world.agent)
    assert (role.role, role.status) == ("desk", StaffRoleStatus.ACTIVE)

    page.reload()
    team = page.locator("section[aria-labelledby=staff-title] table")
    expect(team).to_contain_text("Agent d'accueil")
    expect(team).to_contain_text(str(world.agent))


def test_correspondents_own_request_goes_to_the_officer(world, live_server, page: Page):
    employment = EmploymentFactory(
        agent=world.correspondent, organisation=world.organisation, status=EmploymentStatus.PENDING
    )
    log_in(page, live_server.url, world.correspondent.email)
    page.get_by_role("link", name="Espace correspondant").click()
    expect(page.get_by_text("personne ne décide de son propre cas")).to_be_visible()
    expect(page.get_by_role("button", name=f"Confirmer {world.correspondent}")).to_have_count(0)
    page.context.clear_cookies()
    log_in(page, live_server.url, world.officer.email)
    page.get_by_role("link", name="Espace chargé de développement").click()
    page.get_by_role("button", name=f"Confirmer {world.correspondent}").click()
    expect(page.locator(".messages")).to_contain_text("Emploi confirmé.")
    expect(page.locator("h1")).to_have_text("Espace chargé de développement")
    assert Employment.objects.get(pk=employment.pk).status == EmploymentStatus.CONFIRMED
