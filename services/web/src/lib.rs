//! The web face of stdnav: a JSON API under `/v1/` with its OpenAPI
//! document, and server-rendered pages — the province map (一张图), the
//! development index, the enterprise solution, search and changes — over
//! the gRPC services. `backend` is the transport (the services' clients,
//! behind one trait), `api` and `pages` the handlers, `model` the JSON
//! forms, `index` the map's figures (pure), `server` the router.

pub mod api;
pub mod backend;
pub mod check;
pub mod cli;
pub mod cors;
pub mod error;
pub mod figures;
pub mod i18n;
pub mod index;
pub mod model;
pub mod pages;
pub mod server;
pub mod session;

pub use backend::{Backend, Caller, GrpcBackend, ServiceAddrs};
pub use cors::Cors;
pub use server::{
    Options, WebHandle, router, router_with, router_with_options, spawn, spawn_with,
    spawn_with_options,
};
