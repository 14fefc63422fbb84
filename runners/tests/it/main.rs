//! Integration tests of the runners crate (one binary, as uv does).

mod cli;
mod exec_adapter;
mod sweep;
