"""The header at a counter PC's 1280 x 800 screen, for every role: the search box stays wide enough to type
an address into and Sign out stays on the screen.

Problem seen: a lead's menus (and a superuser's, who has every menu) squeezed the search box to 20-80 px and
pushed Sign out off the right edge of the screen."""

import pytest

from cistern.core.management.commands.create_demo_users import DEMO_USERS

pytestmark = pytest.mark.browser

# Every demo user who signs in on the web (a machine user has no password), and the superuser.
ROLES = [(user[0], user[-1]) for user in DEMO_USERS if user[-1]] + ["superuser"]
WIDTH, HEIGHT = 1280, 800


@pytest.mark.parametrize("role", ROLES, ids=[r if isinstance(r, str) else r[0] for r in ROLES])
def test_search_box_is_wide_and_sign_out_is_on_screen(server, browser, superuser, role):
    """Problem seen: leads' menus pushed the search box to 20-80 px and Sign out off-screen at 1280 px."""
    username, password = superuser if role == "superuser" else role
    url = server["url"]
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    try:
        page.goto(f"{url}/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{url}/")

        search = page.locator("#global-search")
        if username != "tech":  # every role that looks up accounts has the search box; a technician does not
            box = search.bounding_box()
            assert box["width"] >= 240, f"{username}: the search box is {box['width']:.0f} px wide"
            assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
        else:
            assert search.count() == 0

        sign_out = page.get_by_role("button", name="Sign out")
        assert sign_out.is_visible()
        box = sign_out.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, f"{username}: Sign out at x={box['x']:.0f}"
        assert box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT, (
            f"{username}: Sign out at y={box['y']:.0f}"
        )
        # Nothing covers it: the point at its centre is the button itself.
        centre = {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}
        on_top = page.evaluate(
            "p => document.elementFromPoint(p.x, p.y).closest('button')?.textContent.trim()", centre
        )
        assert on_top == "Sign out"
        # The page does not scroll sideways, and the menu's every link is on the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        for link in page.locator("nav.menu a").all():
            edge = link.bounding_box()
            assert edge["x"] >= 0 and edge["x"] + edge["width"] <= WIDTH, f"{username}: {link.inner_text()}"

        # Sign out works.
        sign_out.click()
        page.wait_for_load_state()
        page.goto(f"{url}/")
        assert "/login/" in page.url
    finally:
        context.close()
