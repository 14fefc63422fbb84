//! Integration tests of the runners crate (one binary, as uv does).

mod ci;
mod ci_examples;
mod cli;
mod conflict_signals;
mod conformance;
mod edges;
mod evidence;
mod evidence_pack;
mod exec_adapter;
mod falsify;
mod formulas;
mod fuzz;
mod github_workflow;
mod json;
mod leading;
mod library;
mod margins;
mod mcap_export;
mod monitor_options;
mod perception;
mod plan;
mod replay;
mod support;
mod sweep;
mod triage;
mod twoway;
