//! The effective configuration, as administrators read it in the console: every key with
//! its value and where it came from (the built-in defaults, a file, an environment
//! variable, the command line). Secrets never show: a key naming a secret, a password or a
//! token reads "set" or "not set", and a database URL loses its password.

use std::collections::BTreeMap;
use toml::{Table, Value};

/// Words in a key's last part that mark its value as a secret.
const SECRET_WORDS: [&str; 4] = ["secret", "password", "token", "passphrase"];

/// Every key of `table` (flattened, `section.key`) with its shown value and its origin.
pub fn entries(table: &Table, origins: &BTreeMap<String, String>) -> Vec<rempart_web::ConfigEntry> {
    let mut out = Vec::new();
    flatten(table, "", &mut out);
    out.into_iter()
        .map(|(key, value)| {
            let origin = origins.get(&key).cloned().unwrap_or_else(|| "config/default.toml".to_owned());
            let value = shown(&key, &value);
            rempart_web::ConfigEntry { key, value, origin }
        })
        .collect()
}

fn flatten(table: &Table, prefix: &str, out: &mut Vec<(String, Value)>) {
    for (k, v) in table {
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            Value::Table(t) => flatten(t, &key, out),
            other => out.push((key, other.clone())),
        }
    }
}

/// The value as it may be shown.
fn shown(key: &str, value: &Value) -> String {
    let last = key.rsplit('.').next().unwrap_or(key);
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if SECRET_WORDS.iter().any(|w| last.contains(w)) {
        return if text.is_empty() { "(not set)".to_owned() } else { "(set, not shown)".to_owned() };
    }
    if key == "database.url" {
        return without_password(&text);
    }
    text
}

/// A URL with its password replaced (`postgres://rempart:***@db/rempart`).
fn without_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show() {
        let table: Table = toml::from_str(
            "[auth]\njwt_secret = \"s3cr3t-value\"\nmetrics_token = \"\"\n\
             [database]\nurl = \"postgres://rempart:hunter2@db.example/rempart\"\n\
             [mail.smtp]\npassword = \"p4ss\"\nhost = \"smtp.example\"\n",
        )
        .expect("toml");
        let mut origins = BTreeMap::new();
        origins.insert("mail.smtp.host".to_owned(), "environment variable REMPART_MAIL__SMTP__HOST".to_owned());
        let all = entries(&table, &origins);
        let text = format!("{all:?}");
        assert!(!text.contains("s3cr3t") && !text.contains("hunter2") && !text.contains("p4ss"), "{text}");
        let find = |k: &str| all.iter().find(|e| e.key == k).expect(k);
        assert_eq!(find("auth.jwt_secret").value, "(set, not shown)");
        assert_eq!(find("auth.metrics_token").value, "(not set)");
        assert_eq!(find("database.url").value, "postgres://rempart:***@db.example/rempart");
        assert_eq!(find("mail.smtp.host").origin, "environment variable REMPART_MAIL__SMTP__HOST");
        assert_eq!(find("mail.smtp.host").value, "smtp.example");
    }
}
