//! Debian's Chromium, headless, driven through chromedriver (WebDriver) as a person would
//! use the console: pages opened, fields filled, buttons pressed. axe-core checks each page
//! for accessibility; screenshots are written under `target/console-screenshots/`.

use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// axe-core, fetched from the npm registry into the workspace's `target/` when missing.
const AXE_VERSION: &str = "4.11.0";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where the screenshots of the console go (not committed).
pub fn screenshot_dir() -> PathBuf {
    workspace().join("target/console-screenshots")
}

/// The source of axe-core, installed with npm on first use. Tests run on several threads:
/// the first to come installs it (into a fresh folder, then renamed into place, so no one
/// ever reads a half-written install) while the others wait for it.
fn axe_source() -> String {
    static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SOURCE
        .get_or_init(|| {
            let tools = workspace().join("target/browser-tools");
            let file = tools.join("node_modules/axe-core/axe.min.js");
            if !file.exists() {
                let staging = workspace().join(format!("target/browser-tools.{}", std::process::id()));
                let _ = std::fs::remove_dir_all(&staging);
                std::fs::create_dir_all(&staging).expect("target/browser-tools staging");
                let status = Command::new("npm")
                    .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
                    .arg(&staging)
                    .arg(format!("axe-core@{AXE_VERSION}"))
                    .status()
                    .expect("npm (Node.js) is needed to fetch axe-core for the console's accessibility checks");
                assert!(status.success(), "npm install axe-core@{AXE_VERSION} failed");
                let _ = std::fs::remove_dir_all(&tools);
                std::fs::rename(&staging, &tools).expect("target/browser-tools in place");
            }
            std::fs::read_to_string(&file).expect("axe.min.js")
        })
        .clone()
}

