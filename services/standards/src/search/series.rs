//! The parts of a series beside the part a product matched: a standard in
//! parts (ISO 6185-1, -2, -3 for inflatable boats of three sizes; GB 3565.2
//! and GB/T 3565.1, .3, .4 for bicycles) is adopted as a whole, yet often
//! only one part's title names the product.

use std::collections::{HashMap, HashSet};

use stdnav_core::catalogue::Catalogue;
use stdnav_core::code::StdCode;
use stdnav_core::standard::Status;

use super::candidates::CandidateHit;
use crate::snapshot::Snapshot;

/// A series with more parts in force than this (IEC 60335, IEC 61000,
/// ISO 105, ISO 22915) is a family of products or tests, not one product's
/// standard: one part matching says nothing about the others.
const MAX_TOLD: usize = 12;

/// The parts of a series with at most this many parts in force are added as
/// candidates when one of them is the product's at least [`ADD_FROM`]
/// strongly.
const MAX_ADDED: usize = 8;
const ADD_FROM: f32 = 0.5;

/// Each line's series, and the in-force edition of every line of each
/// series, made once per snapshot.
#[derive(Debug, Default)]
pub(crate) struct SeriesIndex {
    of_line: HashMap<String, u32>,
    members: Vec<Vec<u64>>,
}

impl SeriesIndex {
    pub(crate) fn build(catalogue: &Catalogue) -> Self {
        let mut index = SeriesIndex::default();
        let mut by_name: HashMap<String, u32> = HashMap::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for i in 0..catalogue.len() {
            let line = catalogue.line_at(i);
            if !seen.insert(line) {
                continue;
            }
            let Some(series) = StdCode::parse(line).ok().and_then(|c| c.series()) else {
                continue;
            };
            let next = u32::try_from(by_name.len()).unwrap_or(u32::MAX);
            let id = *by_name.entry(series).or_insert(next);
            if id as usize == index.members.len() {
                index.members.push(Vec::new());
            }
            index.of_line.insert(line.to_string(), id);
            if let Some(s) = catalogue.in_force_of_line(line)
                && s.status == Status::Current
                && let Some(ord) = catalogue.position(&s.id)
            {
                index.members[id as usize].push(ord as u64);
            }
        }
        index.add_companions(catalogue);
        index
    }

    /// China's national standards issued as companions under consecutive
    /// numbers, which a regulation names together like the parts of a
    /// series: GB 6095 安全带 and GB/T 6096 安全带测试方法, GB 14886 and
    /// GB 14887 for road traffic signal lamps, GB 14746–14748 for children's
    /// bicycles, tricycles and prams. Two lines in force without parts are
    /// companions when their numbers follow each other and their titles
    /// share a word beyond the generic ones (`shares_a_title_word`).
    fn add_companions(&mut self, catalogue: &Catalogue) {
        let mut by_number: Vec<(u64, &str, u64, &str)> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for i in 0..catalogue.len() {
            let line = catalogue.line_at(i);
            if !seen.insert(line) || self.of_line.contains_key(line) {
                continue;
            }
            let Ok(code) = StdCode::parse(line) else {
                continue;
            };
            if !matches!(code.prefix.as_str(), "GB" | "GB/T" | "GB/Z") {
                continue;
            }
            let Ok(number) = code.number.parse::<u64>() else {
                continue;
            };
            if let Some(s) = catalogue.in_force_of_line(line)
                && s.status == Status::Current
                && !s.title_zh.is_empty()
                && let Some(ord) = catalogue.position(&s.id)
            {
                by_number.push((number, line, ord as u64, s.title_zh.as_str()));
            }
        }
        by_number.sort_unstable();
        by_number.dedup_by_key(|(number, ..)| *number);
        for pair in by_number.windows(2) {
            let [(a, line_a, ord_a, title_a), (b, line_b, ord_b, title_b)] = pair else {
                continue;
            };
            if *b != a + 1 || !shares_a_title_word(title_a, title_b) {
                continue;
            }
            let id = match self.of_line.get(*line_a) {
                Some(&id) => id,
                None => {
                    let id = u32::try_from(self.members.len()).unwrap_or(u32::MAX);
                    self.members.push(vec![*ord_a]);
                    self.of_line.insert(line_a.to_string(), id);
                    id
                }
            };
            self.members[id as usize].push(*ord_b);
            self.of_line.insert(line_b.to_string(), id);
        }
    }

    /// How many series the catalogue holds.
    pub(crate) fn len(&self) -> usize {
        self.members.len()
    }

    fn series_of(&self, line: &str) -> Option<u32> {
        self.of_line.get(line).copied()
    }

    fn members(&self, series: u32) -> &[u64] {
        self.members.get(series as usize).map_or(&[], |m| m)
    }
}

/// Words of Chinese standard titles that say what kind of document it is
/// or what aspect it covers, not what product: two titles sharing only these
/// are not companions.
const GENERIC_TITLE_WORDS: &[&str] = &[
    "安全技术条件",
    "安全要求",
    "技术条件",
    "技术要求",
    "通用要求",
    "试验方法",
    "测试方法",
    "检验方法",
    "测定方法",
    "测定",
    "方法",
    "要求",
    "规范",
    "标准",
    "规程",
    "规则",
    "部分",
    "系统",
    "产品",
    "装置",
    "设备",
    "限值",
    "限量",
    "分类",
    "术语",
    "定义",
    "以及",
    "及其",
    "和",
    "的",
    "与",
    "用",
    "及",
    "中",
    "第",
];

