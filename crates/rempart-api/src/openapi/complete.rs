//! What every operation of the document shares, added once rather than on 78 handlers:
//! the answers the edge, the extractors and the authentication give before a handler
//! runs, and the rule that no text may hold a NUL character.
//!
//! Each rule mirrors one piece of code: `guard::edge` (NUL, oversize), the JSON and query
//! extractors (`lib.rs`), `AuthUser` (401), and the handlers' lookups by path id (404).

use serde_json::{Map, Value, json};

/// A string without NUL (`guard::edge` answers 422 for one in the URL or the body).
pub const NO_NUL: &str = "^[^\\u0000]*$";

/// Adds the shared answers and constraints to every operation of `doc`.
pub fn complete(doc: &mut Value) {
    let mut request_schemas = Vec::new();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for operation in item.values_mut().filter_map(Value::as_object_mut) {
                complete_operation(operation, &mut request_schemas);
            }
        }
    }
    // Request bodies refer to component schemas: their strings refuse NUL too.
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = request_schemas.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = doc.pointer_mut(&format!("/components/schemas/{name}")) {
            forbid_nul(schema, &mut request_schemas);
        }
    }
}

fn complete_operation(op: &mut Map<String, Value>, request_schemas: &mut Vec<String>) {
    let secured = op.get("security").and_then(Value::as_array).is_some_and(|s| !s.is_empty());
    let mut in_path = false;
    let mut in_query = false;
    if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
        for param in params.iter_mut() {
            match param.get("in").and_then(Value::as_str) {
                Some("path") => in_path = true,
                Some("query") => in_query = true,
                _ => {}
            }
            if let Some(schema) = param.get_mut("schema") {
                forbid_nul(schema, request_schemas);
            }
        }
    }
    let has_body = op.contains_key("requestBody");
    if let Some(body) = op.get_mut("requestBody") {
        forbid_nul(body, request_schemas);
        // A form takes only its documented fields (the upload refuses any other part).
        if let Some(form) = body.pointer_mut("/content/multipart~1form-data/schema").and_then(Value::as_object_mut) {
            form.entry("additionalProperties").or_insert(Value::Bool(false));
        }
    }
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { return };
    let mut add = |status: &str, description: &str| {
        responses.entry(status.to_owned()).or_insert_with(|| problem(description));
    };
    if secured {
        add("401", "No valid bearer token (missing, expired, revoked), or a password change is due");
    }
    if in_path {
        add("404", "Nothing with this id, or nothing you may see");
    }
    if in_path || in_query || has_body {
        add("400", "A parameter or the body cannot be read");
        add("422", "A value is not valid (the problem's `errors` name the fields), or holds a NUL character");
    }
    if has_body {
        add("413", "The body is larger than the server accepts");
        add("415", "The body is not of the documented media type");
    }
}

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    })
}

/// Every string of `schema` (and of what it refers to, collected in `refs`) refuses NUL,
/// unless it already has a pattern, a format or a closed list of values.
fn forbid_nul(schema: &mut Value, refs: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(name) =
                map.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                refs.push(name.to_owned());
            }
            let is_string = match map.get("type") {
                Some(Value::String(t)) => t == "string",
                Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
                _ => false,
            };
            let constrained =
                ["pattern", "format", "enum", "const", "contentMediaType"].iter().any(|k| map.contains_key(*k));
            if is_string && !constrained {
                map.insert("pattern".into(), Value::String(NO_NUL.into()));
            }
            for (key, value) in map.iter_mut() {
                match key.as_str() {
                    // Field names are not keywords: a field may be called `description`.
                    "properties" => {
                        if let Some(fields) = value.as_object_mut() {
                            fields.values_mut().for_each(|field| forbid_nul(field, refs));
                        }
                    }
                    // Examples and descriptions are not schemas.
                    "example" | "examples" | "description" | "default" => {}
                    _ => forbid_nul(value, refs),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| forbid_nul(v, refs)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_answers_follow_what_the_operation_takes() {
        let mut doc = json!({
            "paths": {
                "/a/{id}": {"post": {
                    "security": [{"bearer": []}],
                    "parameters": [{"name": "id", "in": "path", "schema": {"type": "string"}}],
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Body"}}}},
                    "responses": {"200": {"description": "ok"}, "404": {"description": "kept"}}
                }},
                "/healthz": {"get": {"responses": {"200": {"description": "ok"}}}}
            },
            "components": {"schemas": {"Body": {"type": "object", "properties": {
                "text": {"type": "string"},
                "description": {"type": ["string", "null"], "description": "a field with a keyword's name"},
                "kind": {"type": "string", "enum": ["a"]},
                "when": {"type": ["string", "null"], "format": "date-time"}
            }}}}
        });
        complete(&mut doc);
        let post = &doc["paths"]["/a/{id}"]["post"]["responses"];
        for status in ["400", "401", "404", "413", "415", "422"] {
            assert!(post.get(status).is_some(), "{status} in {post}");
        }
        assert_eq!(post["404"]["description"], "kept", "a handler's own answer is kept");
        let health = doc["paths"]["/healthz"]["get"]["responses"].as_object().expect("responses");
        assert_eq!(health.keys().collect::<Vec<_>>(), vec!["200"], "nothing is added to what takes nothing");
        let body = &doc["components"]["schemas"]["Body"]["properties"];
        assert_eq!(body["text"]["pattern"], NO_NUL);
        assert_eq!(body["description"]["pattern"], NO_NUL, "a field named like a keyword is a field");
        assert!(body["kind"].get("pattern").is_none() && body["when"].get("pattern").is_none());
        assert_eq!(doc["paths"]["/a/{id}"]["post"]["parameters"][0]["schema"]["pattern"], NO_NUL);
    }
}
