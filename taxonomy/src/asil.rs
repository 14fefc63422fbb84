//! ISO 26262-3 hazard classification: severity, exposure, controllability and the ASIL.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Severity of the harm a hazard can cause (ISO 26262-3, Table 1).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub enum Severity {
    /// No injuries.
    S0,
    /// Light and moderate injuries.
    S1,
    /// Severe and life-threatening injuries (survival probable).
    S2,
    /// Life-threatening injuries (survival uncertain), fatal injuries.
    S3,
}

/// Probability of exposure to the operational situation (ISO 26262-3, Table 2).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub enum Exposure {
    /// Incredible.
    E0,
    /// Very low probability.
    E1,
    /// Low probability.
    E2,
    /// Medium probability.
    E3,
    /// High probability.
    E4,
}

/// Controllability of the situation by the people at risk (ISO 26262-3, Table 3).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub enum Controllability {
    /// Controllable in general.
    C0,
    /// Simply controllable.
    C1,
    /// Normally controllable.
    C2,
    /// Difficult to control or uncontrollable.
    C3,
}

/// The risk class of a hazard: QM (quality management suffices) or ASIL A to D.
///
/// Ordered by risk: `QM < A < B < C < D`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
pub enum AsilClass {
    /// Quality management; no ASIL.
    QM,
    /// ASIL A, the lowest integrity level.
    A,
    /// ASIL B.
    B,
    /// ASIL C.
    C,
    /// ASIL D, the highest integrity level.
    D,
}

impl AsilClass {
    /// Every class, lowest risk first.
    pub const ALL: [AsilClass; 5] = [AsilClass::QM, AsilClass::A, AsilClass::B, AsilClass::C, AsilClass::D];

    /// The weight of a hazard of this class in risk-weighted coverage: QM 1, A 2, B 4, C 8, D 16.
    ///
    /// Each class weighs twice the one below, so one uncovered ASIL D hazard costs as much
    /// coverage as two uncovered ASIL C hazards or sixteen QM ones; QM hazards still count.
    pub fn weight(self) -> u32 {
        match self {
            AsilClass::QM => 1,
            AsilClass::A => 2,
            AsilClass::B => 4,
            AsilClass::C => 8,
            AsilClass::D => 16,
        }
    }

    /// The short name: `QM`, `A`, `B`, `C` or `D`.
    pub fn as_str(self) -> &'static str {
        match self {
            AsilClass::QM => "QM",
            AsilClass::A => "A",
            AsilClass::B => "B",
            AsilClass::C => "C",
            AsilClass::D => "D",
        }
    }
}

/// `QM`, `ASIL A`, …, `ASIL D`.
impl fmt::Display for AsilClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AsilClass::QM => f.write_str("QM"),
            other => write!(f, "ASIL {}", other.as_str()),
        }
    }
}

macro_rules! display_as_debug {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self, f)
            }
        }
    )*};
}
display_as_debug!(Severity, Exposure, Controllability);

/// The ASIL determined by ISO 26262-3:2018, Table 4.
///
/// S0, E0 or C0 give QM whatever the other two are (the standard assigns no ASIL there).
pub fn asil(s: Severity, e: Exposure, c: Controllability) -> AsilClass {
    use AsilClass::{A, B, C, D, QM};
    // TABLE[s - 1][e - 1][c - 1], transcribed row by row from the standard.
    const TABLE: [[[AsilClass; 3]; 4]; 3] = [
        // S1: E1..E4 × C1..C3
        [[QM, QM, QM], [QM, QM, QM], [QM, QM, A], [QM, A, B]],
        // S2
        [[QM, QM, QM], [QM, QM, A], [QM, A, B], [A, B, C]],
        // S3
        [[QM, QM, A], [QM, A, B], [A, B, C], [B, C, D]],
    ];
    let (s, e, c) = (s as usize, e as usize, c as usize);
    if s == 0 || e == 0 || c == 0 {
        return QM;
    }
    TABLE[s - 1][e - 1][c - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_order_by_risk_and_double_in_weight() {
        assert!(AsilClass::QM < AsilClass::A && AsilClass::C < AsilClass::D);
        for pair in AsilClass::ALL.windows(2) {
            assert!(pair[0] < pair[1]);
            assert_eq!(pair[1].weight(), 2 * pair[0].weight());
        }
        assert_eq!(AsilClass::QM.to_string(), "QM");
        assert_eq!(AsilClass::C.to_string(), "ASIL C");
    }
}
