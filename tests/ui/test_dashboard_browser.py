"""The dashboard in a real headless Chromium, against a real server, driven as a person would.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them) and ``selenium``
(the test extra). A screenshot of each test's page is saved under ``$TEST_ARTIFACTS``
(default ``test-artifacts/`` at the repository's root).
"""
import os
import pathlib
import shutil
import tempfile

import pytest

from tests.eks.cluster_support import create_nodegroup
from tests.ecs.service_support import AWSVPC
from tests.ecs.task_support import register_instance
from tests.ui.support import ACCOUNT, SCRIPT, clients, estate

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="no Chromium and chromedriver on this machine "
                                       "(Debian: apt-get install chromium chromium-driver)")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

ARTIFACTS = pathlib.Path(os.environ.get("TEST_ARTIFACTS") or pathlib.Path(__file__).parents[2] / "test-artifacts")
# No network but the loopback: nothing of Chromium's own may call out.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1400,1000"]


@pytest.fixture(scope="module")
def browser():
    profile = tempfile.mkdtemp(prefix="dashboard-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.unhandled_prompt_behavior = "ignore"        # a test answers each dialog itself
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser, emulator_server, request):
    """The dashboard of the test's server, opened fresh; a screenshot of it is kept after the test."""
    yield Dashboard(browser, emulator_server.url)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        browser.switch_to.alert.dismiss()                  # a dialog left open would hide the page
    except NoAlertPresentException:
        pass
    browser.save_screenshot(str(ARTIFACTS / f"{request.node.name}.png"))


class Dashboard:
    def __init__(self, driver, url: str) -> None:
        self.driver, self.url = driver, url

    def open(self, query: str = "") -> "Dashboard":
        self.driver.get(f"{self.url}/_emulator/ui{query}")
        self.wait(lambda: self.refreshes() >= 1)
        return self

    def wait(self, condition, timeout: float = 10):
        """Wait for ``condition()``; an element redrawn under a lookup is looked up again."""
        return WebDriverWait(self.driver, timeout, poll_frequency=0.05,
                             ignored_exceptions=[StaleElementReferenceException]).until(lambda _: condition())

    def refreshes(self) -> int:
        return int(self.driver.execute_script("return Number(document.body.dataset.refreshes || 0)"))

    def next_refresh(self) -> None:
        """Wait until the page has read the state again (by itself, every 2 s)."""
        seen = self.refreshes()
        self.wait(lambda: self.refreshes() > seen)

    def find(self, css: str):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def all(self, css: str) -> list:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    # Texts are read in one script, so a redraw cannot come between finding an element and reading it.
    def texts(self, css: str) -> list[str]:
        return self.driver.execute_script(
            "return [...document.querySelectorAll(arguments[0])].map(e => e.innerText.trim())", css)

    def text(self, css: str) -> str | None:
        found = self.texts(css)
        return found[0] if found else None

    def field(self, key: str, field: str) -> str | None:
        return self.text(f'details[data-key="{key}"] > summary [data-field="{field}"]')

    def fields(self, css: str, field: str) -> list[str]:
        return self.texts(f'{css} details.item > summary [data-field="{field}"]')

    def click(self, css: str) -> None:
        self.wait(lambda: self.find(css).click() or True)

    def no_alert(self) -> bool:
        try:
            self.driver.switch_to.alert
        except NoAlertPresentException:
            return True
        return False


def test_an_empty_emulator_says_how_to_point_an_sdk_here(page, emulator_server):
    page.open()
    hint = page.text("#hint")
    assert f"aws --endpoint-url {emulator_server.url} ecs create-cluster --cluster-name demo" in hint
    assert f'endpoint_url="{emulator_server.url}", region_name="us-east-1"' in hint
    assert page.all(".card") == [] and page.all("#timeline li") == []
    from emulator import __version__
    page.wait(lambda: page.text("#version") == __version__)


