//! Generated gRPC code for stdnav's four services and the descriptor set that
//! server reflection serves.

#![allow(clippy::all, clippy::pedantic)]

pub mod standards {
    pub mod v1 {
        tonic::include_proto!("stdnav.standards.v1");
    }
}

pub mod profiling {
    pub mod v1 {
        tonic::include_proto!("stdnav.profiling.v1");
    }
}

pub mod scoring {
    pub mod v1 {
        tonic::include_proto!("stdnav.scoring.v1");
    }
}

pub mod advisor {
    pub mod v1 {
        tonic::include_proto!("stdnav.advisor.v1");
    }
}

pub mod changes {
    pub mod v1 {
        tonic::include_proto!("stdnav.changes.v1");
    }
}

pub mod convert;

/// Encoded `FileDescriptorSet` of every stdnav package, for server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("stdnav_descriptor");
