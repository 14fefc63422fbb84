//! Gate files on disk: the example loads, mistakes point at file, line and
//! column.

use gauntlet_reports::GateConfig;

use crate::support::fixture;

#[test]
fn the_example_gate_file_loads() {
    let config = GateConfig::load(fixture("gate/gauntlet.toml")).unwrap();
    assert_eq!(config.min_pass_rate, Some(0.95));
    assert_eq!(config.forbid_regression_classes, ["C", "D"]);
}

#[test]
fn an_unknown_key_names_file_line_and_column() {
    let err = GateConfig::load(fixture("gate/unknown_key.toml")).unwrap_err().to_string();
    assert!(err.contains("gate/unknown_key.toml:3:1: unknown field `no_flake`"), "{err}");
}

#[test]
fn an_out_of_range_share_names_file_line_and_column() {
    let err = GateConfig::load(fixture("gate/out_of_range.toml")).unwrap_err().to_string();
    assert!(
        err.ends_with("gate/out_of_range.toml:3:25: min_top_risk_coverage must be between 0 and 1, found 80"),
        "{err}"
    );
}
