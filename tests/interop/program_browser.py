"""The dual-prevention pages in a real browser (Debian's Chromium through Playwright).

Driven by a Rust test that runs a hub with the program configured (a risk
point of the chemistry building, an inspection task of it, an inspector of
the chemistry unit, an officer of the program office) and then checks,
through the API, that the hub holds exactly one round and exactly one
hazard of the report made here.

On a phone (390 × 844, touch), the inspector does the task's round: every
item 正常 but the last, a hazard with a note and a photo; it goes through
the outbox until 全部已发送. Then a hazard report whose answer is lost (the
hub records it, the page sees the network fail): it waits in the outbox,
still waits while the phone is offline and 立即发送 is pressed, and is sent
once the phone is back, the same client_id answered with the same hazard.
The phone page never scrolls sideways. On a desktop, the officer's
双重预防 view, each section shot. Every request the pages make must go to
the hub. Prints a JSON report; screenshots go to --shots.
"""

import argparse
import json
import os
import re
import struct
import sys
import tempfile
import time
import zlib
from urllib.parse import urlparse

from playwright.sync_api import expect, sync_playwright

# The one way the browser tests find Debian's Chromium.
from console_browser import chromium, only_to

PHONE = {"width": 390, "height": 844}
ROUND_NOTE = "洗眼器水压不足"
REPORT_TEXT = "实验室门口堆放杂物（离线上报）"
CHEM_ZONE = "campus/chem-north"
CHEM_NAME = "化学北楼"


