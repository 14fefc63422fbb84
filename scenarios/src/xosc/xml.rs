//! A thin layer over `roxmltree`: element paths, positions, typed attributes
//! with `$parameter` references, and the refusal of unknown child elements.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use roxmltree::{Document, Node};

use super::error::XoscError;

/// Elements that repeat, so their paths always carry an index.
const REPEATED: &[&str] = &[
    "ScenarioObject",
    "Private",
    "PrivateAction",
    "GlobalAction",
    "Story",
    "Act",
    "ManeuverGroup",
    "Maneuver",
    "Event",
    "Action",
    "ConditionGroup",
    "Condition",
    "EntityRef",
    "ParameterDeclaration",
    "ParameterAssignment",
    "ParameterValueSet",
    "StochasticDistribution",
    "DeterministicSingleParameterDistribution",
    "DeterministicMultiParameterDistribution",
    "road",
    "geometry",
    "laneSection",
    "lane",
    "width",
    "speed",
    "type",
];

/// One parsed XML file: its path, its tree, its parameter values and the
/// notes (ignored elements) gathered while reading it.
pub(crate) struct Xml<'a> {
    pub file: PathBuf,
    pub doc: &'a Document<'a>,
    pub params: BTreeMap<String, String>,
    pub notes: RefCell<Vec<String>>,
    /// `CatalogLocations`: catalog kind (`VehicleCatalog`, …) → its folder.
    pub catalogs: BTreeMap<String, PathBuf>,
}

pub(crate) type El<'a> = Node<'a, 'a>;
pub(crate) type Res<T> = Result<T, XoscError>;

/// Reads a file as text.
pub(crate) fn read(path: &Path) -> Res<String> {
    std::fs::read_to_string(path)
        .map_err(|e| XoscError::Read { file: path.to_path_buf(), message: e.to_string() })
}

/// Parses XML text, mapping the parser's error to a positioned one.
pub(crate) fn parse<'a>(path: &Path, text: &'a str) -> Res<Document<'a>> {
    Document::parse(text).map_err(|e| {
        let pos = e.pos();
        XoscError::Xml {
            file: path.to_path_buf(),
            line: pos.row as usize,
            column: pos.col as usize,
            message: e.to_string(),
        }
    })
}

impl<'a> Xml<'a> {
    pub fn new(file: &Path, doc: &'a Document<'a>) -> Self {
        Self {
            file: file.to_path_buf(),
            doc,
            params: BTreeMap::new(),
            notes: RefCell::new(Vec::new()),
            catalogs: BTreeMap::new(),
        }
    }

    /// `OpenSCENARIO/Storyboard/Story[1]/Act[1]`: the names from the root,
    /// with a 1-based index where the element repeats.
    pub fn path_of(&self, node: El<'a>) -> String {
        let mut parts = Vec::new();
        let mut cur = Some(node);
        while let Some(n) = cur {
            if n.is_element() {
                let name = n.tag_name().name();
                let siblings = n
                    .parent()
                    .map(|p| p.children().filter(|c| c.is_element() && c.tag_name().name() == name).count())
                    .unwrap_or(1);
                if siblings > 1 || REPEATED.contains(&name) {
                    let k =
                        n.prev_siblings().filter(|c| c.is_element() && c.tag_name().name() == name).count();
                    parts.push(format!("{name}[{k}]"));
                } else {
                    parts.push(name.to_owned());
                }
            }
            cur = n.parent();
        }
        parts.reverse();
        parts.join("/")
    }

    /// An error at `node`.
    pub fn err(&self, node: El<'a>, message: impl Into<String>) -> XoscError {
        self.loc(node).err(message)
    }

    /// Where `node` is, kept for errors raised after its document is gone.
    pub fn loc(&self, node: El<'a>) -> Loc {
        let pos = self.doc.text_pos_at(node.range().start);
        Loc {
            file: self.file.clone(),
            line: pos.row as usize,
            column: pos.col as usize,
            element: self.path_of(node),
        }
    }

    /// "`X` is not supported yet" at `node`.
    pub fn unsupported(&self, node: El<'a>, what: &str) -> XoscError {
        self.err(node, format!("{what} is not supported yet (see README, \"OpenSCENARIO import\")"))
    }

    /// Records that `node` is ignored, and why.
    pub fn note(&self, node: El<'a>, why: &str) {
        let pos = self.doc.text_pos_at(node.range().start);
        self.notes.borrow_mut().push(format!(
            "{}:{}:{}: {}: ignored: {why}",
            self.file.display(),
            pos.row,
            pos.col,
            self.path_of(node)
        ));
    }

