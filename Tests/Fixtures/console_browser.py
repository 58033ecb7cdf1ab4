"""Drives the node's operator console in headless Chromium through Selenium, as an operator would.

Run by ConsoleBrowserTests (Tests/OrganicFrameworkTests) against a real node with reference
miners; prints one JSON object with what it saw and exits non-zero at the first failed check.

    console_browser.py --admin-url http://127.0.0.1:PORT --token TOKEN --screenshots DIR \
        [--chromium /usr/bin/chromium] [--chromedriver /usr/bin/chromedriver] [--docs]

--docs writes the small PNGs of Docs/images (narrower window, palette-quantised with Pillow).
"""

import argparse
import json
import os
import sys

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

KEY_NAME = "Acme <staging>"  # markup in a name must come back as text


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--admin-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    parser.add_argument("--expected-actor", default="console")
    parser.add_argument("--docs", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)

    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    width = 1100 if args.docs else 1280
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={width},900", "--force-device-scale-factor=1", "--lang=en-US"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(args.chromedriver), options=options)
    driver.set_page_load_timeout(60)
    seen = {}
    try:
        run(driver, args, seen)
    except CheckFailed as failure:
        shoot(driver, args, "failure")
        seen["failure"] = str(failure)
        seen["url"] = driver.current_url
        print(json.dumps(seen, indent=2))
        return 1
    finally:
        driver.quit()
    print(json.dumps(seen, indent=2))
    return 0


def shoot(driver, args, name):
    path = os.path.join(args.screenshots, f"console-{name}.png")
    driver.save_screenshot(path)
    if args.docs:
        from PIL import Image  # only for the documentation's images
        image = Image.open(path).convert("RGB")
        image = image.quantize(colors=64, method=Image.Quantize.MEDIANCUT)
        image.save(path, optimize=True)


def wait_for(driver, condition, seconds=20):
    # Mid-navigation, chromedriver may also answer with a generic error about a node that left
    # the document; the condition is simply asked again.
    WebDriverWait(driver, seconds, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException,
                                                       WebDriverException)).until(condition)


def mark_page(driver):
    """Marks the current document, so that a wait can tell when another one has replaced it."""
    driver.execute_script("window.__consoleTestPage = true;")


def new_page_loaded(driver):
    return driver.execute_script("return window.__consoleTestPage !== true && document.readyState === 'complete';")


def submit(driver, form, selector="button[type=submit]"):
    """Submits `form` with its button and waits until the next page has loaded."""
    mark_page(driver)
    form.find_element(By.CSS_SELECTOR, selector).click()
    wait_for(driver, new_page_loaded)


def text(driver, selector):
    wait_for(driver, expected_conditions.presence_of_element_located((By.CSS_SELECTOR, selector)))
    return driver.find_element(By.CSS_SELECTOR, selector).text


