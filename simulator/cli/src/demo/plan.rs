//! The demo campus's site plan: a drawn picture (SVG), each zone's outline
//! on it, and a place for each device inside its zone, so the console's map
//! has a campus to show.

use std::collections::HashMap;

/// The plan's size, in its own units (the SVG's pixels).
pub(super) const WIDTH: f64 = 1000.0;
pub(super) const HEIGHT: f64 = 640.0;

/// Each zone's rectangle `(x0, y0, x1, y1)` and the label drawn in it.
const ZONES: &[(&str, [f64; 4], &str)] = &[
    (
        "perimeter-north",
        [20.0, 12.0, 980.0, 34.0],
        "北侧周界 North perimeter",
    ),
    ("gate-north", [420.0, 34.0, 580.0, 96.0], "北门 North gate"),
    ("road", [470.0, 96.0, 530.0, 620.0], "校园主干道"),
    (
        "chem-north",
        [70.0, 120.0, 420.0, 300.0],
        "化学北楼 Chemistry North",
    ),
    ("library", [580.0, 120.0, 930.0, 300.0], "图书馆 Library"),
    (
        "canteen",
        [70.0, 370.0, 420.0, 590.0],
        "学苑餐厅 Xueyuan Canteen",
    ),
    (
        "dorm-3",
        [580.0, 370.0, 930.0, 590.0],
        "3号宿舍楼 Dormitory 3",
    ),
];

fn rect(zone: &str) -> Option<[f64; 4]> {
    ZONES.iter().find(|(z, ..)| *z == zone).map(|(_, r, _)| *r)
}

/// The `area = …` line of `zone`'s `[[zones]]` entry.
pub(super) fn area(zone: &str) -> Option<String> {
    let [x0, y0, x1, y1] = rect(zone)?;
    Some(format!(
        "area = [[{x0}, {y0}], [{x1}, {y0}], [{x1}, {y1}], [{x0}, {y1}]]\n"
    ))
}

/// Hands out places inside each zone, in rows, in the order devices come.
#[derive(Default)]
pub(super) struct Layout {
    placed: HashMap<String, usize>,
}

impl Layout {
    /// The next free place in `zone`, or `None` for a zone not on the plan.
    pub(super) fn place(&mut self, zone: &str) -> Option<[f64; 2]> {
        let [x0, y0, x1, y1] = rect(zone)?;
        let n = self.placed.entry(zone.to_owned()).or_default();
        let i = *n;
        *n += 1;
        // A narrow zone (the fence, the road) is one line along its length.
        let (w, h) = (x1 - x0, y1 - y0);
        let (along, across) = if w >= h { (w, h) } else { (h, w) };
        let per_row = ((along - 20.0) / 28.0).floor().max(1.0) as usize;
        let rows = ((across - 36.0) / 26.0).floor().max(1.0) as usize;
        let (col, row) = (i % per_row, (i / per_row) % rows);
        let a = 14.0 + 28.0 * col as f64;
        let b = if rows == 1 {
            across / 2.0
        } else {
            36.0 + 26.0 * row as f64
        };
        Some(if w >= h {
            [x0 + a, y0 + b]
        } else {
            [x0 + b, y0 + a]
        })
    }
}

/// The picture: grass, the campus wall, roads, buildings with their names.
pub(super) fn svg() -> String {
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         font-family=\"Noto Sans CJK SC, sans-serif\">\n\
         <rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#e8f0e0\"/>\n\
         <rect x=\"20\" y=\"12\" width=\"960\" height=\"616\" fill=\"none\" stroke=\"#7a7a7a\" stroke-width=\"4\"/>\n\
         <rect x=\"40\" y=\"325\" width=\"920\" height=\"22\" fill=\"#d0d0d0\"/>\n"
    );
    for (zone, [x0, y0, x1, y1], label) in ZONES {
        let (fill, road) = match *zone {
            "road" => ("#d0d0d0", true),
            "perimeter-north" => ("none", true),
            "gate-north" => ("#f4f1e8", false),
            _ => ("#fbfaf6", false),
        };
        s.push_str(&format!(
            "<rect x=\"{x0}\" y=\"{y0}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"#9a9a9a\"/>\n",
            x1 - x0,
            y1 - y0
        ));
        if !road {
            s.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" font-size=\"18\" fill=\"#555\" text-anchor=\"middle\">{label}</text>\n",
                (x0 + x1) / 2.0,
                y1 - 14.0
            ));
        }
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_place_lies_inside_its_zone_and_none_is_given_twice() {
        let mut l = Layout::default();
        for (zone, [x0, y0, x1, y1], _) in ZONES {
            let mut seen = Vec::new();
            for _ in 0..12 {
                let [x, y] = l.place(zone).unwrap();
                assert!(
                    (*x0..=*x1).contains(&x) && (*y0..=*y1).contains(&y),
                    "{zone}: {x},{y}"
                );
                seen.push((x as i64, y as i64));
            }
            let n = seen.len();
            seen.sort_unstable();
            seen.dedup();
            assert!(
                seen.len() >= n.min(4),
                "{zone}: places repeat too soon: {seen:?}"
            );
        }
        assert_eq!(l.place("elsewhere"), None);
    }

    #[test]
    fn the_picture_is_svg_with_every_building_named() {
        let s = svg();
        assert!(s.starts_with("<svg") && s.trim_end().ends_with("</svg>"));
        assert!(s.contains("化学北楼") && s.contains("3号宿舍楼"));
    }
}