    /// The element children of `node`.
    pub fn kids(&self, node: El<'a>) -> Vec<El<'a>> {
        node.children().filter(|c| c.is_element()).collect()
    }

    /// Refuses any child element not named in `allowed`.
    pub fn only(&self, node: El<'a>, allowed: &[&str]) -> Res<()> {
        for c in self.kids(node) {
            let name = c.tag_name().name();
            if !allowed.contains(&name) {
                return Err(self.unsupported(c, &format!("`{name}` here")));
            }
        }
        Ok(())
    }

    /// The children named `name`.
    pub fn all(&self, node: El<'a>, name: &str) -> Vec<El<'a>> {
        self.kids(node).into_iter().filter(|c| c.tag_name().name() == name).collect()
    }

    /// The one child named `name`, if any (a second is refused).
    pub fn child(&self, node: El<'a>, name: &str) -> Res<Option<El<'a>>> {
        let all = self.all(node, name);
        if all.len() > 1 {
            return Err(self.unsupported(all[1], &format!("a second `{name}`")));
        }
        Ok(all.first().copied())
    }

    /// The one child named `name`.
    pub fn need(&self, node: El<'a>, name: &str) -> Res<El<'a>> {
        self.child(node, name)?.ok_or_else(|| self.err(node, format!("expected a `{name}` element")))
    }

    /// The single element child, whichever it is.
    pub fn single(&self, node: El<'a>) -> Res<El<'a>> {
        let kids = self.kids(node);
        match kids.as_slice() {
            [one] => Ok(*one),
            [] => Err(self.err(node, "expected one child element")),
            [_, second, ..] => Err(self.unsupported(*second, "more than one child element here")),
        }
    }

    /// An attribute with `$name` parameter references resolved.
    pub fn attr(&self, node: El<'a>, name: &str) -> Res<Option<String>> {
        let Some(raw) = node.attribute(name) else { return Ok(None) };
        self.value(node, name, raw).map(Some)
    }

    fn value(&self, node: El<'a>, name: &str, raw: &str) -> Res<String> {
        let raw = raw.trim();
        if let Some(inner) = raw.strip_prefix("${") {
            let Some(inner) = inner.strip_suffix('}') else {
                return Err(
                    self.err(node, format!("the expression {raw:?} in `{name}` lacks its closing `}}`"))
                );
            };
            let lookup = |p: &str| self.params.get(p).cloned();
            return super::expr::eval(inner, &lookup)
                .map(super::expr::format)
                .map_err(|e| self.err(node, format!("the expression {raw:?} in `{name}`: {e}")));
        }
        if let Some(p) = raw.strip_prefix('$') {
            return self.params.get(p).cloned().ok_or_else(|| {
                let known: Vec<&str> = self.params.keys().map(String::as_str).collect();
                self.err(
                    node,
                    format!("`{name}` refers to an undeclared parameter ${p} (declared: {known:?})"),
                )
            });
        }
        Ok(raw.to_owned())
    }

    /// A required attribute.
    pub fn req(&self, node: El<'a>, name: &str) -> Res<String> {
        self.attr(node, name)?.ok_or_else(|| self.err(node, format!("expected the attribute `{name}`")))
    }

    /// A required number.
    pub fn num(&self, node: El<'a>, name: &str) -> Res<f64> {
        let v = self.req(node, name)?;
        self.parse_num(node, name, &v)
    }

    /// An optional number.
    pub fn opt_num(&self, node: El<'a>, name: &str) -> Res<Option<f64>> {
        match self.attr(node, name)? {
            Some(v) => self.parse_num(node, name, &v).map(Some),
            None => Ok(None),
        }
    }

    fn parse_num(&self, node: El<'a>, name: &str, v: &str) -> Res<f64> {
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(self.err(node, format!("`{name}` must be a finite number, found {v:?}"))),
        }
    }

    /// An optional boolean (`true`/`false`, `1`/`0`).
    pub fn opt_bool(&self, node: El<'a>, name: &str) -> Res<Option<bool>> {
        match self.attr(node, name)?.as_deref() {
            None => Ok(None),
            Some("true" | "1") => Ok(Some(true)),
            Some("false" | "0") => Ok(Some(false)),
            Some(v) => Err(self.err(node, format!("`{name}` must be true or false, found {v:?}"))),
        }
    }
}

/// An element's file, line, column and path, for errors raised after its
/// document is gone (a catalog's) or away from the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Loc {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub element: String,
}

impl Loc {
    /// An error here.
    pub fn err(&self, message: impl Into<String>) -> XoscError {
        XoscError::At {
            file: self.file.clone(),
            line: self.line,
            column: self.column,
            element: self.element.clone(),
            message: message.into(),
        }
    }

    /// "`X` is not supported yet" here.
    pub fn unsupported(&self, what: &str) -> XoscError {
        self.err(format!("{what} is not supported yet (see README, \"OpenSCENARIO import\")"))
    }

    /// `file:line:column`.
    pub fn short(&self) -> String {
        format!("{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// The element's local name.
pub(crate) fn name<'a>(node: El<'a>) -> &'a str {
    node.tag_name().name()
}
