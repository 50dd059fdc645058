"""Shared test settings: a deterministic hypothesis profile (CI) and a quick dev one."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, deadline=None, max_examples=60, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile(
    "dev", deadline=None, max_examples=30,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# --- a real headless Chromium for the pages (Playwright with the system browser) ----------

import pathlib  # noqa: E402

import pytest  # noqa: E402

CHROMIUM = os.environ.get("STEPGRAD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
SCREENSHOTS = pathlib.Path(__file__).resolve().parent.parent / "out" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session (set STEPGRAD_CHROMIUM for another binary)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not pathlib.Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: install it or set STEPGRAD_CHROMIUM")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def open_page(browser):
    """Open a page from file:// with every request recorded and outside ones blocked;
    fails the test on a script error, a dialog or a request that left the page."""
    from playwright.sync_api import expect

    pages, requests, dialogs = [], [], []

    def opener(path: pathlib.Path, fragment: str = "", width: int = 1280, height: int = 800,
               ready: str = "#counter"):
        page = browser.new_page(viewport={"width": width, "height": height})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

        def route(r):
            requests.append(r.request.url)
            if r.request.url.startswith(("file:", "data:")):
                r.continue_()
            else:
                r.abort()

        page.route("**/*", route)
        page.on("request", lambda req: requests.append(req.url))
        page.goto(path.as_uri() + fragment)
        if ready:  # expect() polls from Python: the page's CSP forbids wait_for_function
            expect(page.locator(ready)).not_to_have_text("")
        page.errors = errors
        pages.append(page)
        return page

    yield opener
    for page in pages:
        assert page.errors == [], page.errors
        page.close()
    outside = [u for u in requests if not u.startswith(("file:", "data:"))]
    assert outside == [], f"requests left the page: {outside}"
    assert dialogs == []


@pytest.fixture(scope="session")
def screenshots() -> pathlib.Path:
    """Where browser tests keep screenshots for a reviewer to look at (not goldens)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


# --- the notebooks and the documentation site, built once per session ----------------
# tests/test_notebooks.py checks each run; tests/test_docs_site.py builds the site from
# the same runs (docs/build.py), so no notebook is executed twice.

import importlib.util  # noqa: E402
import sys  # noqa: E402


def docs_build():
    """docs/build.py as a module (it is a script, not part of the installed packages)."""
    name = "stepgrad_docs_build"
    if name not in sys.modules:  # one module for every test file (and its dataclasses)
        path = pathlib.Path(__file__).resolve().parent.parent / "docs" / "build.py"
        spec = importlib.util.spec_from_file_location(name, path)
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


@pytest.fixture(scope="session")
def executed_notebooks(tmp_path_factory):
    """Every notebook and how-to page run once in a Jupyter kernel: {page: Executed}."""
    build = docs_build()
    runs = build.execute_all(tmp_path_factory.mktemp("executed"))
    return {str(run.page.with_suffix("")): run for run in runs}


@pytest.fixture(scope="session")
def docs_site(executed_notebooks, tmp_path_factory):
    """The documentation site built from those runs; returns its folder."""
    work = tmp_path_factory.mktemp("docs")
    index = docs_build().build(work / "site", work, list(executed_notebooks.values()))
    return index.parent
