//! What a caller narrowed to zones (a guard room, a token made with
//! `--zones`) reads of the log: the events of its zones, whatever it asks.
//! A query is narrowed to the caller's one zone when it can be (the store
//! then reads that zone's index only), and filtered otherwise.

use super::ApiError;
use crate::auth::Principal;
use crate::bus::Filter;

/// The events a narrowed query may still hold that its caller may not read.
#[derive(Debug, PartialEq)]
pub(super) enum Scope {
    /// Every event the query finds is the caller's.
    All,
    /// Only the events of these zones (and below).
    Zones(Vec<String>),
}

impl Scope {
    /// Whether an event of `zone` is the caller's.
    pub fn admits(&self, zone: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Zones(z) => z.iter().any(|z| twinwall_base::zone_within(zone, z)),
        }
    }
}

/// Narrow `filter` to `who`'s zones: 403 when the zone asked for holds none
/// of them.
pub(super) fn narrow(filter: &mut Filter, who: &Principal) -> Result<Scope, ApiError> {
    if who.zones.is_empty() && who.covers("") {
        return Ok(Scope::All);
    }
    if filter.zone.as_deref().is_some_and(|z| who.covers(z)) {
        return Ok(Scope::All);
    }
    let inside: Vec<String> = who
        .zones
        .iter()
        .filter(|c| {
            filter
                .zone
                .as_deref()
                .is_none_or(|z| twinwall_base::zone_within(c, z))
        })
        .cloned()
        .collect();
    match inside.as_slice() {
        [] => Err(ApiError::forbidden(format!(
            "`{}` reads the events of {} only{}",
            who.name,
            if who.zones.is_empty() {
                "no zone (a guard without zones)".to_owned()
            } else {
                who.zones.join(", ")
            },
            filter
                .zone
                .as_deref()
                .map(|z| format!(", not of `{z}`"))
                .unwrap_or_default()
        ))),
        [one] => {
            filter.zone = Some(one.clone());
            Ok(Scope::All)
        }
        _ => Ok(Scope::Zones(inside)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn who(role: Role, zones: &[&str]) -> Principal {
        Principal {
            token_id: "t".into(),
            name: "北门岗".into(),
            role,
            zones: zones.iter().map(|z| z.to_string()).collect(),
            unit: None,
        }
    }

    fn zone(z: Option<&str>) -> Filter {
        Filter {
            zone: z.map(str::to_owned),
            ..Filter::default()
        }
    }

    #[test]
    fn a_caller_of_every_zone_reads_every_event() {
        let mut f = zone(None);
        assert_eq!(
            narrow(&mut f, &who(Role::Operator, &[])).unwrap(),
            Scope::All
        );
        assert_eq!(f.zone, None);
    }

    #[test]
    fn one_zone_narrows_the_query_itself() {
        let g = who(Role::Guard, &["campus/north-gate"]);
        let mut f = zone(None);
        assert_eq!(narrow(&mut f, &g).unwrap(), Scope::All);
        assert_eq!(f.zone.as_deref(), Some("campus/north-gate"));
        // Asking for the campus gives the gate; for a room of it, the room.
        let mut f = zone(Some("campus"));
        assert_eq!(narrow(&mut f, &g).unwrap(), Scope::All);
        assert_eq!(f.zone.as_deref(), Some("campus/north-gate"));
        let mut f = zone(Some("campus/north-gate/booth"));
        assert_eq!(narrow(&mut f, &g).unwrap(), Scope::All);
        assert_eq!(f.zone.as_deref(), Some("campus/north-gate/booth"));
    }

    #[test]
    fn several_zones_filter_and_a_zone_outside_is_refused() {
        let g = who(Role::Guard, &["campus/north-gate", "campus/east-gate"]);
        let mut f = zone(None);
        let s = narrow(&mut f, &g).unwrap();
        assert!(s.admits("campus/east-gate/lane-1") && !s.admits("campus/chem-north"));
        assert_eq!(f.zone, None);
        let e = narrow(&mut zone(Some("campus/chem-north")), &g).unwrap_err();
        assert_eq!(e.status(), axum::http::StatusCode::FORBIDDEN);
        assert!(e.message().contains("campus/chem-north"), "{}", e.message());
        // A guard without zones reads nothing.
        let e = narrow(&mut zone(None), &who(Role::Guard, &[])).unwrap_err();
        assert!(e.message().contains("no zone"), "{}", e.message());
    }
}
