//! Conversions between the enterprise profile's and record's proto and domain forms.

use crate::profiling::v1 as pb;
use stdnav_core::enterprise::{
    ChainMembership, Enrichment, EnterpriseRecord, FieldError, HeldStandard, MeasuredIndicator,
    Profile, Segment,
};
use stdnav_core::industry::{IndustryMapping, Scheme};

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

/// Converts a record a client was given back (PeerGroup's `record`): as
/// [`record_to_pb`] wrote it, nothing validated or derived again. An unknown
/// segment or industry scheme is a field error under `prefix`
/// (`record.enterprise.chains[0].segment`).
pub fn record_from_pb(
    r: pb::EnterpriseRecord,
    prefix: &str,
) -> Result<EnterpriseRecord, Vec<FieldError>> {
    let Some(enterprise) = r.enterprise else {
        return Err(vec![FieldError {
            field: format!("{prefix}enterprise"),
            reason: "is required".into(),
        }]);
    };
    let profile = profile_from_pb(enterprise, &format!("{prefix}enterprise."));
    let en = r.enrichment.unwrap_or_default();
    let mut errors = Vec::new();
    let industry_mappings = en
        .industry_mappings
        .into_iter()
        .enumerate()
        .filter_map(|(i, m)| match Scheme::from_name(&m.scheme) {
            Some(scheme) => Some(IndustryMapping {
                input: m.input,
                scheme,
                gbt4754: m.gbt4754,
            }),
            None => {
                errors.push(FieldError {
                    field: format!("{prefix}enrichment.industry_mappings[{i}].scheme"),
                    reason: "must be GB/T 4754-2017, ISIC Rev.4, NACE Rev.2 or NAICS 2017".into(),
                });
                None
            }
        })
        .collect();
    let profile = match profile {
        Ok(p) if errors.is_empty() => p,
        Ok(_) => return Err(errors),
        Err(mut e) => {
            e.extend(errors);
            return Err(e);
        }
    };
    Ok(EnterpriseRecord {
        profile,
        enrichment: Enrichment {
            held: en
                .held
                .into_iter()
                .map(|h| HeldStandard {
                    input: h.input,
                    code: h.code,
                })
                .collect(),
            industries: en.industries,
            industry_mappings,
            industry_names: en.industry_names,
            ics_groups: en.ics_groups,
            keywords: en.keywords,
            region_name: en.region_name,
            province: en.province,
            features: en.features,
            feature_names: en.feature_names,
        },
        tenant: r.tenant,
        version: r.version,
        updated_at_ms: r.updated_at.map_or(0, |t| {
            u64::try_from(t.seconds).unwrap_or(0) * 1000
                + u64::try_from(t.nanos / 1_000_000).unwrap_or(0)
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_round_trips() {
        let record = EnterpriseRecord {
            profile: Profile {
                uscc: "91440400MA4UXXXX0X".into(),
                region: "440400".into(),
                employees: 120,
                markets: vec!["CN".into(), "DE".into()],
                chains: vec![ChainMembership {
                    chain: "appliances".into(),
                    segment: Segment::Midstream,
                }],
                ..Default::default()
            },
            enrichment: Enrichment {
                held: vec![HeldStandard {
                    input: "GB/T19001-2016".into(),
                    code: "GB/T 19001-2016".into(),
                }],
                industries: vec!["3851".into()],
                industry_mappings: vec![IndustryMapping {
                    input: "NACE 27.51".into(),
                    scheme: Scheme::Nace2,
                    gbt4754: vec!["3851".into()],
                }],
                ics_groups: vec!["97.040".into()],
                features: vec![1.0, 2.5],
                ..Default::default()
            },
            tenant: "t".into(),
            version: 3,
            updated_at_ms: 1_700_000_000_123,
        };
        assert_eq!(record_from_pb(record_to_pb(&record), "record."), Ok(record));
        let mut bad = pb::EnterpriseRecord::default();
        let e = record_from_pb(bad.clone(), "record.").unwrap_err();
        assert_eq!(e[0].field, "record.enterprise");
        bad.enterprise = Some(pb::Enterprise {
            chains: vec![pb::ChainMembership::default()],
            ..Default::default()
        });
        let e = record_from_pb(bad, "record.").unwrap_err();
        assert_eq!(e[0].field, "record.enterprise.chains[0].segment");
    }
}
