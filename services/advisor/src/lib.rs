//! stdnav advisor service: composes solutions, benchmarking gaps, roadmaps and chain scoring
