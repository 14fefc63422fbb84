//! Integration tests of the runners crate (one binary, as uv does).

mod exec_adapter;