def test_the_refresh_button_reads_the_state_when_auto_refresh_is_off(page, emulator_server):
    page.open()
    page.click("#auto-refresh")
    ecs = clients(emulator_server)[0]
    ecs.create_cluster(clusterName="late")
    instance = register_instance(ecs, "late")
    page.click("#refresh-now")
    page.wait(lambda: bool(page.all('[data-card$=":cluster/late"]')))
    assert page.all("#hint") == []
    key = instance["containerInstanceArn"]
    assert [page.field(key, f) for f in ("ec2InstanceId", "status", "agentConnected")] == [
        instance["ec2InstanceId"], "ACTIVE", "connected"]


def test_a_refused_clock_change_is_shown(page, emulator_server):
    page.open()
    seconds = page.find("#advance-seconds")
    seconds.clear()
    seconds.send_keys("-5")
    page.click("#advance")
    page.wait(lambda: page.text("#error") == "/_emulator/clock: the clock cannot go backwards")
    page.click("#freeze")
    page.wait(lambda: page.text("#clock-state") == "frozen")
    assert not page.find("#error").is_displayed() and emulator_server.clock.frozen


def test_resources_appear_with_their_states_and_move_when_the_page_advances_the_clock(page, emulator_server):
    ecs, eks = estate(emulator_server)
    page.open()
    prod = "arn:aws:ecs:us-east-1:123456789012:cluster/prod"
    assert page.text(f'[data-card="{prod}"] h3') == "ECS cluster prod ACTIVE"
    service = f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/prod/web"
    assert [page.field(service, f) for f in ("serviceName", "status", "desiredCount", "runningCount")] == [
        "web", "ACTIVE", "2", "0"]
    assert page.fields(f'[data-card="{prod}"] .tasks', "lastStatus") == ["PROVISIONING"] * 3
    assert sorted(page.fields(f'[data-card="{prod}"] .tasks', "group")) == ["family:web", "service:web", "service:web"]
    assert page.fields(".definitions", "name") == ["web:1"]
    dev = f"arn:aws:eks:us-east-1:{ACCOUNT}:cluster/dev"
    assert page.text(f'[data-card="{dev}"] h3') == "EKS cluster dev CREATING"
    assert page.text("#clock-now") == "2027-01-15 08:00:00 UTC" and page.text("#clock-state") == "frozen"
    assert not page.find("#unfreeze").get_property("disabled") and page.find("#freeze").get_property("disabled")

    seconds = page.find("#advance-seconds")
    seconds.clear()
    seconds.send_keys("900")
    page.click("#advance")
    page.wait(lambda: page.text("#clock-now") == "2027-01-15 08:15:00 UTC")
    assert page.fields(f'[data-card="{prod}"] .tasks', "lastStatus") == ["RUNNING"] * 3
    assert [page.field(service, f) for f in ("runningCount", "pendingCount")] == ["2", "0"]
    assert page.text(f'[data-card="{prod}"] [data-field="rolloutState"]') == "COMPLETED"
    assert page.text(f'[data-card="{dev}"] h3') == "EKS cluster dev ACTIVE"
    assert "endpoint https://" in page.text(f'[data-card="{dev}"] .facts')

    create_nodegroup(eks, "dev", "workers")                 # made by the user's code: the page sees it by itself
    page.wait(lambda: page.fields(f'[data-card="{dev}"] .nodegroups', "status") == ["CREATING"])
    eks.create_addon(clusterName="dev", addonName="vpc-cni")
    update = eks.update_cluster_config(name="dev", logging={"clusterLogging": [{"types": ["api"], "enabled": True}]})
    page.wait(lambda: page.fields(f'[data-card="{dev}"] .updates', "status") == ["InProgress"])
    assert page.text(f'[data-card="{dev}"] .updates h4') == "Updates (1) 1 in progress"
    assert page.fields(f'[data-card="{dev}"] .updates', "id") == [update["update"]["id"]]
    assert page.fields(f'[data-card="{dev}"] .addons', "status") == ["CREATING"]
    assert page.text(f'[data-card="{dev}"] h3') == "EKS cluster dev UPDATING"
    timeline = page.texts("#timeline li")
    assert "LoggingUpdate InProgress" in timeline[0] and "UpdateClusterConfig → 200" in timeline[1]
    assert "CreateNodegroup → 200" in "".join(timeline[:6])
    assert any("RUNNING" in line for line in timeline) and any("has reached a steady state" in line for line in timeline)
    assert not any("/_emulator" in line for line in timeline)


