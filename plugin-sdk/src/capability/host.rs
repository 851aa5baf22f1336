//! `twinwall:driver/host`: timers and cancel (the core every driver imports).

use crate::RequestKind;
use crate::wit::twinwall::driver::host as wit;

pub(crate) fn submit(kind: RequestKind) {
    match kind {
        RequestKind::Timer(t) => wit::set_timer(&t),
        RequestKind::Cancel(id) => wit::cancel(&id),
        other => super::misrouted(other),
    }
}
