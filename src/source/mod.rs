//! What regscope browses, independent of any front end.

pub mod inspect;
