//! `/api/v1/openapi.json`: the API as an OpenAPI 3.1 document, built from
//! the route table the router is built from.

use std::sync::Arc;

use axum::{Extension, Json};
use serde_json::{Map, Value, json};

use super::table::RouteDoc;

/// The document for `routes`.
pub fn build(routes: &[RouteDoc]) -> Value {
    let mut paths = Map::new();
    for r in routes {
        let params: Vec<Value> = r
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
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
        let item = paths.entry(r.path.to_owned()).or_insert_with(|| json!({}));
        item[r.method.as_str().to_ascii_lowercase()] = op;
    }
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
            "schemas": {"Error": {
                "type": "object",
                "required": ["error"],
                "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                    "code": {"type": "string"}, "message": {"type": "string"}}}},
            }},
        },
    })
}

/// `GET /api/v1/openapi.json`
pub async fn document(Extension(doc): Extension<Arc<Value>>) -> Json<Value> {
    Json((*doc).clone())
}
