"""Sign-up in Debian's Chromium: form, verification e-mail, confirmation link, profile."""

import re

from django.core import mail
from playwright.sync_api import Page, expect

from tests.browser import JOURNEY

pytestmark = JOURNEY


def test_sign_up_verify_and_see_my_profile(live_server, page: Page):
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Créer un compte").click()
    page.get_by_label("Courriel").fill("claude.dupont@mairie-exemple.fr")
    page.get_by_label("Nom affiché").fill("Claude Dupont")
    page.get_by_label("Mot de passe :", exact=True).fill("une-phrase-de-passe-longue")
    page.get_by_label("Mot de passe (confirmation) :").fill("une-phrase-de-passe-longue")
    page.get_by_role("button", name="Création de compte").click()
    expect(page.locator("h1")).to_contain_text("Vérifiez votre adresse")

    message = mail.outbox[-1]
    assert message.to == ["claude.dupont@mairie-exemple.fr"]
    link = re.search(r"https?://\S+/comptes/confirm-email/\S+", str(message.body))
    assert link is not None
    page.goto(link.group(0).replace("http://testserver", live_server.url))
    page.get_by_role("button", name="Confirmer").click()

    # Confirming logs the agent in and lands on the profile.
    expect(page.locator("h1")).to_have_text("Mon profil")
    expect(page.locator(".selected-name")).to_have_text("Claude Dupont")
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
