//! `twinwall:driver/http-stream`: long-lived responses the hub splits into
//! parts and reopens with backoff.

use twinwall_base::wire;
use wasmtime::component::Resource;

use super::core::{headers_in, headers_out};
use super::{HostState, InputSlot};
use crate::bindings::twinwall::driver::http_stream::{self as w, Host};

impl Host for HostState {
    fn open(&mut self, s: w::HttpStream) -> wasmtime::Result<()> {
        let r = wire::Request::HttpStream(wire::HttpStream {
            id: s.id,
            method: s.method,
            path: s.path,
            headers: headers_in(s.headers),
            split: match s.split {
                w::StreamSplit::Multipart => wire::StreamSplit::Multipart,
                w::StreamSplit::Lines => wire::StreamSplit::Lines,
            },
            max_part: s.max_part,
            idle_timeout_ms: s.idle_timeout_ms,
        });
        self.request("http-stream.open", r)
    }

    fn opened(&mut self, input: Resource<InputSlot>) -> wasmtime::Result<Option<w::StreamOpened>> {
        let is = |i: &wire::Input| matches!(i, wire::Input::StreamOpened { .. });
        Ok(match self.take(&input, is)? {
            Some(wire::Input::StreamOpened {
                id,
                status,
                headers,
            }) => Some(w::StreamOpened {
                id,
                status,
                headers: headers_out(headers),
            }),
            _ => None,
        })
    }

    fn part(&mut self, input: Resource<InputSlot>) -> wasmtime::Result<Option<w::StreamPart>> {
        let is = |i: &wire::Input| matches!(i, wire::Input::StreamPart { .. });
        Ok(match self.take(&input, is)? {
            Some(wire::Input::StreamPart { id, headers, body }) => Some(w::StreamPart {
                id,
                headers: headers_out(headers),
                body,
            }),
            _ => None,
        })
    }
}
