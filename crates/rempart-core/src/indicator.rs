//! Indicators of compromise and their normalised form.
//!
//! Two reports of the same thing must meet in the database, whoever typed them and
//! however: `EVIL.example.`, `evil[.]example` and `évil.example` are each one domain;
//! `2001:DB8:0:0::1` and `2001:db8::1` one address; `0033 6 12 34 56 78` and
//! `+33 (0)6 12-34-56-78` one phone number. Values shared "defanged" (`hxxp://`, `[.]`,
//! `[@]`), as analysts do so that nobody clicks them, are refanged first.

use serde::{Deserialize, Serialize};
use std::net::IpAddr;

crate::vocab::vocabulary! {
    /// What an indicator value is. The text form is snake_case (`hash_sha256`); the
    /// hyphenated spelling (`hash-sha256`) is accepted on input by [`IndicatorKind::parse_lenient`].
    IndicatorKind ("indicator type") {
        Domain, Ip, Cidr, Url, Email, Phone, HashMd5, HashSha1, HashSha256, FileName, LicencePlate, Other
    }
}

impl IndicatorKind {
    /// Like [`IndicatorKind::parse`], also accepting `hash-md5` style spellings.
    pub fn parse_lenient(value: &str) -> Result<Self, crate::vocab::UnknownVariant> {
        Self::parse(&value.trim().to_ascii_lowercase().replace('-', "_"))
    }
}

/// Why a value is not a valid indicator of its kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a valid {kind} indicator: {reason}")]
pub struct IndicatorError {
    pub kind: IndicatorKind,
    pub value: String,
    pub reason: String,
}

/// An indicator whose value is in canonical form for its kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NormalizedIndicator {
    pub kind: IndicatorKind,
    pub value: String,
}

impl NormalizedIndicator {
    /// Normalises `raw` as an indicator of `kind`, with no default region for phone
    /// numbers (a national number keeps its digits as written).
    pub fn parse(kind: IndicatorKind, raw: &str) -> Result<Self, IndicatorError> {
        Self::parse_with(kind, raw, IndicatorRules::default())
    }

    /// Normalises `raw` as an indicator of `kind` under the helpline's rules: a national
    /// phone number is read in `rules.default_region` and stored in E.164.
    pub fn parse_with(kind: IndicatorKind, raw: &str, rules: IndicatorRules) -> Result<Self, IndicatorError> {
        let fail = |reason: &str| IndicatorError { kind, value: raw.to_owned(), reason: reason.to_owned() };
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(fail("empty value"));
        }
        if trimmed.len() > 2048 {
            return Err(fail("longer than 2048 bytes"));
        }
        let value = match kind {
            IndicatorKind::Domain => normalize_domain(&refang(trimmed)).map_err(|r| fail(&r))?,
            IndicatorKind::Ip => normalize_ip(&refang(trimmed)).map_err(|r| fail(&r))?,
            IndicatorKind::Cidr => normalize_cidr(&refang(trimmed)).map_err(|r| fail(&r))?,
            IndicatorKind::Url => normalize_url(&refang(trimmed)).map_err(|r| fail(&r))?,
            IndicatorKind::Email => {
                crate::EmailAddress::parse(&refang(trimmed)).map(String::from).map_err(|e| fail(e.reason))?
            }
            IndicatorKind::Phone => crate::phone::normalize(trimmed, rules.default_region).map_err(|r| fail(&r))?,
            IndicatorKind::HashMd5 => normalize_hex(trimmed, 32).map_err(|r| fail(&r))?,
            IndicatorKind::HashSha1 => normalize_hex(trimmed, 40).map_err(|r| fail(&r))?,
            IndicatorKind::HashSha256 => normalize_hex(trimmed, 64).map_err(|r| fail(&r))?,
            IndicatorKind::FileName => normalize_file_name(trimmed).map_err(|r| fail(&r))?,
            IndicatorKind::LicencePlate => normalize_plate(trimmed).map_err(|r| fail(&r))?,
            IndicatorKind::Other => collapse_whitespace(trimmed),
        };
        Ok(Self { kind, value })
    }
}

/// How the helpline reads indicators that depend on where it works.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndicatorRules {
    /// Region of national phone numbers (`06 12 34 56 78` read in FR is `+33612345678`).
    pub default_region: Option<crate::phone::PhoneRegion>,
}

