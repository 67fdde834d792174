"""The voucher journey of issue 14 in Debian's Chromium, with no request to another host and axe-checked pages:
an agent of Chambéry gets two vouchers from the museum's offer page (QR shown large); Grenoble's desk
validates the first by its typed code (a second validation is refused with the first one's time), then the
second by pointing the camera at its QR: a second Chromium whose fake camera plays the QR image taken from the
agent's page."""

import io
import re

from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from local_offers.vouchers.models import Voucher, VoucherStatus
from tests.browser import JOURNEY, AxeWatch, assert_accessible
from tests.conftest import CHROMIUM
from tests.exchanges.test_search_browser import requests_outside
from tests.organisations.test_journeys_browser import log_in

pytestmark = JOURNEY

SLOW = 20_000
WIDTH, HEIGHT = 640, 480


def y4m_of(png: bytes, path) -> None:
    """A still video (YUV4MPEG2, 4:2:0) of the image centred on white: what Chromium's fake camera plays."""
    image = Image.open(io.BytesIO(png)).convert("L")
    image.thumbnail((HEIGHT - 40, HEIGHT - 40))
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    frame.paste(image, ((WIDTH - image.width) // 2, (HEIGHT - image.height) // 2))
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            out.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)


def request_voucher(page: Page, base: str, facility_id: int, day: str, party: str) -> str:
    page.goto(f"{base}/offres/equipements/{facility_id}/")
    expect(page.locator("#benefits")).to_contain_text("30 % de réduction", timeout=SLOW)
    form = page.locator("#voucher-request")
    form.get_by_label("Premier jour").fill(day)
    form.get_by_label("Dernier jour").fill(day)
    form.get_by_label("Nombre de personnes").fill(party)
    form.get_by_role("button", name="Demander le bon").click()
    expect(page.locator("#voucher-qr svg")).to_be_visible(timeout=SLOW)
    return page.locator("#voucher-code").inner_text()


def test_an_agent_gets_vouchers_the_desk_validates_by_code_and_by_camera(
    offer, live_server, page: Page, new_page, playwright, browser_context_args, tmp_path
):
    base = live_server.url
    cast = offer.cast
    today = offer.agreement.validity.lower.isoformat()
    outside = requests_outside(page, base)

    # The agent asks for two vouchers from the museum's page; each shows its code and a large QR.
    log_in(page, base, cast.agent.email)
    assert_accessible(page)
    first_code = request_voucher(page, base, offer.facility.pk, today, "3")
    second_code = request_voucher(page, base, offer.facility.pk, today, "2")
    qr_png = page.locator("#voucher-qr").screenshot()
    page.get_by_role("link", name="Mes bons").first.click()
    expect(page.locator("#vouchers")).to_contain_text(first_code, timeout=SLOW)
    expect(page.locator("#vouchers")).to_contain_text(second_code)
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", first_code)

    # The desk types the first code, sees the holder and the party, validates.
    desk = new_page()
    outside_desk = requests_outside(desk, base)
    log_in(desk, base, cast.desk.email)
    desk.get_by_role("link", name="Accueil des bons").click()
    desk.get_by_label("Code du bon").fill(first_code.lower())
    desk.get_by_role("button", name="Chercher").click()
    expect(desk.locator("#holder")).to_have_text(str(cast.agent), timeout=SLOW)
    expect(desk.locator("#party")).to_have_text("3")
    desk.get_by_role("button", name="Valider l'entrée").click()
    expect(desk.get_by_text("Bon validé.")).to_be_visible(timeout=SLOW)
    first = Voucher.objects.get(code=first_code.replace("-", ""))
    assert first.status == VoucherStatus.USED
    # Again: refused, with the time of the first validation.
    desk.get_by_label("Code du bon").fill(first_code)
    desk.get_by_role("button", name="Chercher").click()
    expect(desk.locator("#found-status")).to_contain_text("Utilisé", timeout=SLOW)
    desk.get_by_role("button", name="Valider l'entrée").click()
    first_time = timezone.localtime(first.validated_at).strftime("%H:%M")
    expect(desk.get_by_text(re.compile(f"déjà été validé le .* à {first_time}"))).to_be_visible(timeout=SLOW)

    # The camera: another Chromium whose fake camera plays the second voucher's QR, as taken from the page.
    video = tmp_path / "qr.y4m"
    y4m_of(qr_png, video)
    camera_browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu-sandbox",
            "--use-angle=swiftshader",
            "--enable-unsafe-swiftshader",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera_browser.new_context(**browser_context_args, permissions=["camera"])
        scanner = context.new_page()
        outside_scanner = requests_outside(scanner, base)
        log_in(scanner, base, cast.desk.email)
        watch = AxeWatch(scanner)  # from here on (the sign-in pages are checked by the other journeys)
        scanner.goto(f"{base}/offres/accueil/")
        assert_accessible(scanner)
        scanner.get_by_role("button", name="Ouvrir la caméra").click()
        expect(scanner.locator("#holder")).to_have_text(str(cast.agent), timeout=SLOW)
        expect(scanner.locator("#party")).to_have_text("2")
        scanner.get_by_role("button", name="Valider l'entrée").click()
        expect(scanner.get_by_text("Bon validé.")).to_be_visible(timeout=SLOW)
        watch.finish()
    finally:
        camera_browser.close()
    second = Voucher.objects.get(code=second_code.replace("-", ""))
    assert (second.status, second.validated_by) == (VoucherStatus.USED, cast.desk)

    # The agent sees both used.
    page.reload()
    expect(page.locator("#vouchers")).not_to_contain_text("Émis", timeout=SLOW)
    assert outside == outside_desk == outside_scanner == []
