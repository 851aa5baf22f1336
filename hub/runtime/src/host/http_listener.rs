//! `twinwall:driver/http-listener`: pushes from the device on the hub's push
//! listener, and the driver's replies (sent once its events are committed).

use twinwall_base::wire;
use wasmtime::component::Resource;

use super::core::{headers_in, headers_out};
use super::{HostState, InputSlot};
use crate::bindings::twinwall::driver::http_listener::{self as w, Host};

impl Host for HostState {
    fn listen(&mut self, l: w::HttpListen) -> wasmtime::Result<()> {
        let r = wire::Request::HttpListen(wire::HttpListen {
            id: l.id,
            path: l.path,
            max_body: l.max_body,
        });
        self.request("http-listener.listen", r)
    }

    fn reply(&mut self, r: w::HttpReply) -> wasmtime::Result<()> {
        let r = wire::Request::HttpReply(wire::HttpReply {
            push: r.push,
            status: r.status,
            headers: headers_in(r.headers),
            body: r.body,
        });
        self.request("http-listener.reply", r)
    }

    fn listening(
        &mut self,
        input: Resource<InputSlot>,
    ) -> wasmtime::Result<Option<w::HttpListening>> {
        let is = |i: &wire::Input| matches!(i, wire::Input::HttpListening { .. });
        Ok(match self.take(&input, is)? {
            Some(wire::Input::HttpListening { id, url }) => Some(w::HttpListening { id, url }),
            _ => None,
        })
    }

    fn push(&mut self, input: Resource<InputSlot>) -> wasmtime::Result<Option<w::HttpPush>> {
        let is = |i: &wire::Input| matches!(i, wire::Input::HttpPush(_));
        Ok(match self.take(&input, is)? {
            Some(wire::Input::HttpPush(p)) => Some(w::HttpPush {
                push: p.push,
                listen: p.listen,
                method: p.method,
                path: p.path,
                query: p.query,
                headers: headers_out(p.headers),
                peer: p.peer,
                body: p.body,
            }),
            _ => None,
        })
    }
}