/// Every (kind, normalised value) a looked-up value could stand for, so that a lookup of
/// `+33 6 12 34 56 78` or `Evil[.]Example` finds what was stored, whatever kind it was
/// filed under. `Other` always matches the whitespace-collapsed input.
pub fn lookup_candidates(raw: &str) -> Vec<NormalizedIndicator> {
    lookup_candidates_with(raw, IndicatorRules::default())
}

/// [`lookup_candidates`] under the helpline's rules. A phone number also matches the
/// forms stored before a default region was set: its national digits, and the digits
/// as written.
pub fn lookup_candidates_with(raw: &str, rules: IndicatorRules) -> Vec<NormalizedIndicator> {
    let mut out: Vec<NormalizedIndicator> =
        IndicatorKind::all().filter_map(|kind| NormalizedIndicator::parse_with(kind, raw, rules).ok()).collect();
    if let Some(region) = rules.default_region {
        let phones: Vec<String> =
            out.iter().filter(|c| c.kind == IndicatorKind::Phone).map(|c| c.value.clone()).collect();
        for value in phones {
            for older in crate::phone::earlier_forms(raw, &value, region) {
                out.push(NormalizedIndicator { kind: IndicatorKind::Phone, value: older });
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Undoes the usual defanging of shared indicators.
fn refang(s: &str) -> String {
    let mut out = s.to_owned();
    for (from, to) in [
        ("[.]", "."),
        ("(.)", "."),
        ("{.}", "."),
        ("[dot]", "."),
        ("(dot)", "."),
        ("[:]", ":"),
        ("[://]", "://"),
        ("[@]", "@"),
        ("(@)", "@"),
        ("[at]", "@"),
        ("(at)", "@"),
    ] {
        out = out.replace(from, to);
    }
    let lower = out.to_ascii_lowercase();
    for (from, to) in [("hxxps", "https"), ("hxxp", "http"), ("fxp", "ftp")] {
        if lower.starts_with(from) {
            out = format!("{to}{}", &out[from.len()..]);
            break;
        }
    }
    out
}

/// Lower-case ASCII (punycode) form of a DNS name, without the trailing root dot.
/// At least two labels; labels of letters, digits, `-` and `_`, 1 to 63 bytes.
pub(crate) fn normalize_domain(raw: &str) -> Result<String, String> {
    let s = raw.trim().trim_end_matches('.');
    if s.is_empty() {
        return Err("empty domain".into());
    }
    if s.parse::<IpAddr>().is_ok() {
        return Err("an IP address, not a domain".into());
    }
    let ascii = idna::domain_to_ascii(s).map_err(|_| "not a valid internationalised domain name".to_owned())?;
    if ascii.len() > 253 {
        return Err("longer than 253 characters".into());
    }
    let labels: Vec<&str> = ascii.split('.').collect();
    if labels.len() < 2 {
        return Err("needs at least two labels (name.tld)".into());
    }
    for label in &labels {
        if label.is_empty() || label.len() > 63 {
            return Err("a label is empty or longer than 63 characters".into());
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("a label starts or ends with a hyphen".into());
        }
        if !label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_') {
            return Err("a label holds a character not allowed in host names".into());
        }
    }
    if labels.last().is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit())) {
        return Err("the top-level label is numeric".into());
    }
    Ok(ascii)
}

fn normalize_ip(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    let s = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')).unwrap_or(s);
    if s.contains('%') {
        return Err("zone identifiers (%iface) are local to a machine".into());
    }
    let ip: IpAddr =
        s.parse().map_err(|_| "not an IPv4 or IPv6 address (IPv4 octets without leading zeros)".to_owned())?;
    Ok(ip.to_canonical().to_string())
}

fn normalize_cidr(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    if !s.contains('/') {
        return Err("missing /prefix length (use the ip type for a single address)".into());
    }
    let net: ipnet::IpNet =
        s.parse().map_err(|_| "not an address/prefix such as 192.0.2.0/24 or 2001:db8::/32".to_owned())?;
    Ok(net.trunc().to_string())
}

fn normalize_url(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    if !s.contains("://") {
        // `mailto:x`, `tel:x`, `data:...` are not web addresses; `example.org:8080/x` is one
        // without its scheme (its "scheme" would hold a dot).
        if let Ok(u) = url::Url::parse(s)
            && u.cannot_be_a_base()
            && !u.scheme().contains('.')
        {
            return Err(format!("`{}:` is not a web address scheme", u.scheme()));
        }
    }
    let with_scheme = if s.contains("://") { s.to_owned() } else { format!("http://{s}") };
    let mut url = url::Url::parse(&with_scheme).map_err(|e| format!("not a URL ({e})"))?;
    match url.host() {
        None => return Err("no host".into()),
        Some(url::Host::Domain(d)) => {
            let d = d.to_owned();
            let normal = normalize_domain(&d)?;
            if normal != d {
                url.set_host(Some(&normal)).map_err(|e| format!("bad host ({e})"))?;
            }
        }
        Some(_) => {}
    }
    url.set_fragment(None);
    Ok(url.to_string())
}

fn normalize_hex(raw: &str, len: usize) -> Result<String, String> {
    let s = raw.trim();
    if s.len() != len || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("expected {len} hexadecimal digits"));
    }
    Ok(s.to_ascii_lowercase())
}