/// Words of Chinese titles that say an aspect when they end a phrase
/// (电气安全, 排放控制) but are part of the product's name before another
/// word (安全带, 安全帽, 控制器, 通用硅酸盐水泥): removed at a phrase's
/// end, and never a shared word on their own.
const GENERIC_MODIFIERS: &[&str] = &["安全", "技术", "通用", "控制", "排放"];

/// Whether two Chinese titles share two adjacent characters outside the
/// generic words: 安全带 in 机动车乘员用安全带 and 汽车安全带安装固定点, not
/// 安全要求 alone.
fn shares_a_title_word(a: &str, b: &str) -> bool {
    let strip = |title: &str| -> Vec<Vec<char>> {
        let mut text = title.to_string();
        for generic in GENERIC_TITLE_WORDS {
            text = text.replace(generic, " ");
        }
        text.split(|c: char| !stdnav_core::text::is_cjk(c))
            .map(|mut run| {
                while let Some(rest) = GENERIC_MODIFIERS
                    .iter()
                    .find_map(|modifier| run.strip_suffix(modifier))
                {
                    run = rest;
                }
                run
            })
            .filter(|run| run.chars().count() >= 2)
            .map(|run| run.chars().collect())
            .collect()
    };
    let pairs_of = |runs: &[Vec<char>]| -> HashSet<(char, char)> {
        runs.iter()
            .flat_map(|run| run.windows(2))
            .filter(|pair| {
                !GENERIC_MODIFIERS
                    .iter()
                    .any(|m| m.chars().eq(pair.iter().copied()))
            })
            .map(|pair| (pair[0], pair[1]))
            .collect()
    };
    let (a, b) = (strip(a), strip(b));
    !pairs_of(&a).is_disjoint(&pairs_of(&b))
}

impl Snapshot {
    /// Sets each candidate's `series_match` — how strongly another line of
    /// its series is the product's: matched by a product's words, or named
    /// by a regulation for its kind — and adds the in-force parts of a small
    /// series one of whose parts is strongly the product's, carrying that
    /// part's products.
    pub(super) fn add_series(&self, list: &mut Vec<CandidateHit>, have: &mut HashSet<u64>) {
        let index = &self.series;
        // Per series: the strongest match and its line and candidate, and
        // the strongest match of another line (for that line itself).
        struct Best<'a> {
            first: (f32, &'a str, usize),
            second: f32,
        }
        let mut best: HashMap<u32, Best> = HashMap::new();
        for (i, c) in list.iter().enumerate() {
            let strength = c.retrieval.match_strength.max(c.retrieval.product_kind);
            if strength <= 0.0 {
                continue;
            }
            let line = self.catalogue.line_at(c.ord as usize);
            let Some(series) = index.series_of(line) else {
                continue;
            };
            let entry = best.entry(series).or_insert(Best {
                first: (0.0, "", i),
                second: 0.0,
            });
            if line == entry.first.1 {
                entry.first.0 = entry.first.0.max(strength);
            } else if strength > entry.first.0 {
                entry.second = entry.second.max(entry.first.0);
                entry.first = (strength, line, i);
            } else {
                entry.second = entry.second.max(strength);
            }
        }
        for c in list.iter_mut() {
            let line = self.catalogue.line_at(c.ord as usize);
            let Some(series) = index.series_of(line) else {
                continue;
            };
            if index.members(series).len() > MAX_TOLD {
                continue;
            }
            if let Some(b) = best.get(&series) {
                c.retrieval.series_match = if line == b.first.1 {
                    b.second
                } else {
                    b.first.0
                };
            }
        }
        let mut added = Vec::new();
        let mut strongest: Vec<(&u32, &Best)> = best.iter().collect();
        strongest.sort_by_key(|(series, _)| **series);
        for (&series, b) in strongest {
            let members = index.members(series);
            if b.first.0 < ADD_FROM || members.len() > MAX_ADDED {
                continue;
            }
            for &ord in members {
                if have.insert(ord) {
                    let mut hit = CandidateHit {
                        ord,
                        ..Default::default()
                    };
                    hit.retrieval.series_match = b.first.0;
                    hit.retrieval.matched_products =
                        list[b.first.2].retrieval.matched_products.clone();
                    added.push(hit);
                }
            }
        }
        list.extend(added);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn companions_share_a_word_of_their_titles_beyond_the_generic() {
        assert!(shares_a_title_word(
            "坠落防护 安全带",
            "坠落防护 安全带测试方法"
        ));
        assert!(shares_a_title_word(
            "道路交通信号灯设置与安装规范",
            "道路交通信号灯"
        ));
        assert!(shares_a_title_word(
            "儿童自行车安全要求",
            "儿童三轮车安全要求"
        ));
        assert!(!shares_a_title_word("电动工具安全要求", "燃气灶具安全要求"));
        assert!(!shares_a_title_word("塑料 试验方法", "橡胶 试验方法"));
        assert!(!shares_a_title_word("", "安全带"));
        assert!(shares_a_title_word(
            "机动车乘员用安全带和约束系统",
            "汽车安全带安装固定点、ISOFIX固定点系统及上拉带固定点"
        ));
        assert!(shares_a_title_word("头部防护 安全帽", "安全帽测试方法"));
        assert!(!shares_a_title_word("电动工具安全", "燃气灶具安全"));
        assert!(!shares_a_title_word("通用硅酸盐水泥", "通用机械 噪声"));
        assert!(!shares_a_title_word("柴油机排放控制", "汽油车排放控制"));
    }
}
