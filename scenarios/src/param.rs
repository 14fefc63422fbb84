//! Numbers that may be parameters: a fixed value, a range, or a list of
//! choices, each with a nominal value (seed 0 runs every parameter at its
//! nominal value).
//!
//! In a file: `25.0`, `Range(min: 20.0, max: 30.0, nominal: 25.0)`, or
//! `Choice(values: [2, 3], nominal: 3)`. `nominal` defaults to the middle of
//! a range and to the first choice.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};

/// A number in a scenario file.
#[derive(Debug, Clone, PartialEq)]
pub enum Num {
    /// Always this value.
    Fixed(f64),
    /// Any value in `[min, max]`.
    Range {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
        /// Value of the nominal instance.
        nominal: f64,
    },
    /// One of these values.
    Choice {
        /// The allowed values.
        values: Vec<f64>,
        /// Value of the nominal instance.
        nominal: f64,
    },
}

impl Num {
    /// The value of the nominal instance.
    pub fn nominal(&self) -> f64 {
        match self {
            Num::Fixed(v) => *v,
            Num::Range { nominal, .. } | Num::Choice { nominal, .. } => *nominal,
        }
    }

    /// Whether this number varies between instances.
    pub fn is_parameter(&self) -> bool {
        !matches!(self, Num::Fixed(_))
    }

    /// Every value that matters for validation: bounds, choices and nominal.
    pub fn extremes(&self) -> Vec<f64> {
        match self {
            Num::Fixed(v) => vec![*v],
            Num::Range { min, max, nominal } => vec![*min, *max, *nominal],
            Num::Choice { values, nominal } => {
                let mut v = values.clone();
                v.push(*nominal);
                v
            }
        }
    }

    /// Smallest value it can take.
    pub fn min_value(&self) -> f64 {
        self.extremes().into_iter().fold(f64::INFINITY, f64::min)
    }

    /// Largest value it can take.
    pub fn max_value(&self) -> f64 {
        self.extremes().into_iter().fold(f64::NEG_INFINITY, f64::max)
    }
}

impl From<f64> for Num {
    fn from(v: f64) -> Self {
        Num::Fixed(v)
    }
}

impl<'de> de::Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NumVisitor)
    }
}

struct NumVisitor;

impl<'de> Visitor<'de> for NumVisitor {
    type Value = Num;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, `Range(min: …, max: …, nominal: …)` or `Choice(values: […], nominal: …)`")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
        Ok(Num::Fixed(v))
    }
    fn visit_f32<E: de::Error>(self, v: f32) -> Result<Num, E> {
        Ok(Num::Fixed(v as f64))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
        Ok(Num::Fixed(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
        Ok(Num::Fixed(v as f64))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Num, E> {
        Ok(Num::Fixed(v as f64))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Num, E> {
        Ok(Num::Fixed(v as f64))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Num, A::Error> {
        let (mut min, mut max, mut nominal, mut values) = (None, None, None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "min" => min = Some(map.next_value::<f64>()?),
                "max" => max = Some(map.next_value::<f64>()?),
                "nominal" => nominal = Some(map.next_value::<f64>()?),
                "values" => values = Some(map.next_value::<Vec<f64>>()?),
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown field `{other}` in a parameter, expected `min`, `max`, `nominal` or `values`"
                    )));
                }
            }
        }
        match (min, max, values) {
            (Some(min), Some(max), None) => {
                if min.is_nan() || max.is_nan() || min > max {
                    return Err(de::Error::custom(format!(
                        "a range needs min ≤ max, found min {min} > max {max}"
                    )));
                }
                let nominal = nominal.unwrap_or(0.5 * (min + max));
                if !(min..=max).contains(&nominal) {
                    return Err(de::Error::custom(format!(
                        "nominal {nominal} lies outside the range [{min}, {max}]"
                    )));
                }
                Ok(Num::Range { min, max, nominal })
            }
            (None, None, Some(values)) => {
                let Some(&first) = values.first() else {
                    return Err(de::Error::custom("a choice needs at least one value"));
                };
                let nominal = nominal.unwrap_or(first);
                if !values.contains(&nominal) {
                    return Err(de::Error::custom(format!(
                        "nominal {nominal} is not one of the values {values:?}"
                    )));
                }
                Ok(Num::Choice { values, nominal })
            }
            _ => Err(de::Error::custom(
                "a parameter is either `Range(min: …, max: …)` or `Choice(values: […])`, with an optional `nominal`",
            )),
        }
    }
}

/// In a schema, a number is what a file may write for it: a fixed value,
/// `Range(min, max, nominal?)` or `Choice(values, nominal?)` (RON's struct
/// names carry no data in the serde data model, so JSON writes the last two
/// as objects).
impl schemars::JsonSchema for Num {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Num".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A number that may be a parameter: a fixed value, `Range(min: …, max: …, nominal: …)` or `Choice(values: […], nominal: …)`; `nominal` defaults to the middle of a range and to the first choice.",
            "oneOf": [
                { "type": "number" },
                {
                    "title": "Range",
                    "type": "object",
                    "properties": {
                        "min": { "type": "number" },
                        "max": { "type": "number" },
                        "nominal": { "type": "number" }
                    },
                    "required": ["min", "max"],
                    "additionalProperties": false
                },
                {
                    "title": "Choice",
                    "type": "object",
                    "properties": {
                        "values": { "type": "array", "items": { "type": "number" }, "minItems": 1 },
                        "nominal": { "type": "number" }
                    },
                    "required": ["values"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct S {
        a: Num,
        b: Num,
        c: Num,
        d: Num,
    }

    #[test]
    fn parses_every_form() {
        let s: S = ron::from_str(
            "(a: 1.5, b: 3, c: Range(min: 1.0, max: 2.0), d: Choice(values: [2, 3], nominal: 3))",
        )
        .expect("valid");
        assert_eq!(s.a, Num::Fixed(1.5));
        assert_eq!(s.b, Num::Fixed(3.0));
        assert_eq!(s.c, Num::Range { min: 1.0, max: 2.0, nominal: 1.5 });
        assert_eq!(s.d, Num::Choice { values: vec![2.0, 3.0], nominal: 3.0 });
    }

    #[test]
    fn rejects_inverted_ranges_and_foreign_nominals() {
        let e = ron::from_str::<S>("(a: 1, b: 1, c: Range(min: 3.0, max: 2.0), d: 1)").unwrap_err();
        assert!(e.to_string().contains("min ≤ max"), "{e}");
        let e = ron::from_str::<S>("(a: 1, b: 1, c: Choice(values: [1], nominal: 2), d: 1)").unwrap_err();
        assert!(e.to_string().contains("not one of the values"), "{e}");
    }
}