fn normalize_file_name(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    if s.chars().any(char::is_control) {
        return Err("control characters".into());
    }
    if s.len() > 255 {
        return Err("longer than 255 bytes".into());
    }
    Ok(s.to_lowercase())
}

fn normalize_plate(raw: &str) -> Result<String, String> {
    let mut out = String::new();
    for c in raw.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_uppercase());
        } else if !matches!(c, ' ' | '-' | '.' | '·' | '\u{a0}') {
            return Err(format!("unexpected character `{c}`"));
        }
    }
    if !(2..=12).contains(&out.chars().count()) {
        return Err("a plate has 2 to 12 letters and digits".into());
    }
    Ok(out)
}

/// `s` without `prefix` (ASCII, any case), safe on any UTF-8 input.
pub(crate) fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::IndicatorKind::*;
    use super::*;

    fn norm(kind: IndicatorKind, raw: &str) -> Result<String, IndicatorError> {
        NormalizedIndicator::parse(kind, raw).map(|i| i.value)
    }

    #[test]
    fn tricky_inputs_normalise_to_one_form() {
        let table: &[(IndicatorKind, &str, &str)] = &[
            (Domain, "Example.ORG", "example.org"),
            (Domain, "example.org.", "example.org"),
            (Domain, " evil[.]example ", "evil.example"),
            (Domain, "münchen.de", "xn--mnchen-3ya.de"),
            (Domain, "MÜNCHEN.DE", "xn--mnchen-3ya.de"),
            (Domain, "xn--mnchen-3ya.de", "xn--mnchen-3ya.de"),
            (Domain, "пример.рф", "xn--e1afmkfd.xn--p1ai"),
            (Domain, "_dmarc.example.org", "_dmarc.example.org"),
            (Ip, "192.0.2.1", "192.0.2.1"),
            (Ip, "192[.]0[.]2[.]1", "192.0.2.1"),
            (Ip, "2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
            (Ip, "[2001:db8::1]", "2001:db8::1"),
            (Ip, "::ffff:192.0.2.1", "192.0.2.1"),
            (Ip, "::1", "::1"),
            (Cidr, "192.0.2.77/24", "192.0.2.0/24"),
            (Cidr, "2001:DB8::1/32", "2001:db8::/32"),
            (Url, "HTTP://Example.ORG:80/Path?q=1#frag", "http://example.org/Path?q=1"),
            (Url, "https://example.org:8443/login", "https://example.org:8443/login"),
            (Url, "hxxps://evil[.]example/x", "https://evil.example/x"),
            (Url, "evil.example/phish", "http://evil.example/phish"),
            (Url, "https://münchen.de/", "https://xn--mnchen-3ya.de/"),
            (Url, "http://[2001:DB8::1]:8080/", "http://[2001:db8::1]:8080/"),
            (Url, "https://example.org", "https://example.org/"),
            (Url, "example.org:8080/x", "http://example.org:8080/x"),
            (Url, "http://paypal.example@evil.example/", "http://paypal.example@evil.example/"),
            (Email, "Ana[@]Example[.]org", "ana@example.org"),
            (Email, "<ana@EXAMPLE.org>", "ana@example.org"),
            (Phone, "+33 6 12 34 56 78", "+33612345678"),
            (Phone, "0033 6 12 34 56 78", "+33612345678"),
            (Phone, "+33 (0)6 12-34-56-78", "+33612345678"),
            (Phone, "tel:+1-202-555-0143", "+12025550143"),
            (Phone, "(202) 555.0143", "2025550143"),
            (Phone, "06 12 34 56 78", "0612345678"),
            (HashMd5, "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e"),
            (HashSha1, " da39a3ee5e6b4b0d3255bfef95601890afd80709 ", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            (
                HashSha256,
                "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            (FileName, " Facture_2026.PDF.exe ", "facture_2026.pdf.exe"),
            (LicencePlate, "ab-123-cd", "AB123CD"),
            (LicencePlate, "AB 123 CD", "AB123CD"),
            (Other, "  some   free\ttext ", "some free text"),
        ];
        for (kind, input, want) in table {
            assert_eq!(norm(*kind, input).as_deref(), Ok(*want), "{kind} {input:?}");
        }
    }

    #[test]
    fn invalid_values_are_refused_with_a_reason() {
        let table: &[(IndicatorKind, &str)] = &[
            (Domain, ""),
            (Domain, "localhost"),
            (Domain, "192.0.2.1"),
            (Domain, "exa mple.org"),
            (Domain, "-bad.example"),
            (Domain, "a..b"),
            (Domain, "example.123"),
            (Ip, "192.0.2.256"),
            (Ip, "01.2.3.4"),
            (Ip, "fe80::1%eth0"),
            (Ip, "example.org"),
            (Cidr, "192.0.2.0"),
            (Cidr, "192.0.2.0/33"),
            (Url, "http://"),
            (Url, "mailto:ana@example.org"),
            (Email, "not-an-email"),
            (Phone, "+0 123 456 789"),
            (Phone, "+33 6 12 34 56 78 90 12 34"),
            (Phone, "call me"),
            (Phone, "12"),
            (HashMd5, "d41d8cd98f00b204e9800998ecf8427"),
            (HashSha1, "zz39a3ee5e6b4b0d3255bfef95601890afd80709"),
            (HashSha256, "e3b0c442"),
            (FileName, "a\u{0}b"),
            (LicencePlate, "A"),
            (LicencePlate, "AB_123"),
            (Other, "   "),
        ];
        for (kind, input) in table {
            let err = norm(*kind, input).expect_err(&format!("accepted {kind} {input:?}"));
            assert!(!err.reason.is_empty());
            assert_eq!(err.kind, *kind);
        }
    }

    #[test]
    fn lenient_kind_spelling() {
        assert_eq!(IndicatorKind::parse_lenient("hash-sha256"), Ok(HashSha256));
        assert_eq!(IndicatorKind::parse_lenient("Licence-Plate"), Ok(LicencePlate));
        assert!(IndicatorKind::parse_lenient("hash").is_err());
    }

    #[test]
    fn lookup_candidates_cover_each_plausible_kind() {
        let c = lookup_candidates("Evil[.]Example");
        assert!(c.contains(&NormalizedIndicator { kind: Domain, value: "evil.example".into() }), "{c:?}");
        assert!(c.contains(&NormalizedIndicator { kind: Url, value: "http://evil.example/".into() }), "{c:?}");
        let c = lookup_candidates("0033 6 12 34 56 78");
        assert!(c.contains(&NormalizedIndicator { kind: Phone, value: "+33612345678".into() }), "{c:?}");
        let c = lookup_candidates("AB-123-CD");
        assert!(c.contains(&NormalizedIndicator { kind: LicencePlate, value: "AB123CD".into() }), "{c:?}");
        assert!(!c.iter().any(|i| i.kind == Ip || i.kind == Phone), "{c:?}");
    }

    proptest::proptest! {
        /// Normalising a normalised value changes nothing, for every kind.
        #[test]
        fn normalisation_is_idempotent(kind_index in 0usize..12, raw in "\\PC{0,40}") {
            let kind = IndicatorKind::all().nth(kind_index).unwrap_or(Other);
            if let Ok(once) = NormalizedIndicator::parse(kind, &raw) {
                let twice = NormalizedIndicator::parse(kind, &once.value);
                proptest::prop_assert_eq!(Ok(once.clone()), twice, "{:?}", raw);
            }
        }
    }
}
