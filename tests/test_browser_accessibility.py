"""axe-core (Deque's accessibility engine, the script the axe-playwright-python package ships) on the page, with every
view's results on screen, in the light and the dark theme and in presenter mode with the lesson open: no WCAG 2.1
A/AA violation (contrast, alt texts, names of buttons and fields...)."""
import os

import pytest

from app_server import need_chromium, open_page

pytestmark = pytest.mark.browser
need_chromium()

RUN_AXE = """async () => {
  const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  return r.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html,
    why: (n.any[0] || n.all[0] || n.none[0] || {}).message })) }));
}"""
# Gradio's own placeholder of an empty image ("Empty value") puts aria-label on a plain div; nothing of ours.
GRADIO_PLACEHOLDER = 'aria-label="Empty value"'
SETTLED = "() => !document.querySelector('.pending, .generating, .eta-bar')"


def violations(page) -> list[str]:
    """What axe finds on the page as it is, one line per element."""
    import axe_playwright_python

    page.wait_for_function(SETTLED, timeout=60_000)
    page.wait_for_timeout(600)   # gradio's fade of a pending output back to full opacity
    page.add_script_tag(path=os.path.join(os.path.dirname(axe_playwright_python.__file__), "axe.min.js"))
    return [f"{v['id']}: {n['target']}: {n['why']}" for v in page.evaluate(RUN_AXE) for n in v["nodes"]
            if not (v["id"] == "aria-prohibited-attr" and GRADIO_PLACEHOLDER in n["html"])]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_view_with_its_results_passes_axe(app_url, browser, theme):
    page, _ = open_page(browser, f"{app_url}?__theme={theme}")
    found = {}
    page.locator(".block", has_text="…or click a test image").locator(".thumbnail-item").nth(2).click()
    page.wait_for_function("() => document.querySelector('#map-vae .lm').latentMap.state.overlayCount >= 3",
                           timeout=60_000)
    found["reconstruct"] = violations(page)
    page.get_by_role("tab", name="Generate").click()
    page.click("text=Sample from the prior")
    page.click("text=Show the manifold")
    page.locator("img[alt^='images decoded along a grid']").wait_for(timeout=60_000)
    found["generate"] = violations(page)
    page.get_by_role("tab", name="Compare VAE vs AE").click()
    page.click("text=Decode the same prior draws with both")
    page.locator("img[alt^=\"a grid of the AE's\"]").wait_for(timeout=60_000)
    found["compare"] = violations(page)
    page.close()
    assert not any(found.values()), found


def test_presenter_mode_with_the_lesson_passes_axe(app_url, browser):
    page, _ = open_page(browser, f"{app_url}?present=1&lesson=2")
    page.wait_for_function("() => { const e = document.querySelector('#lesson'); return e && e.offsetParent; }",
                           timeout=60_000)
    found = violations(page)
    page.close()
    assert not found, found
