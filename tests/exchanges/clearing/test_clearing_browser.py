"""The proposal of the month in Debian's Chromium, with no request to another host: a clearing run proposes
the ring's three-home cycle; Alice sees it on "Votre proposition du mois" (in words and on the map) and
accepts it; Bruno and Chloé accept it in their own browsers; everyone has accepted (all-or-nothing)."""

import pytest
from playwright.sync_api import Page, expect

from exchanges.clearing.models import ClearingCycle
from exchanges.clearing.services import clearing_run
from exchanges.swaps.models import ProposalStatus
from tests.browser import JOURNEY, assert_accessible
from tests.exchanges.swaps.test_cycle_browser import SLOW, open_proposal
from tests.exchanges.test_search_browser import requests_outside
from tests.organisations.test_journeys_browser import log_in

pytestmark = JOURNEY


@pytest.fixture
def run(opted_ring):
    """The run, before the browser starts (its events are sent after commit, outside Playwright's loop)."""
    return clearing_run(actor=None)


def test_a_run_proposes_a_cycle_that_the_three_agents_accept(
    run, opted_ring, live_server, page: Page, new_page
):
    ring = opted_ring
    proposal = ClearingCycle.objects.get(run=run).proposal
    assert proposal is not None
    base = live_server.url
    outside = requests_outside(page, base)

    log_in(page, base, ring.alice.email)
    assert_accessible(page)
    page.goto(f"{base}/proposition-du-mois/")
    expect(page.locator("h1")).to_have_text("Votre proposition du mois", timeout=SLOW)
    item = page.locator(".suggestion").first
    expect(item.locator(".suggestion-reason")).to_contain_text("Boucle à 3 logements", timeout=SLOW)
    expect(item).to_contain_text("Votre foyer séjourne à « Quimper »", timeout=SLOW)
    expect(page.locator("#suggestions-map")).to_have_attribute("data-state", "ready", timeout=20_000)
    expect(page.locator("#suggestions-map .home-number")).to_have_count(3, timeout=SLOW)
    item.get_by_role("link", name=f"Répondre à la proposition n°{proposal.pk} (Proposée)").click()
    expect(page.locator("h1")).to_have_text(f"Proposition n°{proposal.pk}", timeout=SLOW)
    page.get_by_role("button", name="Accepter").click()
    expect(page.locator("#proposal-status")).to_have_text("Proposée", timeout=SLOW)

    bruno = new_page()
    outside_bruno = requests_outside(bruno, base)
    open_proposal(bruno, base, ring.bruno.email, proposal.pk)
    expect(bruno.locator("main")).to_contain_text("Proposition du mois : Boucle à 3 logements", timeout=SLOW)
    bruno.get_by_role("button", name="Accepter").click()
    expect(bruno.locator("#proposal-status")).to_have_text("Proposée", timeout=SLOW)
    chloe = new_page()
    outside_chloe = requests_outside(chloe, base)
    open_proposal(chloe, base, ring.chloe.email, proposal.pk)
    chloe.get_by_role("button", name="Accepter").click()
    expect(chloe.locator("#proposal-status")).to_have_text("Acceptée par tous", timeout=SLOW)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED
    assert outside == outside_bruno == outside_chloe == []
