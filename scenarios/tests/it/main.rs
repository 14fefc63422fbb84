//! Integration tests of the scenarios crate.

mod invalid;
mod library;
mod reference;
mod xosc;