def test_a_script_in_a_tag_is_shown_as_text(page, emulator_server):
    estate(emulator_server)
    page.open()
    dev = f"arn:aws:eks:us-east-1:{ACCOUNT}:cluster/dev"
    assert page.text(f'[data-card="{dev}"] .tags [data-tag="owner"]') == f"owner={SCRIPT}"
    page.click(f'[data-card="{dev}"] > details.item > summary')
    assert f'"owner": "{SCRIPT}"' in page.text(f'details[data-key="{dev}"] .json')
    assert page.all("#resources script, #resources img, #timeline script") == []
    assert page.no_alert()


def test_the_open_panel_and_the_scroll_survive_refreshes(page, emulator_server):
    emulator_server.clock.freeze(1_800_000_000)
    ecs, _ = clients(emulator_server)
    ecs.create_cluster(clusterName="batch")
    ecs.register_task_definition(family="job", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256",
                                 memory="512", containerDefinitions=[{"name": "job", "image": "busybox"}])
    arns = []
    for _ in range(4):
        arns += [t["taskArn"] for t in ecs.run_task(
            cluster="batch", taskDefinition="job", launchType="FARGATE", count=10, networkConfiguration=AWSVPC)["tasks"]]
    page.open()
    arn = arns[-1]
    page.click(f'details[data-key="{arn}"] > summary')
    panel = f'details[data-key="{arn}"]'
    assert page.driver.execute_script("return document.querySelector(arguments[0]).open", panel) is True
    page.driver.execute_script(f"document.querySelector('{panel} .json').scrollTop = 120")
    page.driver.execute_script("window.scrollTo(0, 300)")
    ecs.stop_task(cluster="batch", task=arns[0], reason="enough")       # the state changes: the page redraws
    page.wait(lambda: page.field(arns[0], "desiredStatus") == "STOPPED")
    page.next_refresh()
    assert page.driver.execute_script("return document.querySelector(arguments[0]).open", panel) is True
    assert page.driver.execute_script("return window.scrollY") == 300
    assert page.driver.execute_script(f"return document.querySelector('{panel} .json').scrollTop") == 120


def test_reset_asks_first_then_leaves_an_empty_page(page, emulator_server):
    ecs, _ = estate(emulator_server)
    page.open()
    page.click("#reset")
    dialog = page.driver.switch_to.alert
    assert dialog.text.startswith("Reset the emulator?")
    dialog.dismiss()
    page.next_refresh()
    assert len(page.all(".card")) == 3 and ecs.list_clusters()["clusterArns"]
    page.click("#reset")
    page.driver.switch_to.alert.accept()
    page.wait(lambda: bool(page.all("#hint")))
    assert page.all(".card") == [] and ecs.list_clusters()["clusterArns"] == []
    assert page.text("#clock-state") == "running"


def test_the_selector_shows_another_account_and_region(page, emulator_server):
    emulator_server.clock.freeze(1_800_000_000)
    clients(emulator_server)[0].create_cluster(clusterName="here")
    clients(emulator_server, region="eu-west-1", access_key="222222222222")[0].create_cluster(clusterName="there")
    page.open()
    assert page.all('[data-card$=":cluster/here"]') and not page.all('[data-card$=":cluster/there"]')
    options = page.texts("#scope option")
    assert options == ["123456789012 · us-east-1", "222222222222 · eu-west-1"]
    Select(page.find("#scope")).select_by_visible_text("222222222222 · eu-west-1")
    page.wait(lambda: bool(page.all('[data-card$=":cluster/there"]')))
    assert page.driver.current_url.endswith("?account=222222222222&region=eu-west-1")
    page.driver.refresh()
    page.wait(lambda: bool(page.all('[data-card$=":cluster/there"]')))
