//! A report as a table for people, JSON for tools, JUnit XML for CI.

use super::{Report, Verdict};

impl Report {
    /// The check list as a plain-text table, the tier reached last.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{} — family {}\n",
            self.label.as_deref().unwrap_or(&self.driver),
            self.family
        );
        let w = self.checks.iter().map(|c| c.id.len()).max().unwrap_or(10);
        for c in &self.checks {
            out.push_str(&format!(
                "{:<6} {:<4} {:<w$} {}\n",
                c.tier.name(),
                c.verdict.label(),
                c.id,
                c.verdict.detail()
            ));
        }
        out.push_str(&match self.tier() {
            Some(t) => format!("tier reached: {}\n", t.name()),
            None => "tier reached: none (a bronze check failed)\n".into(),
        });
        out
    }

    /// The report as JSON: the checks and the tier reached.
    pub fn json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        v["tier"] = serde_json::to_value(self.tier()).unwrap_or_default();
        v
    }

    /// The report as JUnit XML: one test suite, a test case per check; a
    /// check that does not apply is `skipped`.
    pub fn junit(&self) -> String {
        let name = xml(self.label.as_deref().unwrap_or(&self.driver));
        let failures = self.failures().count();
        let skipped = self
            .checks
            .iter()
            .filter(|c| matches!(c.verdict, Verdict::NotApplicable(_)))
            .count();
        let secs: f64 = self.checks.iter().map(|c| c.ms as f64 / 1000.0).sum();
        let mut out = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n<testsuite name=\"conformance {name} {}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" time=\"{secs:.3}\">\n",
            xml(&self.family),
            self.checks.len()
        );
        for c in &self.checks {
            out.push_str(&format!(
                "  <testcase classname=\"{}.{}\" name=\"{}\" time=\"{:.3}\">",
                c.tier.name(),
                name,
                c.id,
                c.ms as f64 / 1000.0
            ));
            match &c.verdict {
                Verdict::Pass(d) => out.push_str(&format!("<system-out>{}</system-out>", xml(d))),
                Verdict::Fail(d) => out.push_str(&format!(
                    "<failure message=\"{}\">{}</failure>",
                    xml(c.title),
                    xml(d)
                )),
                Verdict::NotApplicable(d) => {
                    out.push_str(&format!("<skipped message=\"{}\"/>", xml(d)))
                }
            }
            out.push_str("</testcase>\n");
        }
        out.push_str("</testsuite>\n</testsuites>\n");
        out
    }
}

fn xml(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .map(|c| match c {
            '&' => "&amp;".into(),
            '<' => "&lt;".into(),
            '>' => "&gt;".into(),
            '"' => "&quot;".into(),
            '\'' => "&apos;".into(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{Check, Report, Tier, Verdict};

    fn report(verdicts: &[(Tier, Verdict)]) -> Report {
        Report {
            driver: "d.wasm".into(),
            label: Some("d@1.0.0".into()),
            family: "fire-panel".into(),
            checks: verdicts
                .iter()
                .map(|(tier, verdict)| Check {
                    id: "x.y",
                    tier: *tier,
                    title: "a <check> & more",
                    verdict: verdict.clone(),
                    ms: 1500,
                })
                .collect(),
        }
    }

    #[test]
    fn the_tier_is_the_highest_with_every_lower_one_passed() {
        let pass = || Verdict::Pass(String::new());
        let fail = || Verdict::Fail("no".into());
        let na = || Verdict::NotApplicable("none".into());
        let r = report(&[
            (Tier::Bronze, pass()),
            (Tier::Silver, na()),
            (Tier::Gold, pass()),
        ]);
        assert_eq!(r.tier(), Some(Tier::Gold));
        let r = report(&[
            (Tier::Bronze, pass()),
            (Tier::Silver, fail()),
            (Tier::Gold, pass()),
        ]);
        assert_eq!(r.tier(), Some(Tier::Bronze));
        let r = report(&[(Tier::Bronze, fail()), (Tier::Silver, pass())]);
        assert_eq!(r.tier(), None);
        assert_eq!(r.json()["tier"], serde_json::Value::Null);
    }

    #[test]
    fn junit_escapes_what_a_check_says() {
        let r = report(&[(Tier::Bronze, Verdict::Fail("`a` < \"b\" & \u{1} c".into()))]);
        let x = r.junit();
        assert!(x.contains(r#"<failure message="a &lt;check&gt; &amp; more">`a` &lt; &quot;b&quot; &amp;  c</failure>"#), "{x}");
        assert!(
            x.contains(r#"tests="1" failures="1" skipped="0" time="1.500""#),
            "{x}"
        );
    }
}
