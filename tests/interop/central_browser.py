"""The command centre's console in a real browser (Debian's Chromium through
Playwright).

Driven by tests/tests/northbound/jetstream.rs, which runs a campus hub, a
NATS server and the centre, and raises a fire alarm at the campus. Signs in
with the centre's API token, finds the campus's card and its alarm on the
wall across campuses, acknowledges it by its button (named for the campus
and the alarm), and waits for the row to say who acknowledged it, as the
owning hub recorded it; switches to English and shows the devices and the
history, narrowed to the campus by the picker. Every request the page
makes must go to the centre. Prints a JSON report; screenshots go to
--shots.
"""

import argparse
import json
import os

from playwright.sync_api import expect, sync_playwright

from console_browser import chromium, only_to


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True, help="the centre's address")
    p.add_argument("--token", required=True, help="a centre API token")
    p.add_argument("--site", required=True, help="the campus's site id")
    p.add_argument("--site-name", required=True, help="its name at the centre")
    p.add_argument("--alarm", required=True, help="the id of its alarm to acknowledge")
    p.add_argument("--shots", required=True)
    a = p.parse_args()
    os.makedirs(a.shots, exist_ok=True)
    foreign: list[str] = []
    report: dict[str, object] = {}

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")

        page.route("**/*", only_to(a.url, foreign))
        page.goto(a.url)

        # Signed in with the token, in Chinese first.
        page.get_by_label("令牌").fill(a.token)
        page.get_by_role("button", name="登录").click()
        wall = page.get_by_test_id("central-wall")
        expect(wall).to_be_visible(timeout=20_000)
        card = page.get_by_test_id("site-card").filter(has_text=a.site_name)
        expect(card).to_be_visible(timeout=20_000)
        row = page.locator(f'[data-testid=central-alarm][data-site="{a.site}"][data-alarm-id="{a.alarm}"]')
        expect(row).to_be_visible(timeout=20_000)
        expect(row).to_contain_text("火警")
        page.screenshot(path=os.path.join(a.shots, "central-wall-zh.png"))

        # Acknowledged from the wall: the row then names who, as the campus recorded it.
        page.get_by_role("button", name=f"确认 {a.site_name} {a.alarm}", exact=True).click()
        expect(row).to_contain_text("值班员", timeout=20_000)
        report["row_after_ack"] = row.inner_text()
        page.screenshot(path=os.path.join(a.shots, "central-wall-acked-zh.png"))

        # In English, narrowed to the campus: its devices, then its history.
        page.get_by_role("button", name="English").click()
        page.get_by_label("Campus", exact=True).select_option(a.site)
        page.get_by_role("button", name="Devices", exact=True).click()
        devices = page.get_by_test_id("central-device")
        expect(devices.first).to_be_visible(timeout=20_000)
        report["devices"] = devices.count()
        report["device_sites"] = sorted(set(devices.evaluate_all("rs => rs.map(r => r.dataset.site ?? '')")))
        page.screenshot(path=os.path.join(a.shots, "central-devices-en.png"))
        page.get_by_role("button", name="History", exact=True).click()
        page.get_by_label("Kind", exact=True).fill("fire.*")
        page.get_by_role("button", name="Filter", exact=True).click()
        # The filtered answer replaces the unfiltered list: wait for it, not
        # for a fire alarm that the list of every kind already showed.
        page.wait_for_function(
            """() => {
                const rows = [...document.querySelectorAll('[data-testid=central-event]')];
                return rows.length > 0 && rows.every(r => (r.dataset.kind ?? '').startsWith('fire.'));
            }""",
            timeout=20_000,
        )
        events = page.locator(f'[data-testid=central-event][data-site="{a.site}"][data-kind="fire.alarm"]')
        report["fire_events"] = events.count()
        report["event_kinds"] = sorted(
            set(page.get_by_test_id("central-event").evaluate_all("rs => rs.map(r => r.dataset.kind)"))
        )
        page.screenshot(path=os.path.join(a.shots, "central-history-en.png"))

        # Signed out: the token is forgotten.
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_label("API token")).to_be_visible(timeout=10_000)
        browser.close()

    report["foreign_requests"] = foreign
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
