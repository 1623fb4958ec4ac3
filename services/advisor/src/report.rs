//! A solution as a readable report, in Chinese or English, that an agency
//! can hand to its client.

use std::fmt::Write;

use crate::solution::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "zh" | "zh-CN" | "cn" => Ok(Lang::Zh),
            "en" => Ok(Lang::En),
            other => Err(format!("unknown language {other:?} (zh or en)")),
        }
    }
}

struct Words {
    title: &'static str,
    maturity: &'static str,
    percentile: &'static str,
    must: &'static str,
    should: &'static str,
    upgrades: &'static str,
    gaps: &'static str,
    roadmap: &'static str,
    held: &'static str,
    not_held: &'static str,
    old: &'static str,
    none: &'static str,
    unmatched: &'static str,
    partial: &'static str,
    edition_gap: &'static str,
    alignment_gap: &'static str,
    indicator_gap: &'static str,
    portfolio_gap: &'static str,
    meets: &'static str,
    fails: &'static str,
    illustrative: &'static str,
    peers: &'static str,
}

const ZH: Words = Words {
    title: "标准化解决方案",
    maturity: "标准化成熟度",
    percentile: "同行百分位",
    must: "一、必须执行的强制性标准",
    should: "二、推荐采用的标准",
    upgrades: "三、需要更新的标准版本",
    gaps: "四、对标达标差距",
    roadmap: "五、实施路线图",
    held: "已执行",
    not_held: "未执行",
    old: "执行旧版",
    none: "（无）",
    unmatched: "未找到适用标准的产品（建议制定企业标准或团体标准）",
    partial: "注意：部分服务不可用，本方案不完整，缺少",
    edition_gap: "版本差距",
    alignment_gap: "国际对标差距",
    indicator_gap: "指标差距",
    portfolio_gap: "标准覆盖差距（同行采用率）",
    meets: "达标",
    fails: "未达标",
    illustrative: "（示例数据）",
    peers: "同行企业数",
};

const EN: Words = Words {
    title: "Standardization solution",
    maturity: "Standardization maturity",
    percentile: "percentile among peers",
    must: "1. Mandatory standards that apply",
    should: "2. Recommended standards",
    upgrades: "3. Held standards to upgrade",
    gaps: "4. Benchmarking gaps",
    roadmap: "5. Roadmap",
    held: "held",
    not_held: "not held",
    old: "old edition held",
    none: "(none)",
    unmatched: "Products with no standard found (consider an enterprise or group standard)",
    partial: "Note: some services were unavailable; this solution is partial, missing",
    edition_gap: "Edition gaps",
    alignment_gap: "International alignment gaps",
    indicator_gap: "Indicator gaps",
    portfolio_gap: "Portfolio gaps (peer adoption)",
    meets: "meets",
    fails: "does not meet",
    illustrative: " (illustrative data)",
    peers: "peers",
};

fn phase(p: Phase, lang: Lang) -> &'static str {
    match (p, lang) {
        (Phase::Now, Lang::Zh) => "立即",
        (Phase::Within6Months, Lang::Zh) => "6个月内",
        (Phase::Within12Months, Lang::Zh) => "12个月内",
        (Phase::Now, Lang::En) => "now",
        (Phase::Within6Months, Lang::En) => "within 6 months",
        (Phase::Within12Months, Lang::En) => "within 12 months",
    }
}

fn action(a: Action, lang: Lang) -> &'static str {
    match (a, lang) {
        (Action::Adopt, Lang::Zh) => "采用",
        (Action::Upgrade, Lang::Zh) => "更新版本",
        (Action::Certify, Lang::Zh) => "认证",
        (Action::DraftEnterpriseStandard, Lang::Zh) => "制定企业标准",
        (Action::Adopt, Lang::En) => "adopt",
        (Action::Upgrade, Lang::En) => "upgrade",
        (Action::Certify, Lang::En) => "certify",
        (Action::DraftEnterpriseStandard, Lang::En) => "draft an enterprise standard",
    }
}

/// A GB/T 4754-2017 level in Chinese: 小类 (class), 中类 (group), 大类 (division).
fn level_zh(level: &str) -> Option<&'static str> {
    Some(match level {
        "class" => "小类",
        "group" => "中类",
        "division" => "大类",
        _ => return None,
    })
}

