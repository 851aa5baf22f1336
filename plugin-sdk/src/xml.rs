//! Just enough XML for drivers (SOAP answers, ISAPI documents): the
//! elements in document order with their local name, their parent's local
//! name, attributes and text. Namespace prefixes are dropped (devices use
//! any). Bounded in depth and count so a hostile device cannot make the
//! driver allocate without limit.
//!
//! ```
//! let doc = "<a:Env><a:Body><Plate x=\"1\">豫A12345</Plate></a:Body></a:Env>";
//! let els = twinwall_plugin_sdk::xml::elements(doc.as_bytes()).unwrap();
//! assert_eq!(twinwall_plugin_sdk::xml::text(&els, "Plate"), Some("豫A12345"));
//! assert_eq!(els[2].parent, "Body");
//! ```

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// One element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// Local name.
    pub name: String,
    /// Parent's local name.
    pub parent: String,
    /// Attributes by local name.
    pub attrs: Vec<(String, String)>,
    /// Text directly inside.
    pub text: String,
}

impl Element {
    /// An attribute by local name.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Most elements read from one document.
const MAX_ELEMENTS: usize = 20_000;
const MAX_DEPTH: usize = 64;

fn local(name: &[u8]) -> String {
    let s = String::from_utf8_lossy(name);
    s.rsplit(':').next().unwrap_or_default().to_owned()
}

fn element(e: &BytesStart<'_>, parent: &str) -> Element {
    let attrs = e
        .attributes()
        .flatten()
        .take(32)
        .filter_map(|a| {
            Some((
                local(a.key.as_ref()),
                a.unescape_value().ok()?.chars().take(2048).collect(),
            ))
        })
        .collect();
    Element {
        name: local(e.name().as_ref()),
        parent: parent.to_owned(),
        attrs,
        text: String::new(),
    }
}

/// Every element of `doc`, or why it is not XML.
pub fn elements(doc: &[u8]) -> Result<Vec<Element>, String> {
    let mut r = Reader::from_reader(doc);
    r.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut out: Vec<Element> = Vec::new();
    loop {
        let ev = r
            .read_event_into(&mut buf)
            .map_err(|e| format!("bad XML at byte {}: {e}", r.buffer_position()))?;
        match ev {
            Event::Start(e) | Event::Empty(e)
                if out.len() >= MAX_ELEMENTS || stack.len() >= MAX_DEPTH =>
            {
                let _ = e;
                return Err("XML too large or too deep".into());
            }
            Event::Start(e) => {
                let parent = stack
                    .last()
                    .map(|i| out[*i].name.clone())
                    .unwrap_or_default();
                out.push(element(&e, &parent));
                stack.push(out.len() - 1);
            }
            Event::Empty(e) => {
                let parent = stack
                    .last()
                    .map(|i| out[*i].name.clone())
                    .unwrap_or_default();
                out.push(element(&e, &parent));
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Text(t) => {
                if let Some(i) = stack.last() {
                    let text = t.decode().map_err(|e| e.to_string())?;
                    let el = &mut out[*i];
                    if el.text.len() < 8192 {
                        el.text.push_str(&text);
                    }
                }
            }
            Event::GeneralRef(g) => {
                // quick-xml reports entity references apart from text.
                if let Some(i) = stack.last() {
                    let name: &[u8] = &g;
                    let s = match name {
                        b"amp" => "&",
                        b"lt" => "<",
                        b"gt" => ">",
                        b"quot" => "\"",
                        b"apos" => "'",
                        _ => "",
                    };
                    out[*i].text.push_str(s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !stack.is_empty() {
        return Err("XML ends inside an element".into());
    }
    Ok(out)
}

/// The first element named `name`'s text.
pub fn text<'a>(els: &'a [Element], name: &str) -> Option<&'a str> {
    els.iter().find(|e| e.name == name).map(|e| e.text.as_str())
}

/// The SOAP fault's reason, if the document is a fault.
pub fn fault(els: &[Element]) -> Option<String> {
    els.iter().any(|e| e.name == "Fault").then(|| {
        let sub = els
            .iter()
            .filter(|e| e.name == "Value")
            .map(|e| e.text.as_str())
            .collect::<Vec<_>>()
            .join(" / ");
        let reason = text(els, "Text")
            .or_else(|| text(els, "faultstring"))
            .unwrap_or("");
        format!("{sub}: {reason}")
    })
}
