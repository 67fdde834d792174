"""What every browser journey shares: its pytest marks and the axe-core accessibility check.

axe-core (vendored by scripts/vendor_axe.sh, test-only) checks each document a journey visits, before the
journey's first action or assertion on it, and the last state of the page at the end of the test
(fixtures `page` and `new_page` in tests/conftest.py). Any serious or critical violation fails the test.
"""

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import pytest
from playwright.sync_api import Page

from tests.transactional import KEEP_TERRITORIES

AXE_VERSION = "4.14.1"
AXE_SCRIPT = Path(__file__).resolve().parent / "vendor" / f"axe-core-{AXE_VERSION}" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")

# Browser journeys run in transactions that are committed (the live server reads them from another
# thread), so the database is flushed after each one, but for the real territories (tests/transactional.py).
JOURNEY = [pytest.mark.browser, KEEP_TERRITORIES]

# Marks the document as checked (so that the locator handler stops matching) and watches it for changes
# from then on (the check at the end of the test is skipped when nothing changed), then runs every rule.
_RUN = """async (impacts) => {
    document.documentElement.setAttribute('data-axe-checked', '');
    if (!window.axeWatcher) {
        window.axeWatcher = new MutationObserver(() => { window.axeChanged = true; });
        window.axeWatcher.observe(document, {subtree: true, childList: true, attributes: true,
                                             characterData: true});
    }
    window.axeWatcher.takeRecords();
    window.axeChanged = false;
    const results = await axe.run(document, {resultTypes: ['violations']});
    return {
        document: performance.timeOrigin,
        violations: results.violations
            .filter(v => impacts.includes(v.impact))
            .map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                        targets: v.nodes.map(n => n.target.join(' '))})),
    };
}"""


@cache
def _axe_source() -> str:
    return AXE_SCRIPT.read_text()


def _axe(page: Page) -> dict[str, Any]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # evaluate, not a <script> tag: the site's Content-Security-Policy forbids inline scripts.
        page.evaluate(_axe_source())
    result: dict[str, Any] = page.evaluate(_RUN, list(FAILING_IMPACTS))
    return result


def describe(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{url}:"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        lines.extend(f"      {target}" for target in v["targets"])
    return "\n".join(lines)


_WATCHES: "WeakKeyDictionary[Page, AxeWatch]" = WeakKeyDictionary()  # so that explicit checks count


def assert_accessible(page: Page) -> None:
    """Fail now if the page, as it is, has a serious or critical axe-core violation."""
    result = _axe(page)
    if page in _WATCHES:
        _WATCHES[page].reports[result["document"]] = page.url
    violations = result["violations"]
    assert not violations, "axe-core: serious or critical violations\n" + describe(page.url, violations)


@dataclass
class AxeWatch:
    """Checks every document of one page: before the first action or assertion on it, and at the end."""

    page: Page
    reports: dict[float, str] = field(default_factory=dict)  # document (time origin) -> URL
    failures: list[str] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        _WATCHES[self.page] = self
        self.page.on("load", lambda page: self.loaded.append(page.url))
        # Playwright runs the handler before each action or auto-waiting assertion while the locator
        # matches, that is once per document; htmx swaps make the new content count as unchecked.
        self.page.add_locator_handler(
            self.page.locator("html:not([data-axe-checked])"), self.check, no_wait_after=True
        )
        self.page.add_init_script(
            "document.addEventListener('htmx:afterSettle',"
            " () => document.documentElement.removeAttribute('data-axe-checked'));"
        )

    def check(self) -> None:
        if not self.page.url.startswith("http"):
            return
        result = _axe(self.page)
        self.reports[result["document"]] = self.page.url
        if result["violations"]:
            report = describe(self.page.url, result["violations"])
            if report not in self.failures:
                self.failures.append(report)

    def finish(self) -> None:
        """Checks the final state, then fails on any violation seen, or on a document never checked."""
        if not self.page.is_closed() and self.page.evaluate("() => window.axeChanged !== false"):
            self.check()
        assert not self.failures, "axe-core: serious or critical violations\n" + "\n".join(self.failures)
        unchecked = len(self.loaded) - len(self.reports)
        assert unchecked <= 0, (
            f"{unchecked} of the documents loaded ({', '.join(self.loaded)}) had no action nor assertion "
            "before the next navigation, so axe-core never saw them: call assert_accessible(page) there."
        )
