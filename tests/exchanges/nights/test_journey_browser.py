"""The journey of issue 11 in Debian's Chromium, with no request to another host: Alice finds a home open to
any request with the search filter 'Accepte les nuits solidaires' (its card says what the week costs), asks
for a one-way week there; Bruno accepts and confirms in his own browser; the periodic tick completes the stay
(its time moved past the end); both balances moved by seven nights, Alice's history shows the stay, and the
ledger sums to zero."""

import threading

from django.db import connection
from django.db.models import Sum
from playwright.sync_api import Page, expect

from exchanges.nights.models import NightAccount
from exchanges.nights.services import ledger_check
from exchanges.swaps import services
from exchanges.swaps.models import ProposalStatus, SwapProposal
from tests.browser import JOURNEY, assert_accessible
from tests.exchanges.nights.conftest import after
from tests.exchanges.swaps.test_cycle_browser import SLOW, open_proposal
from tests.exchanges.test_search_browser import requests_outside
from tests.factories.exchanges import in_days
from tests.organisations.test_journeys_browser import log_in

pytestmark = JOURNEY


def test_a_week_hosted_through_a_one_way_request(open_trio, live_server, page: Page, new_page):
    base = live_server.url
    outside = requests_outside(page, base)
    start, end = in_days(15).isoformat(), in_days(22).isoformat()

    log_in(page, base, open_trio.alice.email)
    assert_accessible(page)  # the page after logging in, left by a goto (no action on it)
    page.goto(f"{base}/logements/?solidarity=true&start={start}&end={end}")
    card = page.locator(".home-card", has_text="Quimper")
    expect(card).to_contain_text("Séjour à sens unique : 7 nuits solidaires", timeout=SLOW)
    expect(page.get_by_label("Accepte les nuits solidaires")).to_be_checked()
    assert_accessible(page)
    card.get_by_role("link", name="Quimper").click()
    expect(page.locator("#request-title")).to_have_text("Demander un séjour (nuits solidaires)", timeout=SLOW)
    expect(page.locator("main")).to_contain_text("Votre solde : 7 nuits solidaires.")
    assert_accessible(page)
    form = page.locator("form", has=page.get_by_role("button", name="Envoyer la demande"))
    form.get_by_label("Arrivée").fill(start)
    form.get_by_label("Départ").fill(end)
    form.get_by_label("Nous serons").fill("3")
    form.get_by_role("button", name="Envoyer la demande").click()
    expect(page.locator("#proposal-status")).to_have_text("Proposée", timeout=SLOW)
    expect(page.locator(".nights-quote")).to_contain_text("Ce séjour vous coûte 7 nuits.")
    expect(page.locator(".nights-quote")).to_contain_text("Votre solde : 7 ; après le séjour : 0.")
    assert_accessible(page)
    proposal = SwapProposal.objects.get()

    bruno = new_page()
    outside_bruno = requests_outside(bruno, base)
    open_proposal(bruno, base, open_trio.bruno.email, proposal.pk)
    expect(bruno.locator(".nights-quote")).to_contain_text("Accueillir ce foyer vous rapporte 7 nuits")
    bruno.get_by_role("button", name="Accepter").click()
    expect(bruno.locator("#proposal-status")).to_have_text("Acceptée par tous", timeout=SLOW)
    bruno.get_by_role("button", name="Confirmer l'échange").click()
    expect(bruno.locator("#proposal-status")).to_have_text("Confirmée", timeout=SLOW)

    page.get_by_role("navigation").get_by_role("link", name="Mes nuits").click()
    expect(page.locator("#nights-balance")).to_have_text("0", timeout=SLOW)
    expect(page.locator(".nights-balance")).to_contain_text("7 nuits réservées")
    assert_accessible(page)

    # The stay is over: the periodic tick completes it (in a thread of its own, as the worker would: this
    # one runs Playwright's event loop).
    counts: dict[str, int] = {}

    def tick() -> None:
        try:
            counts.update(services.proposals_tick(now=after(30)))
        finally:
            connection.close()

    worker = threading.Thread(target=tick)
    worker.start()
    worker.join(timeout=60)
    assert counts["complete"] == 1
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.COMPLETED

    page.reload()
    expect(page.locator("#nights-balance")).to_have_text("0", timeout=SLOW)
    assert_accessible(page)
    row = page.locator(".movement", has_text="Nuits réservées pour un séjour")
    expect(row).to_contain_text("Quimper")
    expect(row.locator(".nights-delta")).to_have_text("-7")
    expect(page.locator("main")).to_contain_text(
        "Les nuits ne s'achètent pas, ne se vendent pas, ne se donnent pas."
    )
    bruno.get_by_role("navigation").get_by_role("link", name="Mes nuits").click()
    expect(bruno.locator("#nights-balance")).to_have_text("14", timeout=SLOW)
    assert_accessible(bruno)
    expect(bruno.locator(".movement", has_text="Séjour terminé").locator(".nights-delta")).to_have_text("+7")
    assert NightAccount.objects.aggregate(t=Sum("balance"))["t"] == 0
    assert ledger_check() == {"total": 0, "drifted": 0}
    assert outside == outside_bruno == []
