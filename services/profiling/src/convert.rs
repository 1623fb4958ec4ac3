//! Conversions between the profile's proto and domain forms.

use stdnav_core::enterprise::{
    ChainMembership, EnterpriseRecord, FieldError, MeasuredIndicator, Profile, Segment,
};
use stdnav_proto::profiling::v1 as pb;

pub fn segment_to_pb(s: Segment) -> pb::Segment {
    match s {
        Segment::Upstream => pb::Segment::Upstream,
        Segment::Midstream => pb::Segment::Midstream,
        Segment::Downstream => pb::Segment::Downstream,
    }
}

pub fn profile_to_pb(p: &Profile) -> pb::Enterprise {
    pb::Enterprise {
        uscc: p.uscc.clone(),
        name: p.name.clone(),
        region: p.region.clone(),
        industries: p.industries.clone(),
        products: p.products.clone(),
        hs_codes: p.hs_codes.clone(),
        employees: p.employees,
        revenue_cny: p.revenue_cny,
        markets: p.markets.clone(),
        chains: p
            .chains
            .iter()
            .map(|c| pb::ChainMembership {
                chain: c.chain.clone(),
                segment: segment_to_pb(c.segment) as i32,
            })
            .collect(),
        standards_held: p.standards_held.clone(),
        certifications: p.certifications.clone(),
        indicators: p
            .indicators
            .iter()
            .map(|i| pb::MeasuredIndicator {
                name: i.name.clone(),
                unit: i.unit.clone(),
                value: i.value,
                product: i.product.clone(),
            })
            .collect(),
        dcmm_level: p.dcmm_level,
        flags: p.flags.clone(),
    }
}

/// Converts a proto profile; an unknown segment is a field error under
/// `prefix` (e.g. `enterprise.chains[0].segment`).
pub fn profile_from_pb(e: pb::Enterprise, prefix: &str) -> Result<Profile, Vec<FieldError>> {
    let mut errors = Vec::new();
    let chains = e
        .chains
        .into_iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let segment = match pb::Segment::try_from(c.segment) {
                Ok(pb::Segment::Upstream) => Segment::Upstream,
                Ok(pb::Segment::Midstream) => Segment::Midstream,
                Ok(pb::Segment::Downstream) => Segment::Downstream,
                _ => {
                    errors.push(FieldError {
                        field: format!("{prefix}chains[{i}].segment"),
                        reason: "must be UPSTREAM, MIDSTREAM or DOWNSTREAM".into(),
                    });
                    return None;
                }
            };
            Some(ChainMembership {
                chain: c.chain,
                segment,
            })
        })
        .collect();
    let profile = Profile {
        uscc: e.uscc,
        name: e.name,
        region: e.region,
        industries: e.industries,
        products: e.products,
        hs_codes: e.hs_codes,
        employees: e.employees,
        revenue_cny: e.revenue_cny,
        markets: e.markets,
        chains,
        standards_held: e.standards_held,
        certifications: e.certifications,
        indicators: e
            .indicators
            .into_iter()
            .map(|i| MeasuredIndicator {
                name: i.name,
                unit: i.unit,
                value: i.value,
                product: i.product,
            })
            .collect(),
        dcmm_level: e.dcmm_level,
        flags: e.flags,
    };
    if errors.is_empty() {
        Ok(profile)
    } else {
        Err(errors)
    }
}

pub fn record_to_pb(r: &EnterpriseRecord) -> pb::EnterpriseRecord {
    let en = &r.enrichment;
    pb::EnterpriseRecord {
        enterprise: Some(profile_to_pb(&r.profile)),
        enrichment: Some(pb::Enrichment {
            held: en
                .held
                .iter()
                .map(|h| pb::HeldStandard {
                    input: h.input.clone(),
                    code: h.code.clone(),
                })
                .collect(),
            industries: en.industries.clone(),
            ics_groups: en.ics_groups.clone(),
            keywords: en.keywords.clone(),
            region_name: en.region_name.clone(),
            province: en.province.clone(),
            features: en.features.clone(),
            feature_names: en.feature_names.clone(),
            industry_names: en.industry_names.clone(),
            industry_mappings: en
                .industry_mappings
                .iter()
                .map(|m| pb::IndustryMapping {
                    input: m.input.clone(),
                    scheme: m.scheme.name().to_string(),
                    gbt4754: m.gbt4754.clone(),
                })
                .collect(),
        }),
        tenant: r.tenant.clone(),
        version: r.version,
        updated_at: (r.updated_at_ms > 0).then(|| prost_types::Timestamp {
            seconds: (r.updated_at_ms / 1000) as i64,
            nanos: ((r.updated_at_ms % 1000) * 1_000_000) as i32,
        }),
    }
}
