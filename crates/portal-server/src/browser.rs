//! Short browser labels, such as "Chrome on Linux", for the sessions page.
//!
//! The label comes from a fixed list of browser and system names, so it never stores the
//! `User-Agent` header itself (which can carry device models and build numbers) and its
//! length is bounded.

/// Bytes of the header that are inspected; real browsers send well under this.
const MAX_INSPECTED_BYTES: usize = 1024;

/// Browser names by a product token of the header, checked in order, because most browsers
/// also name the engines they are compatible with (Edge and Opera send `Chrome/` too, and
/// Chrome sends `Safari/`).
const BROWSERS: [(&str, &str); 12] = [
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Version/", "Safari"),
    ("Safari/", "Safari"),
];

/// Operating system names by a token of the header, checked in order (Android also sends
/// `Linux`, and iOS sends `like Mac OS X`).
const SYSTEMS: [(&str, &str); 8] = [
    ("Windows", "Windows"),
    ("iPhone", "iOS"),
    ("iPod", "iOS"),
    ("iPad", "iPadOS"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
];

/// Returns a label such as "Firefox on Windows" for a `User-Agent` header, or `None` when the
/// header names no browser or system on the lists.
pub fn browser_label(user_agent: &str) -> Option<String> {
    let inspected = prefix(user_agent, MAX_INSPECTED_BYTES);
    let find = |names: &[(&str, &'static str)]| {
        names
            .iter()
            .find(|(token, _)| inspected.contains(token))
            .map(|(_, name)| *name)
    };
    match (find(&BROWSERS), find(&SYSTEMS)) {
        (Some(browser), Some(system)) => Some(format!("{browser} on {system}")),
        (Some(browser), None) => Some(browser.to_owned()),
        (None, Some(system)) => Some(format!("Unknown browser on {system}")),
        (None, None) => None,
    }
}

/// Returns at most `max` bytes of `text`, cut at a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::browser_label;

    #[test]
    fn labels_of_common_browsers() {
        let cases = [
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                "Chrome on Linux",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
                "Chrome on Linux",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
                "Firefox on Windows",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                "Edge on Windows",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
                "Safari on macOS",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
                "Safari on iOS",
            ),
            (
                "Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
                "Chrome on iPadOS",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
                "Samsung Internet on Android",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
                "Chrome on Android",
            ),
            (
                "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                "Chrome on ChromeOS",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0",
                "Opera on Windows",
            ),
        ];
        for (user_agent, label) in cases {
            assert_eq!(
                browser_label(user_agent).as_deref(),
                Some(label),
                "{user_agent}"
            );
        }
    }

    #[test]
    fn partial_and_unknown_headers() {
        assert_eq!(
            browser_label("Firefox/133.0").as_deref(),
            Some("Firefox"),
            "a browser without a system"
        );
        assert_eq!(
            browser_label("SomeTool/1.0 (Windows NT 10.0)").as_deref(),
            Some("Unknown browser on Windows"),
            "a system without a browser"
        );
        assert_eq!(browser_label("curl/8.5.0"), None, "a tool");
        assert_eq!(browser_label(""), None, "an empty header");
    }

    #[test]
    fn label_never_copies_header() {
        let hostile = format!("<script>{}</script> Firefox/1", "x".repeat(10_000));
        assert_eq!(
            browser_label(&hostile),
            None,
            "tokens past 1 KiB are ignored"
        );
        let label =
            browser_label("Mozilla/5.0 (Pixel 8; Android 14) Firefox/133.0 secret-build-42")
                .expect("a known browser");
        assert_eq!(label, "Firefox on Android", "only listed names are kept");
    }
}
