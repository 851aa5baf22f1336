//! A session carrying out its driver's requests: each kind goes to its
//! transport, and push replies wait for the commit of their outcome.

use super::*;

impl Session {
    /// Carry out a driver's requests (`commit` resolves once the events of
    /// the same outcome are stored).
    pub(super) async fn add(
        &mut self,
        reqs: Vec<Request>,
        tracker: Option<SharedTracker>,
        commit: Commit,
    ) {
        let now = Instant::now();
        for r in reqs {
            match r {
                Request::ModbusPoll { id, read, every_ms } => {
                    let op = modbus::read_op(&read);
                    match modbus::check(&op)
                        .and_then(|()| self.modbus_link())
                        .and_then(|m| m.poll(id.clone(), op, every_ms))
                    {
                        Ok(()) => settle(&tracker, None),
                        Err(why) => {
                            self.fail(Failure::new(&id, FailureKind::Refused, why), &tracker)
                                .await
                        }
                    }
                }
                Request::ModbusRead { id, read } => {
                    self.queue(id, modbus::read_op(&read), &tracker).await
                }
                Request::ModbusWrite {
                    id,
                    table,
                    address,
                    values,
                } => {
                    let op = Op::Write {
                        table,
                        address,
                        values,
                    };
                    self.queue(id, op, &tracker).await;
                }
                Request::Timer {
                    id,
                    after_ms,
                    repeat,
                } => {
                    self.timers.set(id, after_ms, repeat, now);
                    settle(&tracker, None);
                }
                Request::RtspProbe(p) => {
                    self.wired = true;
                    if let Some(old) = self.tasks.remove(&p.id) {
                        old.abort();
                    }
                    let every = Duration::from_millis(u64::from(p.every_ms.clamp(250, 60_000)));
                    // The URI came from the device (GetStreamUri); its account
                    // goes to the device's own host only.
                    let creds = self.spec.credentials.clone().filter(|_| {
                        let same = crate::transport::rtsp::same_host(&p.uri, self.spec.host());
                        if !same {
                            tracing::warn!(device = %self.spec.device, uri = %p.uri, "stream URI names another host than the device's address: probed without the device's credentials");
                        }
                        same
                    });
                    let job = crate::transport::rtsp::ProbeJob {
                        device: self.spec.device.clone(),
                        id: p.id.clone(),
                        uri: p.uri,
                        every,
                        plan: self.spec.probes.plan(p.mode),
                        transport: p.transport,
                        creds,
                        to_driver: self.to_driver.clone(),
                        answered: self.wire_done.0.clone(),
                        probes: self.spec.probes.clone(),
                    };
                    let task = tokio::spawn(job.run());
                    self.tasks.insert(p.id, task.abort_handle());
                    settle(&tracker, None);
                }
                Request::RtpSend(send) => {
                    // A send with the same id replaces the one before it.
                    self.rtp.remove(&send.id);
                    let Some(rtp) = self.spec.rtp.clone() else {
                        let why = "this hub has no RTP sender";
                        self.fail(
                            Failure::new(&send.id, FailureKind::Unsupported, why),
                            &tracker,
                        )
                        .await;
                        continue;
                    };
                    let host = self.spec.host();
                    match rtp.start(&self.spec.device, host, &send, self.to_driver.clone()) {
                        Ok(ticket) => {
                            self.rtp.insert(send.id.clone(), ticket);
                            settle(&tracker, None);
                        }
                        Err(f) => self.fail(f, &tracker).await,
                    }
                }
                Request::Cancel(id) => {
                    self.rtp.remove(&id);
                    if let Some(t) = self.tasks.remove(&id) {
                        t.abort();
                    }
                    if let Some(m) = &mut self.modbus {
                        m.cancel(&id);
                    }
                    self.timers.cancel(&id);
                    if self.socket_listens.contains(&id) {
                        self.socket_listens.retain(|l| *l != id);
                        if let Some(sockets) = &self.spec.sockets {
                            sockets.unclaim(&self.spec.device, Some(&id));
                        }
                    }
                    if self.listens.contains(&id) {
                        self.listens.retain(|l| *l != id);
                        if let Some(push) = &self.spec.push {
                            push.unlisten(&self.spec.device, Some(&id));
                        }
                    }
                    settle(&tracker, None);
                }
                Request::Http(h) => {
                    self.wired = true;
                    self.transport = "http";
                    self.spawn_http(h, tracker.clone()).await;
                }
                Request::HttpListen(l) => {
                    let Some(push) = self.spec.push.clone() else {
                        let why = "this hub has no push listener ([listen] http in hub.toml)";
                        self.fail(Failure::new(&l.id, FailureKind::Unsupported, why), &tracker)
                            .await;
                        continue;
                    };
                    let id = l.id.clone();
                    let url = push.listen(
                        &self.spec.device,
                        self.spec.host(),
                        l,
                        self.to_driver.clone(),
                    );
                    if !self.listens.contains(&id) {
                        self.listens.push(id.clone());
                    }
                    settle(&tracker, None);
                    self.deliver(Input::HttpListening { id, url }).await;
                }
                Request::HttpReply(reply) => {
                    // The device pushed: it is there.
                    self.answered().await;
                    self.reply(reply, commit.clone());
                }
                Request::HttpStream(s) => {
                    let Some(base) = self.spec.base_url() else {
                        let why = format!(
                            "device `{}` has no `address` in the config",
                            self.spec.device
                        );
                        self.fail(Failure::new(&s.id, FailureKind::Refused, why), &tracker)
                            .await;
                        continue;
                    };
                    self.wired = true;
                    self.transport = "http";
                    if let Some(old) = self.tasks.remove(&s.id) {
                        old.abort();
                    }
                    let id = s.id.clone();
                    let ctx = stream::StreamContext {
                        device: self.spec.device.clone(),
                        base,
                        client: self.spec.http.clone(),
                        credentials: self.spec.credentials.clone(),
                        digest: self.digest.clone(),
                        to_driver: self.to_driver.clone(),
                        link: self.wire_done.0.clone(),
                    };
                    let task = tokio::spawn(stream::run(ctx, s));
                    self.tasks.insert(id, task.abort_handle());
                    settle(&tracker, None);
                }
                Request::SocketListen(l) => {
                    let id = l.id.clone();
                    let claimed = match (&self.spec.sockets, &self.spec.router) {
                        (Some(sockets), Some(router)) => sockets.claim(
                            &self.spec.device,
                            &self.spec.driver,
                            l,
                            self.to_driver.clone(),
                            router.clone(),
                        ),
                        _ => Err(Failure::new(
                            &id,
                            FailureKind::Unsupported,
                            "this hub has no socket listeners ([listen.ports] in hub.toml)",
                        )),
                    };
                    match claimed {
                        Ok(()) => {
                            if !self.socket_listens.contains(&id) {
                                self.socket_listens.push(id);
                            }
                            // A device that dials in is online while it reports.
                            self.wired = true;
                            self.transport = "socket";
                            settle(&tracker, None);
                        }
                        Err(f) => self.fail(f, &tracker).await,
                    }
                }
                Request::TcpConnect(c) => {
                    let why = format!(
                        "TCP client connections are not available in twinwall-hub {}",
                        env!("CARGO_PKG_VERSION")
                    );
                    self.fail(Failure::new(&c.id, FailureKind::Unsupported, why), &tracker)
                        .await;
                }
                Request::SocketSend { conn, data, close } => {
                    let sent = match &self.spec.sockets {
                        Some(s) => s.send(conn, data, close, commit.clone()).await,
                        None => Err(Failure::new(
                            &format!("conn:{conn}"),
                            FailureKind::Closed,
                            format!("no connection {conn}"),
                        )),
                    };
                    match sent {
                        Ok(()) => {
                            // The driver answers what the device sent: it is there.
                            self.answered().await;
                            settle(&tracker, None);
                        }
                        Err(f) => self.fail(f, &tracker).await,
                    }
                }
                Request::SocketClose(conn) => {
                    if let Some(s) = &self.spec.sockets {
                        s.close(conn).await;
                    }
                    settle(&tracker, None);
                }
                Request::Unsupported { id, transport } => {
                    let why = format!(
                        "transport `{transport}` is not available in twinwall-hub {}",
                        env!("CARGO_PKG_VERSION")
                    );
                    self.fail(Failure::new(&id, FailureKind::Unsupported, why), &tracker)
                        .await;
                }
            }
        }
    }

    /// Send a push reply once the outcome it came with is committed; if the
    /// commit failed the device hears 503 and retries.
    fn reply(&self, reply: HttpReply, commit: Commit) {
        let Some(push) = self.spec.push.clone() else {
            return;
        };
        let device = self.spec.device.clone();
        tokio::spawn(async move {
            let id = reply.push;
            let reply = if commit.await {
                reply
            } else {
                HttpReply {
                    push: id,
                    status: 503,
                    headers: Vec::new(),
                    body: b"events not stored; retry".to_vec(),
                }
            };
            if !push.reply(reply) {
                tracing::debug!(device, push = id, "reply to a push that already timed out");
            }
        });
    }
}
