//! `[[device_groups]]`: many devices of one model written once. A campus
//! with 200 panels of one make says so in a few lines instead of 1,400.

use toml::Spanned;

use super::model::{Addresses, Device, DeviceGroup};

/// Most devices one group may expand to.
pub const MAX_GROUP: usize = 10_000;

/// The addresses of `a`, in order, or why not.
pub fn addresses(a: &Addresses) -> Result<Vec<String>, String> {
    let text = match a {
        Addresses::List(l) if l.is_empty() => return Err("the list of addresses is empty".into()),
        Addresses::List(l) => return Ok(l.clone()),
        Addresses::Range(r) => r.trim(),
    };
    let (host, port) = text.rsplit_once(':').ok_or_else(|| {
        format!("`{text}` is not host:port with a range in the host's last number or in the port")
    })?;
    let range = |s: &str| -> Result<Option<(u32, u32)>, String> {
        let Some((a, b)) = s.split_once('-') else {
            return Ok(None);
        };
        let (a, b) = (a.trim().parse::<u32>(), b.trim().parse::<u32>());
        match (a, b) {
            (Ok(a), Ok(b)) if a <= b => Ok(Some((a, b))),
            _ => Err(format!(
                "`{s}` in `{text}` is not FIRST-LAST with FIRST ≤ LAST"
            )),
        }
    };
    let out: Vec<String> = match (host.rsplit_once('.'), range(port)?) {
        (_, Some((a, b))) if b <= 65_535 => (a..=b).map(|p| format!("{host}:{p}")).collect(),
        (_, Some(_)) => return Err(format!("ports in `{text}` go past 65535")),
        (Some((net, last)), None) => match range(last)? {
            Some((a, b)) if b <= 255 => (a..=b).map(|o| format!("{net}.{o}:{port}")).collect(),
            Some(_) => return Err(format!("`{last}` in `{text}` goes past 255")),
            None => vec![text.to_owned()],
        },
        (None, None) => vec![text.to_owned()],
    };
    if out.len() > MAX_GROUP {
        return Err(format!(
            "`{text}` names {} devices; a group holds at most {MAX_GROUP}",
            out.len()
        ));
    }
    Ok(out)
}

/// The id of device `n` (1-based) of a group whose template is `t`.
pub fn device_id(t: &str, n: usize) -> Result<String, String> {
    let Some(start) = t.find("{n") else {
        return Err(format!("id `{t}` has no {{n}} for the device's number"));
    };
    let end = t[start..]
        .find('}')
        .map(|e| start + e)
        .ok_or_else(|| format!("id `{t}`: `{{n` is not closed"))?;
    let spec = &t[start + 2..end];
    let width = match spec.strip_prefix(':') {
        None if spec.is_empty() => 0,
        Some(w) => w
            .parse::<usize>()
            .map_err(|_| format!("id `{t}`: `{{n{spec}}}` is not {{n}} or {{n:WIDTH}}"))?,
        None => {
            return Err(format!(
                "id `{t}`: `{{n{spec}}}` is not {{n}} or {{n:WIDTH}}"
            ));
        }
    };
    Ok(format!("{}{n:0width$}{}", &t[..start], &t[end + 1..]))
}

/// The devices of group `g`.
pub fn expand(g: &DeviceGroup) -> Result<Vec<Device>, (std::ops::Range<usize>, String)> {
    let addrs = addresses(g.addresses.get_ref()).map_err(|m| (g.addresses.span(), m))?;
    addrs
        .into_iter()
        .enumerate()
        .map(|(i, address)| {
            let id = device_id(g.id.get_ref(), i + 1).map_err(|m| (g.id.span(), m))?;
            Ok(Device {
                id: Spanned::new(g.id.span(), id),
                driver: g.driver.clone(),
                profile: g.profile.clone(),
                zone: g.zone.clone(),
                name: None,
                address: Some(address),
                unit: g.unit,
                username: g.username.clone(),
                password: g.password.clone(),
                request_timeout_ms: g.request_timeout_ms,
                offline_after_ms: g.offline_after_ms,
                settings: g.settings.clone(),
                keys: Default::default(),
                at: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_lists_and_ids() {
        let r = |s: &str| addresses(&Addresses::Range(s.into()));
        assert_eq!(
            r("10.30.1.10-12:502").unwrap(),
            ["10.30.1.10:502", "10.30.1.11:502", "10.30.1.12:502"]
        );
        assert_eq!(
            r("127.0.0.1:5020-5021").unwrap(),
            ["127.0.0.1:5020", "127.0.0.1:5021"]
        );
        assert_eq!(r("10.0.0.1:502").unwrap(), ["10.0.0.1:502"]);
        assert!(r("10.0.0.9-3:502").unwrap_err().contains("FIRST ≤ LAST"));
        assert!(r("10.0.0.1-300:502").unwrap_err().contains("past 255"));
        assert!(r("no-port").is_err());
        assert!(addresses(&Addresses::List(vec![])).is_err());
        assert_eq!(device_id("fp-{n:3}", 7).unwrap(), "fp-007");
        assert_eq!(device_id("cam-{n}-north", 12).unwrap(), "cam-12-north");
        assert!(device_id("fp", 1).unwrap_err().contains("{n}"));
        assert!(device_id("fp-{n:x}", 1).is_err());
    }
}