def run(driver, args, seen):
    base = args.admin_url.rstrip("/")

    # Not signed in: the console sends the browser to the sign-in page.
    driver.get(base + "/console/keys")
    check(driver.current_url.endswith("/console/sign-in"), f"expected the sign-in page, got {driver.current_url}")

    # A wrong token fails: an error, no session.
    driver.find_element(By.ID, "token").send_keys("not-the-admin-token")
    submit(driver, driver.find_element(By.ID, "sign-in-form"))
    check("That is not the admin token" in text(driver, "#sign-in-error"), "no error after a wrong token")
    check(driver.get_cookie("organic_console") is None, "a wrong token made a session")
    shoot(driver, args, "sign-in-refused")
    seen["wrongTokenRefused"] = True

    # The right token signs in, with a strict, HttpOnly cookie scoped to /console.
    driver.find_element(By.ID, "token").send_keys(args.token)
    submit(driver, driver.find_element(By.ID, "sign-in-form"))
    check(driver.current_url.endswith("/console/keys"), f"sign-in did not open the keys page: {driver.current_url}")
    cookie = driver.get_cookie("organic_console")
    check(cookie is not None, "no session cookie")
    check(cookie.get("httpOnly") is True, f"cookie not HttpOnly: {cookie}")
    check(cookie.get("sameSite") == "Strict", f"cookie not SameSite=Strict: {cookie}")
    check(cookie.get("path") == "/console", f"cookie path: {cookie}")
    check(len(cookie.get("value", "")) == 43, "session id is not 256 bits")
    seen["cookie"] = {"httpOnly": cookie["httpOnly"], "sameSite": cookie["sameSite"], "path": cookie["path"]}

    # The skip link is the first thing the keyboard reaches, and it leads to the main content.
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    first = driver.switch_to.active_element
    check(first.get_attribute("class") == "skip", "the first Tab stop is not the skip link")
    first.send_keys(Keys.ENTER)
    check(driver.switch_to.active_element.get_attribute("id") == "main", "the skip link does not move focus to the main content")

    # Create a key: its secret is shown once, with a copy button.
    form = driver.find_element(By.ID, "create-key")
    form.find_element(By.ID, "name").send_keys(KEY_NAME)
    form.find_element(By.ID, "owner").send_keys("QA team")
    form.find_element(By.ID, "rate_limits").send_keys("10/s, 5000/day")
    form.find_element(By.ID, "expires_in_days").send_keys("30")
    form.find_element(By.ID, "refill_amount").send_keys("50")
    submit(driver, form)
    secret = text(driver, "#new-secret")
    check(secret.startswith("org_live_"), f"unexpected secret {secret!r}")
    copy = driver.find_element(By.CSS_SELECTOR, "button[data-copy=new-secret]")
    check(copy.is_displayed(), "the copy button is hidden (script not running?)")
    check(KEY_NAME in text(driver, "h1"), "the key name is not shown as text")
    check(driver.find_elements(By.CSS_SELECTOR, "h1 staging") == [], "markup in a key name was not escaped")
    key_id = text(driver, "#key-id")
    key_url = driver.current_url
    shoot(driver, args, "key-created")
    seen["keyID"] = key_id
    seen["secretShown"] = True

    # Shown once: a reload does not show it again, anywhere on the page.
    driver.get(key_url)
    check(driver.find_elements(By.ID, "new-secret") == [], "the secret is shown a second time")
    check(secret not in driver.page_source, "the secret is still in the page")
    seen["secretShownOnce"] = True

    # Listed, and found by search.
    driver.get(base + "/console/keys?q=QA+team")
    rows = driver.find_elements(By.CSS_SELECTOR, f"#keys-table tr[data-key-id='{key_id}']")
    check(len(rows) == 1, "the new key is not listed")
    check("10/s" in rows[0].text and "5000/day" in rows[0].text, "the key's limits are not listed")
    driver.get(base + "/console/keys")
    check(len(driver.find_elements(By.CSS_SELECTOR, "#keys-table tbody tr")) >= 2, "not every key is listed without a search")
    shoot(driver, args, "keys")
    seen["listed"] = True

    # Top up: the balance changes and the ledger names who did it and why.
    driver.get(key_url)
    before = text(driver, "#balance")
    form = driver.find_element(By.ID, "credit-form")
    form.find_element(By.ID, "amount").send_keys("25")
    form.find_element(By.ID, "reason").send_keys("invoice 42 paid")
    submit(driver, form)
    check(text(driver, "#balance") == "25", f"balance after the top-up: {text(driver, '#balance')}")
    check("Recorded +25 credits" in text(driver, "#flash"), "no confirmation after the top-up")
    line = driver.find_element(By.CSS_SELECTOR, "#ledger tbody tr")
    check(line.get_attribute("data-kind") == "grant", "the latest ledger line is not a grant")
    check(line.find_element(By.CSS_SELECTOR, ".actor").text == args.expected_actor,
          f"ledger actor is {line.find_element(By.CSS_SELECTOR, '.actor').text!r}")
    check(line.find_element(By.CSS_SELECTOR, ".note").text == "invoice 42 paid", "ledger reason missing")
    shoot(driver, args, "key")
    seen["balance"] = {"before": before, "after": text(driver, "#balance")}

    # Revoke (after confirming): the key says so, and its forms are gone.
    mark_page(driver)
    driver.find_element(By.CSS_SELECTOR, "#revoke-form button").click()
    wait_for(driver, expected_conditions.alert_is_present())
    driver.switch_to.alert.accept()
    wait_for(driver, new_page_loaded)
    check(text(driver, "#key-state") == "revoked", "the key does not say it is revoked")
    check(driver.find_elements(By.ID, "credit-form") == [], "a revoked key still offers credits")
    seen["revoked"] = True

    # Miners: the table, then a miner's page whose charts have data points.
    driver.get(base + "/console/miners")
    shoot(driver, args, "miners")
    links = driver.find_elements(By.CSS_SELECTOR, "#miners-table tbody a")
    check(links, "no miner listed")
    driver.get(links[0].get_attribute("href"))
    chart = driver.find_element(By.CSS_SELECTOR, "#rounds-chart svg")
    points = len(chart.find_elements(By.CSS_SELECTOR, "circle.point"))
    check(points > 0, "the miner's round chart has no data points")
    check(chart.get_attribute("role") == "img" and chart.find_element(By.TAG_NAME, "title").get_attribute("textContent"),
          "the chart has no accessible name")
    check(driver.find_elements(By.CSS_SELECTOR, "#rounds tbody tr"), "no recent rounds listed")
    driver.execute_script("document.getElementById('history-h').scrollIntoView();")
    shoot(driver, args, "miner")
    seen["minerChartPoints"] = points

    # Queues and traffic refresh in place: the page itself is not reloaded.
    driver.get(base + "/console/traffic")
    driver.execute_script("window.__stillHere = true;")
    wait_for(driver, lambda d: int(d.find_element(By.ID, "live").get_attribute("data-refreshed")) >= 2)
    check(driver.execute_script("return window.__stillHere === true;"), "the traffic page reloaded instead of refreshing")
    check(driver.find_elements(By.CSS_SELECTOR, "#queues tbody tr"), "no queue listed")
    shoot(driver, args, "traffic")
    seen["liveRefreshes"] = int(driver.find_element(By.ID, "live").get_attribute("data-refreshed"))

    # Usage charts, credits and payments render.
    driver.get(base + "/console/usage?days=7")
    bars = driver.find_elements(By.CSS_SELECTOR, "#usage-requests-title")
    check(bars, "no requests chart on the usage page")
    shoot(driver, args, "usage")
    driver.get(base + "/console/credits")
    check(driver.find_elements(By.ID, "operator-ledger"), "no operator ledger on the credits page")
    shoot(driver, args, "credits")
    driver.get(base + "/console/payments")
    states = [cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "#payments tbody td:last-child")]
    check("credited" in states and "refused: no such key" in states, f"payments shown: {states}")
    shoot(driver, args, "payments")

    # Phone width: nothing wider than the screen but the scrolling tables.
    driver.set_window_size(390, 844)
    driver.get(base + "/console/keys")
    overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth;")
    check(overflow <= 1, f"the keys page is {overflow}px wider than a phone")
    shoot(driver, args, "keys-phone")
    seen["phoneOverflow"] = overflow

    # Sign out ends the session.
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form.sign-out"))
    check(driver.current_url.endswith("/console/sign-in"), "sign-out did not return to the sign-in page")
    driver.get(base + "/console/keys")
    check(driver.current_url.endswith("/console/sign-in"), "the session survived sign-out")
    seen["signedOut"] = True


if __name__ == "__main__":
    sys.exit(main())