/// "held by 12 of 20 peers in class 3852" in Chinese:
/// "行业小类 3852 的 20 家同行中 12 家采用"; `None` for other reasons.
fn peer_reason_zh(reason: &str) -> Option<String> {
    let rest = reason.strip_prefix("held by ")?;
    let (held, rest) = rest.split_once(" of ")?;
    let (count, rest) = rest.split_once(' ')?;
    let count: u32 = count.parse().ok()?;
    let rest = rest
        .strip_prefix("peers")
        .or_else(|| rest.strip_prefix("peer"))?;
    let basis = match rest.strip_prefix(" in ") {
        None if rest.is_empty() => String::new(),
        None => return None,
        // "class 3852", or "your industry class" when the code is unknown.
        Some(b) => match b.rsplit_once(' ')? {
            ("your industry", level) => format!("同行业{}的", level_zh(level)?),
            (level, code) => format!("行业{} {code} 的 ", level_zh(level)?),
        },
    };
    Some(if held == "none" {
        format!("{basis}{count} 家同行均未采用")
    } else {
        let held: u32 = held.parse().ok()?;
        format!("{basis}{count} 家同行中 {held} 家采用")
    })
}

/// A reason in the report's language. Reasons come from the model in
/// English; those about peers are given in Chinese too, the others as
/// they are.
fn reason(r: &str, lang: Lang) -> std::borrow::Cow<'_, str> {
    match lang {
        Lang::Zh => peer_reason_zh(r).map_or(r.into(), Into::into),
        Lang::En => r.into(),
    }
}

/// What the peers share, for the gaps section: `class 3852` →
/// "（行业小类 3852）" / " (class 3852)"; no peers is said so.
fn peer_basis(g: &Gaps, lang: Lang) -> String {
    let (level, code) = g.peer_basis.split_once(' ').unwrap_or(("", ""));
    match (lang, level_zh(level)) {
        (Lang::Zh, Some(l)) => format!("（行业{l} {code}）"),
        (Lang::En, Some(_)) => format!(" ({level} {code})"),
        (Lang::Zh, None) => "（同一行业大类中没有同行企业，不作同行比较）".into(),
        (Lang::En, None) => {
            " (no enterprise of the same industry division: no peer comparison)".into()
        }
    }
}

