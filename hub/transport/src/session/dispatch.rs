//! Carrying out a driver's requests: one line per kind, into the file of
//! its transport. Each answers `Done` (settled now, or by the task it
//! started) or the failure the driver hears.

use super::*;
use crate::tracker::SharedTracker;

/// How a request that was taken ends for a waiting command.
pub(super) enum Done {
    /// Carried out (or set up) now.
    Settled,
    /// A task or queue settles it when the device answers.
    Pending,
}

/// What a request handler returns.
pub(super) type Handled = Result<Done, Failure>;

impl Session {
    /// Carry out a driver's requests (`commit` resolves once the events of
    /// the same outcome are stored; replies wait for it).
    pub(super) async fn add(
        &mut self,
        reqs: Vec<Request>,
        tracker: Option<SharedTracker>,
        commit: Commit,
    ) {
        for r in reqs {
            let handled = match r {
                Request::ModbusPoll { id, read, every_ms } => self.modbus_poll(id, read, every_ms),
                Request::ModbusRead { id, read } => self.modbus_read(id, read, &tracker),
                Request::ModbusWrite {
                    id,
                    table,
                    address,
                    values,
                } => self.modbus_write(id, table, address, values, &tracker),
                Request::Http(h) => self.http(h, &tracker),
                Request::HttpListen(l) => self.http_listen(l).await,
                Request::HttpReply(reply) => self.http_reply(reply, &commit).await,
                Request::HttpStream(s) => self.http_stream(s),
                Request::SocketListen(l) => self.socket_listen(l),
                Request::TcpConnect(c) => self.tcp_connect(c),
                Request::SocketSend { conn, data, close } => {
                    self.socket_send(conn, data, close, &commit).await
                }
                Request::SocketClose(conn) => self.socket_close(conn).await,
                Request::RtspProbe(p) => self.rtsp_probe(p),
                Request::RtpSend(send) => self.rtp_send(send),
                Request::Timer {
                    id,
                    after_ms,
                    repeat,
                } => self.timer(id, after_ms, repeat),
                Request::Cancel(id) => self.cancel(&id),
            };
            match handled {
                Ok(Done::Settled) => settle(&tracker, None),
                Ok(Done::Pending) => {}
                Err(f) => self.fail(f, &tracker).await,
            }
        }
    }
}
