//! Field paths: where in a value tree something is, as `actors[2].behaviours[0].speed`.

use std::fmt;

/// One step of a [`FieldPath`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// A struct field, a map key or an enum variant name.
    Field(String),
    /// An item of a list or a tuple, counted from 0.
    Index(usize),
}

/// A path from the root of a file's value to one value inside it.
///
/// Displays as `actors[2].behaviours[0].speed`; the empty path displays as `(root)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath {
    segments: Vec<Segment>,
}

impl FieldPath {
    /// The empty path: the file's top-level value.
    pub fn root() -> Self {
        Self::default()
    }

    /// This path extended by the struct field (or map key) `name`.
    pub fn field(&self, name: &str) -> Self {
        self.with(Segment::Field(name.to_owned()))
    }

    /// This path extended by the list or tuple item `i` (0-based).
    pub fn index(&self, i: usize) -> Self {
        self.with(Segment::Index(i))
    }

    /// The steps of this path, outermost first.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Whether this is the empty path.
    pub fn is_root(&self) -> bool {
        self.segments.is_empty()
    }

    fn with(&self, segment: Segment) -> Self {
        let mut segments = self.segments.clone();
        segments.push(segment);
        Self { segments }
    }

    /// Converts the path that `serde_path_to_error` tracked. Its `Unknown` segments (values that
    /// serde deserialized through an untracked route) end the path there: what follows cannot be
    /// located reliably.
    pub(crate) fn from_serde(path: &serde_path_to_error::Path) -> Self {
        let mut segments = Vec::new();
        for segment in path.iter() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => segments.push(Segment::Index(*index)),
                serde_path_to_error::Segment::Map { key } => segments.push(Segment::Field(key.clone())),
                serde_path_to_error::Segment::Enum { variant } => {
                    segments.push(Segment::Field(variant.clone()))
                }
                serde_path_to_error::Segment::Unknown => break,
            }
        }
        Self { segments }
    }
}

impl FromIterator<Segment> for FieldPath {
    fn from_iter<I: IntoIterator<Item = Segment>>(iter: I) -> Self {
        Self { segments: iter.into_iter().collect() }
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.segments.is_empty() {
            return f.write_str("(root)");
        }
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Field(name) if is_plain_name(name) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(name)?;
                }
                // Map keys may hold anything; quote them so the path stays unambiguous.
                Segment::Field(name) => write!(f, "[{name:?}]")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_fields_and_indices() {
        let path = FieldPath::root().field("actors").index(2).field("behaviours").index(0).field("speed");
        assert_eq!(path.to_string(), "actors[2].behaviours[0].speed");
        assert_eq!(path.segments().len(), 5);
        assert!(!path.is_root());
    }

    #[test]
    fn root_displays_as_root() {
        assert_eq!(FieldPath::root().to_string(), "(root)");
        assert!(FieldPath::root().is_root());
    }

    #[test]
    fn leading_index_and_odd_keys() {
        assert_eq!(FieldPath::root().index(3).field("a").to_string(), "[3].a");
        assert_eq!(FieldPath::root().field("tags").field("a b").to_string(), "tags[\"a b\"]");
    }

    #[test]
    fn field_and_index_do_not_mutate_the_original() {
        let base = FieldPath::root().field("a");
        let _ = base.index(1);
        assert_eq!(base.to_string(), "a");
    }
}
