//! The ISO 26262-3:2018 Table 4, entry by entry.

use gauntlet_taxonomy::{AsilClass, Controllability as C, Exposure as E, Severity as S, asil};

/// Table 4 as printed in the standard: one row per (S, E), columns C1, C2, C3.
const TABLE_4: [(S, E, [&str; 3]); 12] = [
    (S::S1, E::E1, ["QM", "QM", "QM"]),
    (S::S1, E::E2, ["QM", "QM", "QM"]),
    (S::S1, E::E3, ["QM", "QM", "A"]),
    (S::S1, E::E4, ["QM", "A", "B"]),
    (S::S2, E::E1, ["QM", "QM", "QM"]),
    (S::S2, E::E2, ["QM", "QM", "A"]),
    (S::S2, E::E3, ["QM", "A", "B"]),
    (S::S2, E::E4, ["A", "B", "C"]),
    (S::S3, E::E1, ["QM", "QM", "A"]),
    (S::S3, E::E2, ["QM", "A", "B"]),
    (S::S3, E::E3, ["A", "B", "C"]),
    (S::S3, E::E4, ["B", "C", "D"]),
];

#[test]
fn every_entry_of_table_4() {
    for (s, e, row) in TABLE_4 {
        for (c, expected) in [C::C1, C::C2, C::C3].into_iter().zip(row) {
            assert_eq!(asil(s, e, c).as_str(), expected, "{s} {e} {c}");
        }
    }
}

#[test]
fn zero_classes_are_qm() {
    let severities = [S::S0, S::S1, S::S2, S::S3];
    let exposures = [E::E0, E::E1, E::E2, E::E3, E::E4];
    let controllabilities = [C::C0, C::C1, C::C2, C::C3];
    let mut checked = 0;
    for s in severities {
        for e in exposures {
            for c in controllabilities {
                if s == S::S0 || e == E::E0 || c == C::C0 {
                    assert_eq!(asil(s, e, c), AsilClass::QM, "{s} {e} {c}");
                    checked += 1;
                }
            }
        }
    }
    // 4·5·4 combinations minus the 3·4·3 without any zero class.
    assert_eq!(checked, 80 - 36);
}

#[test]
fn the_table_follows_the_sum_rule() {
    // A well-known property of Table 4: with S, E, C ≥ 1, S+E+C = 10 → D, 9 → C, 8 → B, 7 → A,
    // less → QM. A second, independent statement of the same table.
    for s in [S::S1, S::S2, S::S3] {
        for e in [E::E1, E::E2, E::E3, E::E4] {
            for c in [C::C1, C::C2, C::C3] {
                let expected = match s as u8 + e as u8 + c as u8 {
                    10 => AsilClass::D,
                    9 => AsilClass::C,
                    8 => AsilClass::B,
                    7 => AsilClass::A,
                    _ => AsilClass::QM,
                };
                assert_eq!(asil(s, e, c), expected, "{s} {e} {c}");
            }
        }
    }
}
