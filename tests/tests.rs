//! End-to-end tests of the `concord` binary and of the pipeline as a library.

mod util;

mod bench;
mod config;
mod hostile;
mod inspect;
mod plugin;
mod report;
mod seeds;
