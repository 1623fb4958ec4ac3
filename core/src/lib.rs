//! stdnav's domain: standard codes and records, enterprise profiles, the
//! project's own reference data, and catalogue loaders. No transport types here.

pub mod catalogue;
pub mod chains;
pub mod citation;
pub mod cocited;
pub mod code;
pub mod demo;
pub mod enterprise;
pub mod ics;
pub mod industry;
pub mod management;
pub mod market;
pub mod population;
pub mod reason;
pub mod reference;
pub mod regulation;
pub mod retrieval;
pub mod signals;
pub mod source;
pub mod standard;
pub mod text;
pub mod uscc;
pub mod vocab;
