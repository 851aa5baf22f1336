//! `twinwall:driver/http-client`: requests to the device, with the hub's
//! Digest and WS-Security from the device's credentials.

use twinwall_base::wire;
use wasmtime::component::Resource;

use super::core::{headers_in, headers_out};
use super::{HostState, InputSlot};
use crate::bindings::twinwall::driver::http_client::{self as w, Host};

impl Host for HostState {
    fn send(&mut self, h: w::HttpRequest) -> wasmtime::Result<()> {
        let r = wire::Request::Http(wire::HttpRequest {
            id: h.id,
            method: h.method,
            path: h.path,
            headers: headers_in(h.headers),
            body: h.body,
            ws_security: h.ws_security,
            timeout_ms: h.timeout_ms,
        });
        self.request("http-client.send", r)
    }

    fn response(
        &mut self,
        input: Resource<InputSlot>,
    ) -> wasmtime::Result<Option<w::HttpResponse>> {
        let is = |i: &wire::Input| matches!(i, wire::Input::HttpResponse(_));
        Ok(match self.take(&input, is)? {
            Some(wire::Input::HttpResponse(r)) => Some(w::HttpResponse {
                id: r.id,
                status: r.status,
                headers: headers_out(r.headers),
                body: r.body,
            }),
            _ => None,
        })
    }
}