def write_png(path: str, width: int = 96, height: int = 64) -> None:
    """A small real PNG (RGB, a gradient with a dark bar), as a camera's picture stands in."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            bar = 20 <= y < 30
            rows += bytes((40, 40, 40)) if bar else bytes((x * 255 // width, y * 255 // height, 160))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))


class Failed(Exception):
    pass


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--inspector", required=True, help="login:password of a guard of unit chem (zone campus/chem-north)")
    p.add_argument("--officer", required=True, help="login:password of a safety officer of the program office")
    p.add_argument("--task", required=True, help="the id of the inspection task whose round is done")
    p.add_argument("--shots", required=True)
    a = p.parse_args()
    os.makedirs(a.shots, exist_ok=True)
    base = a.url.rstrip("/")
    foreign: list[str] = []
    report: dict[str, object] = {}
    step = "start"
    current = None  # the page to shoot if a step fails

    def shot(page, name: str) -> None:
        page.screenshot(path=os.path.join(a.shots, f"{name}.png"), full_page=True)

    watch = only_to(a.url, foreign)

    def sign_in(page, credentials: str) -> None:
        login, password = credentials.split(":", 1)
        page.goto(a.url)
        page.get_by_label("账号").fill(login)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("button", name="退出")).to_be_visible(timeout=10_000)

    def scroll_width(page) -> int:
        return page.evaluate("document.documentElement.scrollWidth")

    widths: dict[str, int] = {}

    def no_sideways(page, where: str) -> None:
        w = scroll_width(page)
        widths[where] = w
        if w > PHONE["width"]:
            raise Failed(f"the phone page scrolls sideways at {where}: scrollWidth {w} > {PHONE['width']}")

    tmp = tempfile.mkdtemp(prefix="twinwall-program-")
    photo = os.path.join(tmp, "eyewash.png")
    write_png(photo)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        try:
            # ---- a. The round, on the inspector's phone.
            step = "phone sign-in"
            phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", device_scale_factor=2)
            page = phone.new_page()
            current = page
            page.route("**/*", watch)
            failed_reports: list[str] = []
            page.on(
                "requestfailed",
                lambda r: failed_reports.append(r.failure or "failed")
                if r.method == "POST" and urlparse(r.url).path == "/api/v1/hazards"
                else None,
            )
            sign_in(page, a.inspector)
            step = "open 现场巡查"
            page.get_by_role("navigation", name="主菜单").get_by_role("button", name="现场巡查", exact=True).click()
            view = page.get_by_role("region", name="现场巡查", exact=True)
            expect(view).to_be_visible(timeout=10_000)
            box = view.get_by_test_id("outbox")
            count = box.get_by_role("status")
            card = view.locator(f'[data-testid="due-task"][data-id="{a.task}"]')
            try:
                expect(card).to_be_visible(timeout=15_000)
            except AssertionError as e:
                due = view.get_by_test_id("due-task").evaluate_all("cs => cs.map(c => c.dataset.id)")
                raise Failed(f"task {a.task} is not due on the inspector's phone (due: {due})") from e
            task_name = card.locator(".task-what strong").inner_text().strip()
            report["task_name"] = task_name
            no_sideways(page, "rounds due")

            step = "start the round"
            card.get_by_role("button", name=f"开始巡查 {task_name}", exact=True).click()
            form = view.get_by_test_id("round-form")
            expect(form).to_be_visible()
            items = form.get_by_test_id("check-item")
            n = items.count()
            if n == 0:
                raise Failed(f"the round of {a.task} has no checklist")
            report["checklist"] = [items.nth(i).locator("legend").inner_text() for i in range(n)]
            step = "tick the checklist"
            for i in range(n - 1):
                items.nth(i).get_by_role("radio", name="正常", exact=True).check()
            last = items.nth(n - 1)
            last.get_by_role("radio", name="发现隐患", exact=True).check()
            last.get_by_label("隐患描述", exact=True).fill(ROUND_NOTE)
            last.get_by_label("拍照", exact=True).set_input_files(photo)
            expect(last.get_by_text("已添加 1 张照片")).to_be_visible(timeout=10_000)
            expect(last.get_by_role("img", name="拍照 1")).to_be_visible()
            no_sideways(page, "round form")
            shot(page, "phone-round-form")
            step = "submit the round"
            form.get_by_role("button", name="提交巡查", exact=True).click()
            expect(form).to_have_count(0, timeout=5_000)
            expect(box.locator(".sent-list")).to_contain_text(f"已提交：{task_name}", timeout=30_000)
            expect(count).to_have_text(re.compile(r"^全部已发送"), timeout=30_000)
            # The hub has it: the task is no longer owed.
            expect(card).to_have_count(0, timeout=30_000)
            report["round_submitted"] = True
            no_sideways(page, "round sent")
            shot(page, "phone-round")

            # ---- b. A report whose answer is lost, then the phone offline.
            step = "report with its answer lost"
            lost: dict[str, object] = {"posts": 0, "hub_status": None}

            def lose_first_answer(route):
                if route.request.method != "POST":
                    route.fallback()
                    return
                lost["posts"] = int(lost["posts"]) + 1
                if lost["hub_status"] is not None:
                    route.fallback()
                    return
                # The hub records it; the page hears nothing back.
                answer = route.fetch()
                lost["hub_status"] = answer.status
                route.abort()

            page.route(lambda u: urlparse(u).path == "/api/v1/hazards", lose_first_answer)
            view.get_by_role("button", name="现场上报隐患", exact=True).click()
            rform = view.get_by_test_id("report-form")
            expect(rform).to_be_visible()
            zone = rform.get_by_label("隐患区域", exact=True)
            if zone.evaluate("e => e.tagName") == "SELECT":
                try:
                    zone.select_option(value=CHEM_ZONE, timeout=5_000)
                except Exception:
                    zone.select_option(label=CHEM_NAME, timeout=5_000)
            else:
                zone.fill(CHEM_ZONE)
            rform.get_by_label("隐患描述", exact=True).fill(REPORT_TEXT)
            report["report_category"] = (
                rform.get_by_label("隐患类别", exact=True).input_value() if rform.get_by_label("隐患类别", exact=True).count() else None
            )
            no_sideways(page, "report form")
            rform.get_by_role("button", name="提交上报", exact=True).click()
            expect(count).to_have_text(re.compile(r"^1 待发送"), timeout=15_000)
            # Offline at once: the outbox tries again on its own every 20 s.
            phone.set_offline(True)
            if lost["hub_status"] is None:
                raise Failed("the report never reached the hub before its answer was to be lost")
            report["lost_answer_hub_status"] = lost["hub_status"]
            if not 200 <= int(lost["hub_status"]) < 300:
                raise Failed(f"the hub refused the report whose answer was lost: HTTP {lost['hub_status']}")
            report["report_waiting"] = count.inner_text()

            step = "send now while offline"
            send_now = box.get_by_role("button", name="立即发送", exact=True)
            if send_now.count() == 0:
                # Sent by the outbox's own retry between the two lines above: nothing to press.
                report["sent_before_offline"] = True
            else:
                report["sent_before_offline"] = False
                failures = len(failed_reports)
                send_now.click()
                deadline = time.monotonic() + 10
                while len(failed_reports) <= failures and time.monotonic() < deadline:
                    page.wait_for_timeout(200)
                report["offline_send_failed"] = len(failed_reports) > failures
                expect(send_now).to_be_enabled(timeout=10_000)
                expect(count).to_have_text(re.compile(r"^1 待发送"))
                expect(box.get_by_text("暂时连不上中心")).to_be_visible()
                report["offline_count"] = count.inner_text()
                shot(page, "phone-offline")

            step = "back online"
            phone.set_offline(False)
            expect(count).to_have_text(re.compile(r"^全部已发送"), timeout=60_000)
            expect(box.locator(".sent-list")).to_contain_text(f"已提交：{REPORT_TEXT}", timeout=5_000)
            report["report_sent"] = True
            report["report_posts_seen"] = lost["posts"]
            report["outbox_after"] = int(box.get_attribute("data-pending") or "0")
            report["outbox_stored"] = page.evaluate("JSON.parse(localStorage.getItem('twinwall.outbox.v1') || '[]').length")
            no_sideways(page, "report sent")
            shot(page, "phone-report")
            # What the hub now says, as the inspector sees it (the Rust test checks it for itself).
            found = page.request.get(f"{base}/api/v1/hazards?state=all").json()
            report["inspector_hazards_with_report"] = sum(1 for h in found.get("hazards", []) if h.get("description") == REPORT_TEXT)
            report["inspector_hazards_from_round"] = sum(1 for h in found.get("hazards", []) if h.get("description") == ROUND_NOTE)
            phone.close()

            # ---- c. The officer's 双重预防 view on a desktop.
            step = "officer sign-in"
            desk = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
            page = desk.new_page()
            current = page
            page.route("**/*", watch)
            sign_in(page, a.officer)
            page.get_by_role("navigation", name="主菜单").get_by_role("button", name="双重预防", exact=True).click()
            program = page.get_by_role("region", name="双重预防", exact=True)
            expect(program).to_be_visible(timeout=10_000)
            tabs = program.get_by_role("navigation", name="双重预防栏目")

            def section(tab: str, heading: str):
                tabs.get_by_role("button", name=tab, exact=True).click()
                expect(tabs.get_by_role("button", name=tab, exact=True)).to_have_attribute("aria-current", "true")
                region = program.get_by_role("region", name=heading, exact=True)
                expect(region).to_be_visible(timeout=10_000)
                expect(region.get_by_text("正在加载", exact=False)).to_have_count(0, timeout=15_000)
                return region

            step = "register"
            reg = section("风险清单", "风险分级管控")
            expect(reg.get_by_role("status").filter(has_text="个风险点")).to_be_visible(timeout=10_000)
            report["register_points"] = reg.get_by_test_id("risk-point").count()
            shot(page, "program-register")

            step = "inspections"
            rounds = section("巡查任务", "隐患排查（巡查）")
            recent = rounds.get_by_test_id("recent-rounds")
            expect(recent).to_be_visible(timeout=10_000)
            done_rows = recent.locator("tbody tr").filter(has_text=task_name)
            expect(done_rows.first).to_be_visible(timeout=10_000)
            report["officer_rounds_of_task"] = done_rows.count()
            shot(page, "program-rounds")

            step = "hazards"
            hz = section("隐患治理", "隐患排查治理")
            expect(hz.get_by_test_id("hazard-counts")).to_be_visible(timeout=10_000)
            mine = hz.get_by_test_id("hazard").filter(has_text=REPORT_TEXT)
            expect(mine).to_have_count(1, timeout=10_000)
            report["officer_hazards_with_report"] = mine.count()
            mine.get_by_role("button", name=re.compile("^详情 ")).click()
            steps = mine.get_by_role("group", name=re.compile(" 的处理$"))
            expect(steps).to_be_visible(timeout=5_000)
            report["officer_steps"] = steps.locator("[data-step]").evaluate_all("bs => bs.map(b => b.dataset.step)")
            shot(page, "program-hazards")

            step = "assessment"
            ass = section("考核评分", "双重预防考核")
            # A hub without [[program.terms]] answers 404 here: shown, not a failure of the page.
            expect(ass.locator(".counts, .problem").first).to_be_visible(timeout=10_000)
            problem = ass.locator(".problem")
            report["assessment_problem"] = problem.first.inner_text() if problem.count() else None
            term = ass.get_by_label("学期", exact=True)
            report["assessment_term"] = term.input_value()
            report["assessment_units"] = ass.get_by_test_id("unit-score").count()
            shot(page, "program-assessment")

            step = "in English"
            page.get_by_role("button", name="English").click()
            en = page.get_by_role("region", name="Dual prevention", exact=True)
            en.get_by_role("navigation", name="Dual prevention sections").get_by_role("button", name="Hazards", exact=True).click()
            expect(en.get_by_test_id("hazard").filter(has_text=REPORT_TEXT)).to_have_count(1, timeout=10_000)
            shot(page, "program-hazards-en")
            page.get_by_role("button", name="中文").click()
            desk.close()
        except Exception as e:  # noqa: BLE001 - every failure says where it happened
            if current is not None:
                try:
                    shot(current, "failure")
                except Exception:  # noqa: BLE001
                    pass
            report["failed_at"] = step
            report["foreign"] = foreign
            print(json.dumps(report, ensure_ascii=False))
            sys.exit(f"program_browser.py failed at {step}: {type(e).__name__}: {e}")
        finally:
            browser.close()
            for f in os.listdir(tmp):
                os.remove(os.path.join(tmp, f))
            os.rmdir(tmp)

    report["foreign"] = foreign
    report["scroll_width"] = max(widths.values())
    report["scroll_widths"] = widths
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
