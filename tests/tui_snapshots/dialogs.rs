//! Dialogs on top: help, the delete confirmation.

use super::*;

#[test]
fn help_overlay() {
    run("help", Start::Registry, "?");
}

#[test]
fn delete_dialog() {
    // `latest` shares its digest with 1.0: both are listed, and the name must be typed.
    run("delete_dialog", Start::Repository("app".into()), "Gd");
}
