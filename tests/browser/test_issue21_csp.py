"""Issue 21: every page works under the Content-Security-Policy (no inline script, no inline
style) — the map draws, the forms work, swagger-ui renders — with no CSP violation in chromium."""

from __future__ import annotations

from web.helpers import ACCOUNTS, PW  # tests/ is on sys.path (rootdir-relative packages)

WATCH = """document.addEventListener('securitypolicyviolation', e => {
  (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI);
});"""


def test_issue21_pages_work_under_the_csp(browser, server):
    ctx = browser.new_context(locale="sv-SE")
    ctx.add_init_script(WATCH)
    page = ctx.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    violations: list[str] = []
    base = server["base"]

    def visit(path: str) -> None:
        r = page.goto(base + path)
        assert r is not None and r.ok, (path, r.status if r else None)
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        page.wait_for_load_state("load")
        if page.locator("#karta").count():
            page.wait_for_selector("#karta[data-klar='1']", timeout=15000)
        violations.extend(f"{path}: {v}" for v in page.evaluate("window.__csp || []"))

    visit("/")  # the legend's swatches are coloured by class, not by an inline style
    swatch = page.locator(".swatch-typ-1").first
    assert swatch.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(215, 25, 28)"
    for path in ("/tabell", "/om-uppgifterna", "/logga-in"):
        visit(path)
    page.get_by_label("E-post").fill(ACCOUNTS["h20"][0])
    page.get_by_label("Lösenord").fill(PW)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state("load")
    assert "/region" in page.url
    for path in ("/region", "/region/import"):
        visit(path)
    visit("/api/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20000)
    assert "fcatlas" in page.locator(".swagger-ui .info .title").inner_text()
    ctx.close()
    csp_console = [m for m in console if "Content Security Policy" in m or "Content-Security-Policy" in m]
    assert violations == [] and csp_console == [], (violations, csp_console)


def test_the_regions_page_fits_a_phone(browser, server):
    """At 375 px the region's tables reflow into cards (each value under its column's name):
    nothing is cut off at the right edge, in the page or in a table's own scroll box."""
    ctx = browser.new_context(locale="sv-SE", viewport={"width": 375, "height": 800})
    page = ctx.new_page()
    page.goto(server["base"] + "/logga-in")
    page.get_by_label("E-post").fill(ACCOUNTS["h20"][0])
    page.get_by_label("Lösenord").fill(PW)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state("load")
    page.goto(server["base"] + "/region")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    cut = page.evaluate("[...document.querySelectorAll('.table-wrap')]"
                        ".filter(w => w.scrollWidth > w.clientWidth + 1).map(w => w.getAttribute('aria-labelledby'))")
    assert cut == []
    label = page.locator("#antal-rubrik").locator("xpath=..").locator("td[data-label]").first
    assert label.evaluate("td => getComputedStyle(td, '::before').content") == '"I drift: "'
    ctx.close()
