//! Integration tests of the runners crate (one binary, as uv does).

mod ci;
mod ci_examples;
mod cli;
mod conformance;
mod edges;
mod evidence;
mod exec_adapter;
mod fuzz;
mod json;
mod library;
mod margins;
mod perception;
mod plan;
mod replay;
mod support;
mod sweep;
mod triage;
