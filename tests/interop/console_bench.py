"""The console's speed in a real browser (Debian's Chromium through
Playwright), for the benchmark table's P11 (tests/benches/table/p11_console.rs).

Talks to the benchmark through files in --dir, one step at a time:
  1. first paint: the sign-in page from a cold cache, --runs times (a new
     browser context each), then signing in until the wall is drawn;
  2. writes `wall-ready`, then records when each row of a device named
     `p11-…` first appears in the wall (in the frame that draws it) until
     the benchmark writes `load-done`;
  3. from `flood-start`, times the open wall until thousands of alarms
     opened at once are all on it; waits for `flood-ready` (all on the
     hub's wall), reloads --runs times, timing the first rows drawn and every
     alarm in; then a scroll through it frame by frame, and opening an
     alarm's detail from the wall.
Prints a JSON report.
"""

import argparse
import json
import os
import sys
import time

from playwright.sync_api import expect, sync_playwright

from console_browser import chromium

# Records, in the frame that will show it, when each bench alarm's row appears.
OBSERVE = """
() => {
  window.__seen = {};
  const wall = document.querySelector('[data-testid=alarm-wall]');
  const note = (el) => {
    const label = el.getAttribute && el.getAttribute('aria-label');
    const m = label && label.match(/p11-\\d+/);
    if (m && !(m[0] in window.__seen)) {
      const key = m[0];
      window.__seen[key] = -1;
      requestAnimationFrame(() => { window.__seen[key] = performance.timeOrigin + performance.now(); });
    }
  };
  new MutationObserver((changes) => {
    for (const c of changes) {
      for (const n of c.addedNodes) {
        if (n.nodeType !== 1) continue;
        if (n.matches('[data-testid=alarm-row]')) note(n);
        n.querySelectorAll('[data-testid=alarm-row]').forEach(note);
      }
    }
  }).observe(wall, { childList: true, subtree: true });
}
"""

# Scrolls the windowed wall to its end in steps, one per frame; the frame intervals, ms.
SCROLL = """
async (steps) => {
  const box = document.querySelector('[data-testid=wall-window]');
  const frames = [];
  let last = performance.now();
  for (let i = 1; i <= steps; i++) {
    box.scrollTop = (box.scrollHeight - box.clientHeight) * i / steps;
    await new Promise((r) => requestAnimationFrame(r));
    const now = performance.now();
    frames.push(now - last);
    last = now;
  }
  return frames;
}
"""


def wait_file(path: str, within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            sys.exit(f"console_bench: {path} never came")
        time.sleep(0.02)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--login", required=True, help="login:password of an operator")
    p.add_argument("--dir", required=True)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--flood", type=int, required=True, help="alarms the flood step waits for")
    p.add_argument("--scroll-frames", type=int, required=True, help="frames the scroll through the flood takes")
    p.add_argument("--clicks", type=int, required=True, help="rows clicked open")
    a = p.parse_args()
    login, password = a.login.split(":", 1)
    report: dict[str, object] = {}

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        paints, walls = [], []
        for _ in range(a.runs):
            ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
            page = ctx.new_page()
            t0 = time.monotonic()
            page.goto(a.url)
            expect(page.get_by_role("button", name="登录")).to_be_visible(timeout=10_000)
            paints.append((time.monotonic() - t0) * 1000)
            page.get_by_label("账号").fill(login)
            page.get_by_label("密码").fill(password)
            t1 = time.monotonic()
            page.get_by_role("button", name="登录").click()
            expect(page.get_by_test_id("wall-counts")).to_be_visible(timeout=10_000)
            walls.append((time.monotonic() - t1) * 1000)
            ctx.close()
        report["first_paint_ms"] = paints
        report["signed_in_wall_ms"] = walls

        ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        page = ctx.new_page()
        page.goto(a.url)
        page.get_by_label("账号").fill(login)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_test_id("live-indicator")).to_have_attribute("data-live", "true", timeout=10_000)
        page.evaluate(OBSERVE)
        open(os.path.join(a.dir, "wall-ready"), "w").close()
        wait_file(os.path.join(a.dir, "load-done"), 600)
        # The last row's frame has been drawn.
        page.wait_for_timeout(300)
        report["seen_ms"] = page.evaluate("window.__seen")

        # The flood arrives while the wall is open: until every alarm is on it.
        wait_file(os.path.join(a.dir, "flood-start"), 600)
        t_flood = time.monotonic()
        expect(page.get_by_test_id("wall-window")).to_have_attribute("data-rows", str(a.flood), timeout=120_000)
        report["flood_live_ms"] = (time.monotonic() - t_flood) * 1000
        wait_file(os.path.join(a.dir, "flood-ready"), 600)
        firsts, alls = [], []
        for _ in range(a.runs):
            t2 = time.monotonic()
            page.reload()
            expect(page.get_by_test_id("wall-window")).to_be_visible(timeout=60_000)
            expect(page.get_by_test_id("alarm-row").first).to_be_visible()
            firsts.append((time.monotonic() - t2) * 1000)
            expect(page.get_by_test_id("wall-window")).to_have_attribute("data-rows", str(a.flood), timeout=60_000)
            alls.append((time.monotonic() - t2) * 1000)
        report["flood_first_rows_ms"] = firsts
        report["flood_wall_ms"] = alls
        report["flood_rows_in_page"] = page.get_by_test_id("alarm-row").count()
        report["scroll_frames_ms"] = page.evaluate(SCROLL, a.scroll_frames)
        opens = []
        for i in range(a.clicks):
            row = page.get_by_test_id("alarm-row").nth(i)
            t3 = time.monotonic()
            row.click()
            expect(page.get_by_role("region", name="报警详情")).to_be_visible(timeout=10_000)
            opens.append((time.monotonic() - t3) * 1000)
            page.get_by_role("button", name="返回报警墙").click()
        report["open_detail_ms"] = opens
        browser.close()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
