//! stdnav profiling service: enterprise validation, enrichment, peer groups, tenant-isolated store
