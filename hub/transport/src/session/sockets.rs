//! Socket requests of a session: claims on the hub's named ports, sends
//! (after the outcome's commit) and closes.

use super::dispatch::{Done, Handled};
use super::*;
use crate::WireError;
use crate::types::{SocketListen, TcpConnect};

impl Session {
    /// Claim this device's routes on a named port.
    pub(super) fn socket_listen(&mut self, l: SocketListen) -> Handled {
        let id = l.id.clone();
        let (Some(sockets), Some(router)) = (&self.spec.sockets, &self.spec.router) else {
            return Err(WireError::NotConfigured {
                what: "socket listeners",
                config: "[listen.ports]",
            }
            .at(&id));
        };
        sockets.claim(
            &self.spec.device,
            &self.spec.driver,
            l,
            self.to_driver.clone(),
            router.clone(),
        )?;
        if !self.socket_listens.contains(&id) {
            self.socket_listens.push(id);
        }
        // A device that dials in is online while it reports.
        self.wired = true;
        self.transport = "socket";
        Ok(Done::Settled)
    }

    pub(super) fn tcp_connect(&mut self, c: TcpConnect) -> Handled {
        Err(WireError::NoTcpClient.at(&c.id))
    }

    /// Send on a connection once the outcome's events are committed.
    pub(super) async fn socket_send(
        &mut self,
        conn: u64,
        data: Vec<u8>,
        close: bool,
        commit: &Commit,
    ) -> Handled {
        let Some(sockets) = &self.spec.sockets else {
            return Err(WireError::NoConnection(conn).at(&format!("conn:{conn}")));
        };
        sockets.send(conn, data, close, commit.clone()).await?;
        // The driver answers what the device sent: it is there.
        self.answered().await;
        Ok(Done::Settled)
    }

    pub(super) async fn socket_close(&mut self, conn: u64) -> Handled {
        if let Some(s) = &self.spec.sockets {
            s.close(conn).await;
        }
        Ok(Done::Settled)
    }
}
