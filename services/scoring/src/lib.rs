//! stdnav scoring service: scores candidate standards with linfa models
