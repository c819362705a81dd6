//! The interactive browser: an Elm-style loop (`update` is pure, `render` is a
//! read) over the same domain the CLI uses.

pub mod action;
pub mod app;
pub mod effect;
pub mod filter;
pub mod job;
pub mod jobs;
pub mod keymap;
pub mod layout;
pub mod msg;
pub mod places;
pub mod pool;
pub mod settings;
pub mod state;
pub mod ticket;
pub mod ui;
pub mod update;