/// Renders the report. Reasons are generated in English by the model and
/// shown as they are, apart from the peer reasons (see [`reason`]).
pub fn render(s: &Solution, lang: Lang) -> String {
    let w = if lang == Lang::Zh { &ZH } else { &EN };
    let mut out = String::new();
    let _ = writeln!(out, "{} — {} ({})", w.title, s.name, s.uscc);
    let _ = writeln!(
        out,
        "{}: {:.1}/100, {} {:.0}",
        w.maturity, s.maturity.score, w.percentile, s.maturity.percentile
    );
    if s.partial {
        let _ = writeln!(out, "{}: {}", w.partial, s.missing.join(", "));
    }
    let _ = writeln!(out, "\n{}", w.must);
    if s.must.is_empty() {
        let _ = writeln!(out, "  {}", w.none);
    }
    for m in &s.must {
        let state = match m.holding {
            Holding::Held => w.held,
            Holding::NotHeld => w.not_held,
            Holding::HeldOldEdition => w.old,
        };
        let _ = writeln!(out, "  [{state}] {} {}", m.id, m.title);
        for r in &m.reasons {
            let _ = writeln!(out, "      - {r}");
        }
    }
    let _ = writeln!(out, "\n{}", w.should);
    if s.should.is_empty() {
        let _ = writeln!(out, "  {}", w.none);
    }
    for (i, x) in s.should.iter().enumerate() {
        let _ = writeln!(out, "  {:>2}. {} {} ({:.2})", i + 1, x.id, x.title, x.score);
        for r in x.reasons.iter().take(3) {
            let _ = writeln!(out, "      - {}", reason(r, lang));
        }
    }
    let _ = writeln!(out, "\n{}", w.upgrades);
    if s.upgrades.is_empty() {
        let _ = writeln!(out, "  {}", w.none);
    }
    for u in &s.upgrades {
        let _ = writeln!(out, "  {} → {} ({})", u.held, u.current, u.path.join(" → "));
        if !u.note.is_empty() {
            let _ = writeln!(out, "      - {}", u.note);
        }
        if u.status_inferred {
            let _ = writeln!(
                out,
                "      - {}",
                match lang {
                    Lang::Zh =>
                        "状态系按同号标准的版本推断（国家标准目录未给出状态），请以官方公告为准",
                    Lang::En =>
                        "status inferred from the editions of the number (the national list gives none); confirm against the official notice",
                }
            );
        }
    }
    let _ = writeln!(out, "\n{}", w.gaps);
    let g = &s.gaps;
    let _ = writeln!(
        out,
        "  {}: {}{}",
        w.peers,
        g.peer_group_size,
        peer_basis(g, lang)
    );
    if !g.edition.is_empty() {
        let _ = writeln!(out, "  {}:", w.edition_gap);
        for e in &g.edition {
            let _ = writeln!(
                out,
                "    {} → {} ({:.0} y)",
                e.held, e.current, e.years_between
            );
        }
    }
    if !g.alignment.is_empty() {
        let _ = writeln!(out, "  {}:", w.alignment_gap);
        for a in &g.alignment {
            let _ = writeln!(out, "    {}", a.note);
        }
    }
    if !g.portfolio.is_empty() {
        let _ = writeln!(out, "  {}:", w.portfolio_gap);
        for p in g.portfolio.iter().take(10) {
            let _ = writeln!(out, "    {} {:.0}%", p.id, p.peer_adoption * 100.0);
        }
    }
    if !g.indicators.is_empty() {
        let _ = writeln!(out, "  {}:", w.indicator_gap);
        for i in &g.indicators {
            let op = i.comparator.symbol();
            let _ = writeln!(
                out,
                "    {} = {} {} — {} {op} {} ({}): {} ({:+.2}, {:+.1}%){}",
                i.indicator,
                i.value,
                i.unit,
                i.standard_id,
                i.threshold,
                i.unit,
                if i.meets { w.meets } else { w.fails },
                i.absolute_gap,
                i.relative_gap * 100.0,
                if i.illustrative { w.illustrative } else { "" }
            );
        }
    }
    let _ = writeln!(out, "\n{}", w.roadmap);
    for r in &s.roadmap {
        let _ = writeln!(
            out,
            "  [{}] {} {} — {}",
            phase(r.phase, lang),
            action(r.action, lang),
            r.standard_id,
            r.why
        );
    }
    if !s.unmatched_products.is_empty() {
        let _ = writeln!(
            out,
            "\n{}: {}",
            w.unmatched,
            s.unmatched_products.join("、")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_reasons_read_in_chinese() {
        let zh = |r: &str| reason(r, Lang::Zh).into_owned();
        assert_eq!(
            zh("held by 12 of 20 peers in class 3852"),
            "行业小类 3852 的 20 家同行中 12 家采用"
        );
        assert_eq!(
            zh("held by none of 7 peers in division 35"),
            "行业大类 35 的 7 家同行均未采用"
        );
        assert_eq!(
            zh("held by 1 of 1 peer in group 385"),
            "行业中类 385 的 1 家同行中 1 家采用"
        );
        assert_eq!(zh("held by 3 of 9 peers"), "9 家同行中 3 家采用");
        // Other reasons stay as the model wrote them.
        assert_eq!(zh("mandatory in your market"), "mandatory in your market");
        assert_eq!(
            reason("held by 12 of 20 peers in class 3852", Lang::En),
            "held by 12 of 20 peers in class 3852"
        );
    }

    #[test]
    fn the_gaps_say_what_the_peers_share_or_that_there_are_none() {
        let g = Gaps {
            peer_group_size: 20,
            peer_basis: "class 3852".into(),
            ..Default::default()
        };
        assert_eq!(peer_basis(&g, Lang::Zh), "（行业小类 3852）");
        assert_eq!(peer_basis(&g, Lang::En), " (class 3852)");
        let none = Gaps::default();
        assert!(peer_basis(&none, Lang::Zh).contains("没有同行企业"));
    }
}
