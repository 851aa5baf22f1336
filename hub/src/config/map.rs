//! Where things are drawn on the console's campus map: `[map]` names the
//! site's plan, a zone may carry its own (a building's floors), a zone's
//! `area` outlines it on the plan above it, a device's `at` places it on the
//! plan of its zone (or the nearest enclosing zone with one).

use std::path::PathBuf;

use serde::Deserialize;

/// A picture of a site or a floor, and the size its coordinates count in.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// The picture: `.svg`, `.png`, `.jpg` or `.webp`, relative to hub.toml. Required.
    pub file: PathBuf,
    /// Its width in plan units (pixels of the picture, or metres). Required.
    pub width: f64,
    /// Its height in the same units. Required.
    pub height: f64,
}

impl Plan {
    /// The MIME type its file's name says, or `None` for a kind the
    /// console cannot show.
    pub fn content_type(&self) -> Option<&'static str> {
        let ext = self.file.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "svg" => "image/svg+xml",
            "png" => "image/png",
            "jpg" | "jpeg" => "image/jpeg",
            "webp" => "image/webp",
            _ => return None,
        })
    }

    /// Whether `p` lies on the plan.
    pub fn holds(&self, p: [f64; 2]) -> bool {
        (0.0..=self.width).contains(&p[0]) && (0.0..=self.height).contains(&p[1])
    }
}

/// `[map]`
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct MapConfig {
    /// The site's plan, on which top-level zones are outlined. Default none
    /// (the console then shows zones as a tree only).
    pub plan: Option<Plan>,
}

impl super::HubConfig {
    /// The plan zone `zone`'s things are drawn on: its own when
    /// `including_own` and it has one, else the nearest enclosing zone's,
    /// else the site's; with the id of the zone it belongs to (`None`: the
    /// site's).
    pub fn plan_for(&self, zone: &str, including_own: bool) -> Option<(Option<&str>, &Plan)> {
        let mut cur = self.zones.iter().find(|z| *z.id.get_ref() == zone);
        let mut own = including_own;
        let mut hops = 0;
        while let Some(z) = cur {
            if own && let Some(p) = &z.plan {
                return Some((Some(z.id.get_ref().as_str()), p));
            }
            own = true;
            hops += 1;
            // A parent cycle is refused elsewhere; do not loop on one here.
            if hops > self.zones.len() {
                break;
            }
            cur = z
                .parent
                .as_ref()
                .and_then(|p| self.zones.iter().find(|z| z.id.get_ref() == p.get_ref()));
        }
        self.map.plan.as_ref().map(|p| (None, p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(file: &str) -> Plan {
        Plan {
            file: file.into(),
            width: 100.0,
            height: 50.0,
        }
    }

    #[test]
    fn a_plan_is_shown_by_its_file_kind() {
        assert_eq!(plan("a/campus.SVG").content_type(), Some("image/svg+xml"));
        assert_eq!(plan("f1.jpeg").content_type(), Some("image/jpeg"));
        assert_eq!(plan("f1.pdf").content_type(), None);
        assert_eq!(plan("noext").content_type(), None);
    }

    #[test]
    fn a_point_is_on_the_plan_within_its_size() {
        let p = plan("x.svg");
        assert!(p.holds([0.0, 0.0]));
        assert!(p.holds([100.0, 50.0]));
        assert!(!p.holds([100.5, 10.0]));
        assert!(!p.holds([-1.0, 10.0]));
        assert!(!p.holds([10.0, f64::NAN]));
    }
}