/// A headless Chromium with its own chromedriver and profile; both end on drop.
pub struct Browser {
    pub client: Client,
    /// Scripts of pages run (axe-core needs them: it runs in the page).
    javascript: bool,
    rt: tokio::runtime::Runtime,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let client = self.client.clone();
        let _ = self.rt.block_on(async move { client.close().await });
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl Browser {
    /// A browser whose preferred language is `lang`, with JavaScript on or off (Tor
    /// Browser's "safest" setting).
    pub fn start(lang: &str, javascript: bool) -> Self {
        assert!(
            Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists(),
            "the console's tests need Debian's chromium and chromium-driver (.ci/run installs them)"
        );
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().expect("profile");
        let mut prefs = serde_json::json!({ "intl.accept_languages": lang });
        if !javascript {
            prefs["profile.managed_default_content_settings.javascript"] = 2.into();
        }
        let caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,1400", format!("--lang={lang}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": prefs,
            }
        });
        let caps = caps.as_object().cloned().expect("capabilities");
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let deadline = Instant::now() + Duration::from_secs(60);
        let client = rt.block_on(async {
            loop {
                let attempt = ClientBuilder::native()
                    .capabilities(caps.clone())
                    .connect(&format!("http://127.0.0.1:{port}"))
                    .await;
                match attempt {
                    Ok(client) => break client,
                    Err(e) if Instant::now() > deadline => panic!("chromedriver did not start Chromium: {e}"),
                    Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
                }
            }
        });
        Self { client, javascript, rt, driver, _profile: profile }
    }

    pub fn goto(&self, url: &str) {
        self.rt.block_on(self.client.goto(url)).unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    pub fn url(&self) -> String {
        self.rt.block_on(self.client.current_url()).expect("current url").to_string()
    }

    pub fn source(&self) -> String {
        self.rt.block_on(self.client.source()).expect("page source")
    }

    /// The visible text of the first element matching `css` (read again when the page's
    /// polling replaced the element between finding and reading it).
    pub fn text(&self, css: &str) -> String {
        let mut attempts = 0;
        loop {
            match self.rt.block_on(async { self.client.find(Locator::Css(css)).await?.text().await }) {
                Ok(text) => return text,
                Err(e) if e.is_stale_element_reference() && attempts < 5 => attempts += 1,
                Err(e) => panic!("text of {css}: {e}"),
            }
        }
    }

    /// The current value of the form field `css`.
    pub fn value(&self, css: &str) -> String {
        self.rt
            .block_on(async { self.client.find(Locator::Css(css)).await?.prop("value").await })
            .unwrap_or_else(|e| panic!("value of {css}: {e}"))
            .unwrap_or_default()
    }

    /// The attribute `name` of the first element matching `css`.
    pub fn attribute(&self, css: &str, name: &str) -> String {
        self.rt
            .block_on(async { self.client.find(Locator::Css(css)).await?.attr(name).await })
            .unwrap_or_else(|e| panic!("{name} of {css}: {e}"))
            .unwrap_or_default()
    }

    pub fn exists(&self, css: &str) -> bool {
        self.rt.block_on(self.client.find_all(Locator::Css(css))).map(|v| !v.is_empty()).unwrap_or(false)
    }

    /// How many elements match `css`.
    pub fn count(&self, css: &str) -> usize {
        self.rt.block_on(self.client.find_all(Locator::Css(css))).map(|v| v.len()).unwrap_or(0)
    }

    /// Sets the date field `css` to `yyyy_mm_dd` (typing into it depends on the browser's
    /// locale; the value is what the form posts).
    pub fn fill_date(&self, css: &str, yyyy_mm_dd: &str) {
        self.set_value(css, yyyy_mm_dd);
    }

    /// Sets the value of the field `css` as its form posts it (a date, a time: typing into
    /// those depends on the browser's locale).
    pub fn set_value(&self, css: &str, value: &str) {
        let script = "document.querySelector(arguments[0]).value = arguments[1]";
        self.rt
            .block_on(self.client.execute(script, vec![css.into(), value.into()]))
            .unwrap_or_else(|e| panic!("set {css}: {e}"));
    }

    /// Types `text` into the field `css` (emptied first).
    pub fn fill(&self, css: &str, text: &str) {
        self.rt
            .block_on(async {
                let field = self.client.find(Locator::Css(css)).await?;
                field.clear().await?;
                field.send_keys(text).await
            })
            .unwrap_or_else(|e| panic!("fill {css}: {e}"));
    }

    /// Removes the attribute `name` of `css` (a browser-side check, to reach the server's).
    pub fn remove_attribute(&self, css: &str, name: &str) {
        let script = "document.querySelector(arguments[0]).removeAttribute(arguments[1])";
        self.rt
            .block_on(self.client.execute(script, vec![css.into(), name.into()]))
            .unwrap_or_else(|e| panic!("remove {name} of {css}: {e}"));
    }

    /// Gives the file at `path` to the file input `css`.
    pub fn attach(&self, css: &str, path: &Path) {
        let path = path.to_str().expect("a UTF-8 path");
        self.rt
            .block_on(async { self.client.find(Locator::Css(css)).await?.send_keys(path).await })
            .unwrap_or_else(|e| panic!("attach {path} to {css}: {e}"));
    }

    /// Chooses the option `value` of the select `css`.
    pub fn select(&self, css: &str, value: &str) {
        self.rt
            .block_on(async { self.client.find(Locator::Css(css)).await?.select_by_value(value).await })
            .unwrap_or_else(|e| panic!("select {value} in {css}: {e}"));
    }

    /// Clicks `css` and waits for the page it loads: the old document is gone (its root
    /// element is stale) and the new one has loaded.
    pub fn click(&self, css: &str) {
        let root = self.rt.block_on(self.client.find(Locator::Css("html"))).expect("the page's root element");
        self.press(css);
        self.wait_for(&format!("a new page after clicking {css}"), || {
            self.rt.block_on(root.tag_name()).is_err_and(|e| e.is_stale_element_reference())
        });
        self.settle();
    }

    /// Clicks `css` where no new page follows (a radio button, a disclosure).
    pub fn press(&self, css: &str) {
        self.rt
            .block_on(async { self.client.find(Locator::Css(css)).await?.click().await })
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Waits until the document has loaded.
    fn settle(&self) {
        self.wait_for("the page to load", || {
            let state = self.rt.block_on(self.client.execute("return document.readyState", vec![]));
            state.ok().and_then(|v| v.as_str().map(|s| s == "complete")).unwrap_or(false)
        });
    }

    /// Waits (a minute at most) for `done`, checking it every quarter second.
    pub fn wait_for(&self, what: &str, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !done() {
            assert!(Instant::now() < deadline, "waited a minute for {what}");
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// The serious and critical WCAG 2.1 A/AA violations axe-core finds on this page.
    pub fn accessibility_violations(&self) -> Vec<String> {
        let axe = axe_source();
        self.rt.block_on(self.client.execute(&format!("{axe}\n;return true;"), vec![])).expect("inject axe-core");
        let script = r#"
            const done = arguments[arguments.length - 1];
            axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
              .then(r => done({
                 passes: r.passes.length,
                 violations: r.violations
                   .filter(v => v.impact === 'serious' || v.impact === 'critical')
                   .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', ')) }))
              .catch(e => done({ passes: 0, violations: ['axe failed: ' + e] }));
        "#;
        let found = self.rt.block_on(self.client.execute_async(script, vec![])).expect("run axe-core");
        // A run that checked nothing proves nothing.
        assert!(found["passes"].as_u64().unwrap_or(0) > 0, "axe-core checked no rule: {found}");
        serde_json::from_value(found["violations"].clone()).expect("violations")
    }

    /// Checks the page with axe-core and keeps its screenshot as `name.png`. Without
    /// JavaScript axe-core cannot run in the page; the same pages are checked with it on.
    pub fn check_page(&self, name: &str) {
        if self.javascript {
            let violations = self.accessibility_violations();
            assert!(violations.is_empty(), "{name}: accessibility violations {violations:#?}");
        }
        // The whole page, not only what the window shows: the window grows to the page's
        // height for the picture, then returns to its size.
        let height = self
            .rt
            .block_on(self.client.execute("return document.documentElement.scrollHeight", vec![]))
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(1400)
            .clamp(1400, 12_000);
        let _ = self.rt.block_on(self.client.set_window_size(1280, u32::try_from(height).unwrap_or(1400) + 140));
        let png = self.rt.block_on(self.client.screenshot()).expect("screenshot");
        let _ = self.rt.block_on(self.client.set_window_size(1280, 1400));
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    /// The browser's cookie `name`, if set.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.rt.block_on(self.client.get_named_cookie(name)).ok().map(|c| c.value().to_owned())
    }
}
