//! `/api/v1/openapi.json`: the API as an OpenAPI 3.1 document, built from
//! the route table the router is built from.

use std::sync::Arc;

use axum::Extension;
use serde_json::{Map, Value, json};

use super::table::RouteDoc;

/// The schema a `$ref` names in `defs`, or the schema itself.
fn resolve<'a>(schema: &'a Value, defs: &'a Map<String, Value>) -> &'a Value {
    schema["$ref"]
        .as_str()
        .and_then(|r| r.rsplit('/').next())
        .and_then(|name| defs.get(name))
        .unwrap_or(schema)
}

/// The document for `routes`, whose schemas refer to `defs`.
pub fn build(routes: &[RouteDoc], defs: Map<String, Value>) -> Value {
    let mut paths = Map::new();
    for r in routes {
        let mut params: Vec<Value> = r
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        if let Some(q) = &r.query {
            let q = resolve(q, &defs);
            let required: Vec<&str> = q["required"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(props) = q["properties"].as_object() {
                for (name, schema) in props {
                    let mut p = json!({
                        "name": name, "in": "query",
                        "required": required.contains(&name.as_str()),
                        "schema": schema,
                    });
                    if let Some(d) = schema["description"].as_str() {
                        p["description"] = json!(d);
                    }
                    params.push(p);
                }
            }
        }
        let mut responses = json!({
            "200": {"description": "Done"},
            "4XX": {"description": "Refused; the body says what and where", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        });
        let mut op = json!({
            "summary": r.summary,
            "operationId": format!("{}{}", r.method.as_str().to_ascii_lowercase(), r.path.replace(['/', '{', '}', '.'], "_")),
            "parameters": params,
        });
        match r.role {
            Some(role) => {
                op["security"] = json!([{"bearer": []}]);
                op["x-twinwall-role"] = json!(role.as_str());
                responses["401"] = json!({"description": "No token, or not one of this hub's"});
                responses["403"] =
                    json!({"description": format!("The token's role is below {role}")});
            }
            None => op["security"] = json!([]),
        }
        op["responses"] = responses;
        if let Some(b) = &r.body {
            op["requestBody"] =
                json!({"required": true, "content": {"application/json": {"schema": b}}});
        }
        let item = paths.entry(r.path.to_owned()).or_insert_with(|| json!({}));
        item[r.method.as_str().to_ascii_lowercase()] = op;
    }
    let mut schemas = defs;
    schemas.insert("Error".into(), error_schema());
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Twinwall hub API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Campus safety integration hub. Every route but the console and this document needs `Authorization: Bearer <token>`; `x-twinwall-role` names the least role it takes (viewer < operator < admin).",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
        },
    })
}

fn error_schema() -> Value {
    json!({
                "type": "object",
                "required": ["error"],
                "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                    "code": {"type": "string"}, "message": {"type": "string"}}}},
    })
}

/// `GET /api/v1/openapi.json`
pub async fn document(
    Extension(doc): Extension<Arc<Document>>,
) -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        doc.0.clone(),
    )
}

/// The serialised OpenAPI document.
pub struct Document(pub axum::body::Bytes);

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The same routes as a page for people: method, path, role, what it does.
pub fn page(routes: &[RouteDoc]) -> String {
    let mut rows = String::new();
    for r in routes {
        rows.push_str(&format!(
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
            r.method,
            esc(r.path),
            r.role.map_or("anyone", |r| r.as_str()),
            esc(r.summary)
        ));
    }
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Twinwall hub API</title>\
         <style>body{{font:14px system-ui,sans-serif;margin:1.5em}}table{{border-collapse:collapse}}td,th{{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}}</style></head><body>\
         <h1>Twinwall hub API {}</h1><p>Every route but those marked <em>anyone</em> needs <code>Authorization: Bearer &lt;token&gt;</code> \
         with at least the role shown (viewer &lt; operator &lt; admin); make one with <code>twinwall token create</code>. \
         Errors are <code>{{\"error\": {{\"code\", \"message\"}}}}</code>. Machine-readable: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a> (OpenAPI 3.1).</p>\
         <table><tr><th>method</th><th>path</th><th>least role</th><th>what it does</th></tr>\n{rows}</table></body></html>",
        env!("CARGO_PKG_VERSION")
    )
}

/// `GET /api/docs`
pub async fn docs_page(
    Extension(page): Extension<Arc<DocsPage>>,
) -> impl axum::response::IntoResponse {
    (
        [
            (
                axum::http::header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
            ),
            (axum::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        axum::response::Html(page.0.clone()),
    )
}

/// The rendered docs page.
pub struct DocsPage(pub String);
