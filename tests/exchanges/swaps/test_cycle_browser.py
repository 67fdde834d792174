"""The journey of issue 10 in Debian's Chromium, with no request to another host: three agents whose wishes form
a cycle across three régions. The first sees the three-home cycle on "Suggestions pour mon logement" and
proposes it; the two others accept it in their own browsers; it is confirmed; the guest of the Grenoble home
then sees its exact address, and nobody else does."""

import re

from playwright.sync_api import Page, expect

from exchanges.swaps.models import ProposalStatus, SwapProposal
from tests.browser import JOURNEY
from tests.exchanges.conftest import SENTINEL_ADDRESS
from tests.exchanges.test_search_browser import requests_outside
from tests.organisations.test_journeys_browser import log_in

pytestmark = JOURNEY

SLOW = 20_000  # each new document is first checked by axe-core, slow on a shared 2-core machine


def open_proposal(page: Page, base: str, email: str, number: int) -> None:
    log_in(page, base, email)
    page.get_by_role("link", name="Propositions").click()
    row = page.locator(".proposal-row", has_text=f"Proposition n°{number}")
    expect(row).to_contain_text("à vous de répondre", timeout=SLOW)
    row.get_by_role("link", name=f"Proposition n°{number}").click()
    expect(page.locator("h1")).to_have_text(f"Proposition n°{number}", timeout=SLOW)


def test_three_agents_find_a_cycle_propose_it_accept_it_and_confirm_it(
    ring, live_server, page: Page, new_page
):
    base = live_server.url
    outside = requests_outside(page, base)

    # Alice (Grenoble) finds the cycle on the suggestions page of her home.
    log_in(page, base, ring.alice.email)
    page.get_by_role("link", name="Mon logement").click()
    page.get_by_role("link", name=re.compile("Suggestions d'échange pour « Grenoble »")).click()
    expect(page.locator("h1")).to_have_text("Suggestions pour mon logement", timeout=SLOW)
    expect(page.locator("#suggestions-map")).to_have_attribute("data-state", "ready", timeout=20_000)
    suggestion = page.locator(".suggestion").first
    expect(suggestion.get_by_role("heading")).to_have_text("1. Boucle à 3 logements", timeout=SLOW)
    expect(suggestion.locator(".suggestion-reason")).to_contain_text(
        "dates en commun : 7 nuits", timeout=SLOW
    )
    expect(suggestion).to_contain_text("Votre foyer séjourne à « Quimper »", timeout=SLOW)
    expect(suggestion).to_contain_text("Le foyer de « Quimper » séjourne à « Toulouse »", timeout=SLOW)
    # The map draws it: its three homes numbered as in the list, three arrows; chosen from the keyboard.
    show = suggestion.get_by_role("button", name="Voir la suggestion 1 sur la carte")
    expect(show).to_have_attribute("aria-pressed", "true", timeout=SLOW)
    expect(page.locator("#suggestions-map .home-number")).to_have_count(3, timeout=SLOW)
    expect(page.get_by_role("img", name="Logement 1 : Grenoble")).to_be_visible(timeout=SLOW)
    page.wait_for_function(
        "() => window.reciproqueMap.querySourceFeatures('suggestions')"
        ".filter(f => f.properties.kind === 'stay').length >= 3",
        timeout=20_000,
    )
    show.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="La carte montre la suggestion 1.")).to_be_attached(
        timeout=SLOW
    )
    page.locator("#suggestions-map canvas").focus()
    zoom = page.evaluate("() => window.reciproqueMap.getZoom()")
    page.keyboard.press("Equal")  # "+" zooms in: the map is usable from the keyboard
    page.wait_for_function(f"() => window.reciproqueMap.getZoom() > {zoom}")
    suggestion.get_by_role("button", name="Proposer l'échange 1").click()
    expect(page.locator("#proposal-status")).to_have_text("Proposée", timeout=SLOW)
    proposal = SwapProposal.objects.get()
    assert proposal.stays.count() == 3
    expect(page.locator(".stay")).to_have_count(3, timeout=SLOW)

    # Bruno (Quimper) and Chloé (Toulouse) accept, each in their own browser.
    bruno = new_page()
    outside_bruno = requests_outside(bruno, base)
    open_proposal(bruno, base, ring.bruno.email, proposal.pk)
    bruno.get_by_role("button", name="Accepter").click()
    expect(bruno.locator("#proposal-status")).to_have_text("Proposée")  # all or nothing: Chloé has not
    chloe = new_page()
    outside_chloe = requests_outside(chloe, base)
    open_proposal(chloe, base, ring.chloe.email, proposal.pk)
    chloe.get_by_role("button", name="Accepter").click()
    expect(chloe.locator("#proposal-status")).to_have_text("Acceptée par tous", timeout=SLOW)
    chloe.get_by_role("button", name="Confirmer l'échange").click()
    expect(chloe.locator("#proposal-status")).to_have_text("Confirmée", timeout=SLOW)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CONFIRMED

    # Chloé's household stays in Grenoble: she alone sees its exact address.
    expect(chloe.locator(".host-contact")).to_contain_text(SENTINEL_ADDRESS, timeout=SLOW)
    for other in (page, bruno):
        other.reload()
        expect(other.locator("#proposal-status")).to_have_text("Confirmée", timeout=SLOW)
        expect(other.locator("main")).not_to_contain_text(SENTINEL_ADDRESS, timeout=SLOW)
    timeline = chloe.locator(".timeline li")
    expect(timeline).to_have_count(4)  # proposed (Alice accepts by proposing), accepted twice, confirmed
    assert outside == outside_bruno == outside_chloe == []
