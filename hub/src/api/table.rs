//! The route table: one entry per method and path, with the role it asks
//! for and a line for the OpenAPI document, so the router, the gate and the
//! document cannot disagree.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter};

use super::ApiState;
use crate::auth::{AccessMap, Role};

/// One route as documented.
#[derive(Debug, Clone)]
pub struct RouteDoc {
    /// Its method.
    pub method: Method,
    /// Its pattern (`/api/v1/devices/{id}`).
    pub path: &'static str,
    /// The role it asks for; `None` is open to anyone.
    pub role: Option<Role>,
    /// One line on what it does.
    pub summary: &'static str,
    /// JSON Schema of its JSON body, if it takes one.
    pub body: Option<serde_json::Value>,
    /// JSON Schema of its query string, if it reads one.
    pub query: Option<serde_json::Value>,
}

/// The router being built and what it documents.
pub struct Table {
    pub router: Router<ApiState>,
    pub docs: Vec<RouteDoc>,
    /// Schemas of bodies and queries, from the types the handlers read.
    schemas: schemars::SchemaGenerator,
}

impl Default for Table {
    fn default() -> Self {
        let settings = schemars::generate::SchemaSettings::draft2020_12().with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        });
        Table {
            router: Router::new(),
            docs: Vec::new(),
            schemas: settings.into_generator(),
        }
    }
}

impl Table {
    /// Add `route` (one method's router) at `path`.
    pub fn add(
        mut self,
        method: Method,
        path: &'static str,
        role: Option<Role>,
        summary: &'static str,
        route: MethodRouter<ApiState>,
    ) -> Self {
        // axum merges the methods of one path across calls.
        self.router = self.router.route(path, route);
        self.docs.push(RouteDoc {
            method,
            path,
            role,
            summary,
            body: None,
            query: None,
        });
        self
    }

    /// Add a POST handler whose body is JSON of type `T`: capped at
    /// [`super::MAX_JSON_BODY`] and described in the document.
    pub fn post_json<T: schemars::JsonSchema, H, X>(
        self,
        path: &'static str,
        role: Option<Role>,
        summary: &'static str,
        h: H,
    ) -> Self
    where
        H: Handler<X, ApiState>,
        X: 'static,
    {
        self.json_body::<T>(Method::POST, path, role, summary, axum::routing::post(h))
    }

    /// Add a POST handler whose JSON body of type `T` may carry photos:
    /// capped at [`super::MAX_PHOTO_BODY`].
    pub fn post_photos<T: schemars::JsonSchema, H, X>(
        self,
        path: &'static str,
        role: Option<Role>,
        summary: &'static str,
        h: H,
    ) -> Self
    where
        H: Handler<X, ApiState>,
        X: 'static,
    {
        let route = axum::routing::post(h)
            .layer(axum::extract::DefaultBodyLimit::max(super::MAX_PHOTO_BODY));
        self.add(Method::POST, path, role, summary, route)
            .body::<T>()
    }

    /// Add a PUT handler whose body is JSON of type `T`, as [`Self::post_json`].
    pub fn put_json<T: schemars::JsonSchema, H, X>(
        self,
        path: &'static str,
        role: Option<Role>,
        summary: &'static str,
        h: H,
    ) -> Self
    where
        H: Handler<X, ApiState>,
        X: 'static,
    {
        self.json_body::<T>(Method::PUT, path, role, summary, axum::routing::put(h))
    }

    /// `route` with its JSON body of type `T` capped and described.
    fn json_body<T: schemars::JsonSchema>(
        self,
        method: Method,
        path: &'static str,
        role: Option<Role>,
        summary: &'static str,
        route: MethodRouter<ApiState>,
    ) -> Self {
        let route = route.layer(axum::extract::DefaultBodyLimit::max(super::MAX_JSON_BODY));
        self.add(method, path, role, summary, route).body::<T>()
    }

    /// The route just added takes a JSON body of type `T`.
    fn body<T: schemars::JsonSchema>(mut self) -> Self {
        let schema = self.schemas.subschema_for::<T>().to_value();
        if let Some(d) = self.docs.last_mut() {
            d.body = Some(schema);
        }
        self
    }

    /// The route just added reads a query string of type `T`.
    pub fn query<T: schemars::JsonSchema>(mut self) -> Self {
        let schema = self.schemas.subschema_for::<T>().to_value();
        if let Some(d) = self.docs.last_mut() {
            d.query = Some(schema);
        }
        self
    }

    /// Every named schema the routes refer to, for `components/schemas`.
    pub fn definitions(&mut self) -> serde_json::Map<String, serde_json::Value> {
        self.schemas.take_definitions(true)
    }

    /// Add `h` for `method` (GET, POST or DELETE) at `path`.
    pub fn on<H, T>(
        self,
        method: Method,
        path: &'static str,
        role: Option<Role>,
        summary: &'static str,
        h: H,
    ) -> Self
    where
        H: Handler<T, ApiState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("GET, POST or DELETE");
        self.add(method, path, role, summary, axum::routing::on(filter, h))
    }

    /// The gate's view: role per method and pattern.
    pub fn access(&self) -> AccessMap {
        let mut m = AccessMap::default();
        for d in &self.docs {
            m.insert(d.method.clone(), d.path, d.role);
        }
        m
    }
}
