//! Integration tests of the scenarios crate.

mod control_loss;
mod invalid;
mod library;
mod reference;
mod xosc;
