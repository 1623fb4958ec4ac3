//! A zh↔en vocabulary mined from aligned titles: the Chinese title of an
//! adopted international standard (the national catalogue's 采标中文名称)
//! beside that standard's English title in the ISO/IEC catalogue.
//!
//! The algorithm is pure functions over `(zh, en)` title pairs:
//!
//! 1. **Words.** Chinese titles are cut by jieba (dictionary words only:
//!    its HMM guesses made junk such as 化压入 from unknown runs); words of
//!    two or more Chinese characters are kept. English titles are lower-cased and split at punctuation and
//!    function words into runs of content words; every n-gram of 1–3
//!    consecutive content words of a run is a candidate phrase. Plurals are
//!    folded for counting (`pumps` = `pump`); a phrase is written in its most
//!    frequent spelling. Boilerplate of safety families ("household and
//!    similar electrical appliances", "家用和类似用途电器") is cut out first.
//! 2. **Association.** Dunning's log-likelihood ratio G² of presence
//!    counts over pairs (Dice would rank a word and a phrase seen once,
//!    together, above a pair seen together in every title).
//! 3. **Competitive linking** (Melamed 2000): in each pair, word–phrase
//!    candidates are taken best association first; a link is made when the
//!    Chinese word is still free and the phrase shares no word with a phrase
//!    already linked. Generic words (部分 ↔ part, 要求 ↔ requirements) take
//!    part in the linking, so they absorb their counterparts, but are never
//!    output. Linking runs twice, the second time with the G² of the first
//!    round's link counts as association.
//! 4. **Selection.** For each Chinese word, its most linked phrase is kept
//!    when the links are at least `min_count`, the link Dice
//!    `2·links / (c(z) + c(e))` at least `min_score`, and the links at least
//!    `min_lead` times those of the best phrase sharing no word with it.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::catalogue::Catalogue;
use crate::code::StdCode;

/// Thresholds of [`mine`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MineParams {
    /// Fewest pairs in which the Chinese word is linked to the phrase.
    pub min_count: u32,
    /// Lowest link Dice, `2·links / (c(zh) + c(en))`.
    pub min_score: f64,
    /// The best phrase's links over those of the best rival sharing no word with it.
    pub min_lead: f64,
}

impl Default for MineParams {
    fn default() -> Self {
        Self {
            min_count: 5,
            min_score: 0.3,
            min_lead: 3.0,
        }
    }
}

/// One mined term: a Chinese word and its English phrase, with the evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct MinedTerm {
    pub zh: String,
    /// The phrase in its most frequent spelling, lower case.
    pub en: String,
    /// Pairs in which the word was linked to the phrase.
    pub links: u32,
    /// Pairs with the word / with the phrase.
    pub zh_count: u32,
    pub en_count: u32,
    /// Link Dice.
    pub score: f64,
    /// Links of the best rival phrase (sharing no word with `en`).
    pub rival_links: u32,
}

/// What [`mine`] saw and kept.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MineReport {
    pub pairs: usize,
    /// Distinct Chinese content words (generic words excluded) linked at least once.
    pub zh_words: usize,
    /// Chinese words whose best phrase had at least `min_count` links.
    pub candidates: usize,
    pub terms: Vec<MinedTerm>,
}

/// A kept word's links with its phrase are at least this share of the most
/// links any word has with that phrase (so the phrase is the word's too).
const MUTUAL_SHARE: f64 = 0.5;

/// One more word is added to the best phrase when the word is seen with
/// the longer phrase in at least this share of the best phrase's pairs.
const WIDEN_SHARE: f64 = 0.8;

/// Chinese words too generic to be terms: title boilerplate, test and
/// document words. They still take part in linking.
const ZH_GENERIC: &[&str] = &[
    "部分",
    "要求",
    "方法",
    "试验",
    "安全",
    "通用",
    "规范",
    "特殊",
    "一般",
    "技术",
    "条件",
    "规定",
    "测定",
    "测量",
    "术语",
    "定义",
    "词汇",
    "指南",
    "原则",
    "系列",
    "用途",
    "类似",
    "使用",
    "应用",
    "评价",
    "评定",
    "评估",
    "分类",
    "标准",
    "基本",
    "总则",
    "程序",
    "性能",
    "设计",
    "检测",
    "测试",
    "试验方法",
    "第一",
    "第二",
    "第三",
    "第四",
    "第五",
    "规则",
    "要素",
    "相关",
    "有关",
    "用于",
    "包括",
    "以及",
    "及其",
    "其他",
    "一致",
    "一致性",
    "范围",
    "特性",
    "参数",
    "指标",
    "说明",
    "符号",
    "表示",
    "代号",
    "型式",
    "类型",
    "种类",
    "尺寸",
    "实施",
    "管理",
    "信息",
    "数据",
    "系统",
    "设备",
    "装置",
    "产品",
    "材料",
    "部件",
    "组件",
    "元件",
    "零件",
    "附件",
    "结构",
    "技术规范",
    "技术要求",
    "通用要求",
    "安全要求",
    "一般要求",
    "特殊要求",
    "基本要求",
    "计算",
    "确定",
    "检验",
    "验证",
    "分析",
    "控制",
    "选择",
    "操作",
    "运行",
    "处理",
    "保护",
    "质量",
    "环境",
    "条款",
    "导则",
    "推荐",
    "实践",
    "规程",
    "准则",
    "框架",
    "模型",
    "概念",
    "概述",
    "总体",
    "通则",
    "词汇表",
    "术语和定义",
    "试验规程",
    "其它",
    "采用",
    "所用",
    "专用",
    "用作",
    "用来",
    "适用",
    "一种",
    "简易",
    "限值",
    "等级",
    "级别",
    "水平",
    "能力",
    "功能",
    "服务",
    "工作",
    "过程",
    "方式",
    "方面",
    "用品",
    "物品",
    "制品",
    "用具",
    "器具",
    "机械",
    "电气",
    "电器",
    "电子",
    "测量方法",
    "检测方法",
    "测定方法",
    "试验条件",
    "技术条件",
    "定义和",
    "无损",
    "无损检测",
    "第部分",
    "不同",
    "重要",
    "所有",
    "一定",
    "相对",
    "比较",
    "存在",
    "活动",
    "收集",
    "支撑",
    "均匀",
    "大小",
    "主要",
    "单项",
    "附加",
    "描述",
    "表达",
    "补充",
    "修正",
    "特定",
    "单一",
    "综合",
    "有效",
];

/// Boilerplate cut out of Chinese titles before cutting them into words.
const ZH_BOILERPLATE: &[&str] = &["家用和类似用途电器的安全", "家用和类似用途电器"];

/// Boilerplate cut out of English titles (lower case) before phrases are taken.
const EN_BOILERPLATE: &[&str] = &[
    "household and similar electrical appliances",
    "particular requirements for",
    "particular requirements",
    "general requirements",
    "safety of",
    "specification for",
    "methods of test",
    "method of test",
    "test methods",
    "test method",
    "determination of",
    "measurement of",
    "terms and definitions",
];

/// English words that end a run of content words.
const EN_FUNCTION: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "of",
    "for",
    "in",
    "on",
    "at",
    "to",
    "by",
    "with",
    "from",
    "as",
    "into",
    "onto",
    "via",
    "per",
    "its",
    "their",
    "be",
    "is",
    "are",
    "not",
    "than",
    "under",
    "between",
    "other",
    "using",
    "used",
    "use",
    "based",
    "including",
    "except",
    "without",
    "within",
    "up",
    "out",
    "over",
    "after",
    "before",
    "against",
    "e",
    "g",
    "i",
    "ie",
    "eg",
    "etc",
    "also",
    "such",
    "which",
    "that",
    "this",
    "these",
    "those",
    "part",
    "parts",
    "section",
    "amendment",
    "corrigendum",
    "edition",
    "no",
    "ed",
];

/// English words that a kept phrase may not begin or end with: generic
/// words of titles. They still take part in linking.
const EN_GENERIC: &[&str] = &[
    "general",
    "requirement",
    "requirements",
    "particular",
    "specification",
    "specifications",
    "method",
    "methods",
    "test",
    "tests",
    "testing",
    "determination",
    "measurement",
    "measurements",
    "vocabulary",
    "term",
    "terms",
    "definition",
    "definitions",
    "guideline",
    "guidelines",
    "guidance",
    "guide",
    "principle",
    "principles",
    "classification",
    "rule",
    "rules",
    "procedure",
    "procedures",
    "safety",
    "characteristic",
    "characteristics",
    "property",
    "properties",
    "performance",
    "technical",
    "specific",
    "similar",
    "household",
    "electrical",
    "appliance",
    "appliances",
    "evaluation",
    "assessment",
    "application",
    "applications",
    "type",
    "types",
    "design",
    "system",
    "systems",
    "equipment",
    "device",
    "devices",
    "product",
    "products",
    "material",
    "materials",
    "basic",
    "conditions",
    "condition",
    "calculation",
    "dimensions",
    "dimension",
    "designation",
    "symbols",
    "code",
    "practice",
    "recommendations",
    "recommended",
    "information",
    "data",
    "management",
    "quality",
    "control",
    "operation",
    "operating",
    "framework",
    "overview",
    "concepts",
    "part",
    "purposes",
    "purpose",
    "verification",
    "analysis",
    "method",
    "limits",
    "limit",
    "level",
    "levels",
    "service",
    "services",
    "process",
    "processes",
    "components",
    "component",
    "means",
    "new",
    "reference",
    "standard",
    "standards",
    "values",
    "value",
];

fn is_cjk(c: char) -> bool {
    crate::text::is_cjk(c)
}

/// A word of a Chinese title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZhWord {
    pub word: String,
    /// Whether it may be output as a term: not a generic word, and not of
    /// a part of speech that names no thing (see [`ZH_NOT_TERM_TAGS`]).
    pub term: bool,
}

/// jieba part-of-speech tags of words never output: adjectives, adverbs,
/// pronouns, prepositions, conjunctions, particles, measure, time and
/// place words, descriptive words. Tagging is by dictionary, so a word
/// always has the same tag; nouns, verbs (焊接 welding, 校准 calibration)
/// and idioms (l: 电磁兼容) stay.
const ZH_NOT_TERM_TAGS: &[&str] = &["a", "ad", "an", "d", "r", "p", "c", "u", "q", "t", "f", "z"];

/// The Chinese content words of a title, in order, without repeats:
/// jieba words of two or more Chinese characters (generic words included,
/// marked).
pub fn zh_words(title: &str) -> Vec<ZhWord> {
    let mut text = title.to_string();
    for b in ZH_BOILERPLATE {
        text = text.replace(b, " ");
    }
    let mut seen = HashSet::new();
    crate::text::jieba()
        .tag(&text, false)
        .into_iter()
        .filter(|t| t.word.chars().count() >= 2 && t.word.chars().all(is_cjk))
        .filter(|t| seen.insert(t.word))
        .map(|t| ZhWord {
            word: t.word.to_string(),
            term: zh_is_term(t.word) && !ZH_NOT_TERM_TAGS.contains(&t.tag),
        })
        .collect()
}

/// Whether a Chinese word is not in the generic list.
pub fn zh_is_term(word: &str) -> bool {
    !ZH_GENERIC.contains(&word)
}

/// The counting key of an English word: lower case, plural folded.
pub fn fold(word: &str) -> String {
    let w = word.to_lowercase();
    let n = w.len();
    if n > 4 && w.ends_with("ies") {
        return format!("{}y", &w[..n - 3]);
    }
    if n > 4
        && (w.ends_with("ches") || w.ends_with("shes") || w.ends_with("sses") || w.ends_with("xes"))
    {
        return w[..n - 2].to_string();
    }
    if n > 3
        && w.ends_with('s')
        && !w.ends_with("ss")
        && !w.ends_with("us")
        && !w.ends_with("is")
        && !w.ends_with("ics")
    {
        return w[..n - 1].to_string();
    }
    w
}

/// One candidate phrase of an English title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    /// Folded words joined by a space (the counting key).
    pub key: String,
    /// The words as written (lower case), joined by a space.
    pub surface: String,
}

/// Runs of content words of an English title (lower case), broken at
/// punctuation other than `-` inside a word, at function words and at
/// words without letters.
fn en_runs(title: &str) -> Vec<Vec<String>> {
    let mut text = title.to_lowercase();
    for b in EN_BOILERPLATE {
        text = text.replace(b, " | ");
    }
    let mut runs = Vec::new();
    let mut run: Vec<String> = Vec::new();
    // Split into words and separators: a separator is any char other than a
    // letter, a digit, or a '-' / '\'' between letters.
    let chars: Vec<char> = text.chars().collect();
    let mut word = String::new();
    let flush_word = |word: &mut String, run: &mut Vec<String>, runs: &mut Vec<Vec<String>>| {
        let w = word
            .trim_matches(|c: char| c == '-' || c == '\'')
            .to_string();
        word.clear();
        if w.is_empty() {
            return;
        }
        let has_letter = w.chars().any(|c| c.is_alphabetic());
        if !has_letter || EN_FUNCTION.contains(&w.as_str()) || w.chars().count() < 2 {
            if !run.is_empty() {
                runs.push(std::mem::take(run));
            }
            return;
        }
        if w.chars().any(|c| c.is_ascii_digit()) {
            // "60335-2-40", "5g": codes and numbers do not make phrases.
            if !run.is_empty() {
                runs.push(std::mem::take(run));
            }
            return;
        }
        run.push(w);
    };
    for (i, &c) in chars.iter().enumerate() {
        let inner = (c == '-' || c == '\'')
            && i > 0
            && i + 1 < chars.len()
            && chars[i - 1].is_alphanumeric()
            && chars[i + 1].is_alphanumeric();
        if c.is_alphanumeric() || inner {
            word.push(c);
        } else {
            flush_word(&mut word, &mut run, &mut runs);
            if !c.is_whitespace() && !run.is_empty() {
                runs.push(std::mem::take(&mut run));
            }
        }
    }
    flush_word(&mut word, &mut run, &mut runs);
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

/// Candidate phrases of an English title: n-grams of 1–3 consecutive
/// content words, without repeats (by key).
pub fn en_phrases(title: &str) -> Vec<Phrase> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for run in en_runs(title) {
        let folded: Vec<String> = run.iter().map(|w| fold(w)).collect();
        for n in 1..=3 {
            for start in 0..run.len().saturating_sub(n - 1) {
                let key = folded[start..start + n].join(" ");
                if seen.insert(key.clone()) {
                    out.push(Phrase {
                        key,
                        surface: run[start..start + n].join(" "),
                    });
                }
            }
        }
    }
    out
}

/// Whether an English phrase (its key) may be output: it neither begins nor
/// ends with a generic word, and is not one word of one or two letters.
pub fn en_is_term(key: &str) -> bool {
    if !key.contains(' ') && key.chars().count() < 3 {
        return false; // "it", "pe": too ambiguous alone
    }
    let first = key.split(' ').next().unwrap_or("");
    let last = key.rsplit(' ').next().unwrap_or("");
    !EN_GENERIC.contains(&first)
        && !EN_GENERIC.contains(&last)
        && !EN_GENERIC.contains(&fold(first).as_str())
        && !EN_GENERIC.contains(&fold(last).as_str())
}

/// A pair as ids: Chinese word ids and phrase ids with their word keys.
struct Encoded {
    zh: Vec<u32>,
    en: Vec<u32>,
}

/// Dunning's log-likelihood ratio G² of a word and a phrase seen together
/// in `both` of `n` pairs, the word in `zh` and the phrase in `en` pairs;
/// 0 when they are seen together less often than chance.
pub fn log_likelihood(both: u32, zh: u32, en: u32, n: u32) -> f64 {
    let (a, zh, en, n) = (f64::from(both), f64::from(zh), f64::from(en), f64::from(n));
    let cells = [
        (a, zh * en / n),
        (zh - a, zh * (n - en) / n),
        (en - a, (n - zh) * en / n),
        (n - zh - en + a, (n - zh) * (n - en) / n),
    ];
    if a * n <= zh * en {
        return 0.0;
    }
    2.0 * cells
        .iter()
        .filter(|(o, e)| *o > 0.0 && *e > 0.0)
        .map(|(o, e)| o * (o / e).ln())
        .sum::<f64>()
}

/// Mines a zh↔en vocabulary from title pairs (see the module docs).
pub fn mine(pairs: &[(String, String)], params: &MineParams) -> MineReport {
    // Intern words and phrases.
    let mut zh_ids: HashMap<String, u32> = HashMap::new();
    let mut zh_names: Vec<String> = Vec::new();
    let mut zh_term: Vec<bool> = Vec::new();
    let mut en_ids: HashMap<String, u32> = HashMap::new();
    let mut en_keys: Vec<String> = Vec::new();
    let mut en_surfaces: Vec<HashMap<String, u32>> = Vec::new();
    let mut encoded = Vec::with_capacity(pairs.len());
    for (zh, en) in pairs {
        let z: Vec<u32> = zh_words(zh)
            .into_iter()
            .map(|w| {
                let next = zh_names.len() as u32;
                *zh_ids.entry(w.word.clone()).or_insert_with(|| {
                    zh_names.push(w.word);
                    zh_term.push(w.term);
                    next
                })
            })
            .collect();
        let e: Vec<u32> = en_phrases(en)
            .into_iter()
            .map(|p| {
                let next = en_keys.len() as u32;
                let id = *en_ids.entry(p.key.clone()).or_insert_with(|| {
                    en_keys.push(p.key.clone());
                    en_surfaces.push(HashMap::new());
                    next
                });
                *en_surfaces[id as usize].entry(p.surface).or_insert(0) += 1;
                id
            })
            .collect();
        encoded.push(Encoded { zh: z, en: e });
    }
    // Word keys of each phrase, to block overlapping phrases in a pair.
    let en_words: Vec<Vec<&str>> = en_keys.iter().map(|k| k.split(' ').collect()).collect();

    let mut zh_count = vec![0u32; zh_names.len()];
    let mut en_count = vec![0u32; en_keys.len()];
    let mut co: HashMap<(u32, u32), u32> = HashMap::new();
    for p in &encoded {
        for &z in &p.zh {
            zh_count[z as usize] += 1;
            for &e in &p.en {
                *co.entry((z, e)).or_insert(0) += 1;
            }
        }
        for &e in &p.en {
            en_count[e as usize] += 1;
        }
    }
    let dice = |z: u32, e: u32, c: u32| -> f64 {
        2.0 * f64::from(c) / f64::from(zh_count[z as usize] + en_count[e as usize])
    };
    let n = encoded.len() as u32;
    let g2 = |z: u32, e: u32, c: u32| -> f64 {
        log_likelihood(c, zh_count[z as usize], en_count[e as usize], n)
    };
    let mut assoc: HashMap<(u32, u32), f64> = co
        .iter()
        .map(|(&(z, e), &c)| ((z, e), g2(z, e, c)))
        .collect();

    let mut links: HashMap<(u32, u32), u32> = HashMap::new();
    for round in 0..2 {
        links.clear();
        for p in &encoded {
            let mut cands: Vec<(f64, u32, u32)> = Vec::new();
            for &z in &p.zh {
                for &e in &p.en {
                    if let Some(&a) = assoc.get(&(z, e))
                        && a > 0.0
                    {
                        cands.push((a, z, e));
                    }
                }
            }
            // Best first; at equal association the longer phrase (the more
            // specific: "heat pumps" before "heat"), then by ids so that the
            // result is deterministic.
            cands.sort_by(|a, b| {
                b.0.total_cmp(&a.0)
                    .then(
                        en_words[b.2 as usize]
                            .len()
                            .cmp(&en_words[a.2 as usize].len()),
                    )
                    .then(a.1.cmp(&b.1))
                    .then(a.2.cmp(&b.2))
            });
            let mut used_zh: HashSet<u32> = HashSet::new();
            let mut used_words: HashSet<&str> = HashSet::new();
            for (_, z, e) in cands {
                if used_zh.contains(&z)
                    || en_words[e as usize].iter().any(|w| used_words.contains(w))
                {
                    continue;
                }
                used_zh.insert(z);
                used_words.extend(en_words[e as usize].iter().copied());
                *links.entry((z, e)).or_insert(0) += 1;
            }
        }
        if round == 0 {
            assoc = links
                .iter()
                .map(|(&(z, e), &l)| ((z, e), g2(z, e, l)))
                .collect();
        }
    }

    // The most links any word has with each phrase.
    let mut top_links = vec![0u32; en_keys.len()];
    for (&(_, e), &l) in &links {
        top_links[e as usize] = top_links[e as usize].max(l);
    }
    let mut co_by_zh: HashMap<u32, Vec<(u32, u32)>> = HashMap::new();
    for (&(z, e), &c) in &co {
        co_by_zh.entry(z).or_default().push((e, c));
    }
    // Per Chinese word, its linked phrases, most links first.
    let mut by_zh: BTreeMap<u32, Vec<(u32, u32)>> = BTreeMap::new();
    for (&(z, e), &l) in &links {
        by_zh.entry(z).or_default().push((e, l));
    }
    let mut report = MineReport {
        pairs: pairs.len(),
        ..Default::default()
    };
    for (z, mut list) in by_zh {
        let name = &zh_names[z as usize];
        if !zh_term[z as usize] {
            continue;
        }
        report.zh_words += 1;
        list.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then(en_count[a.0 as usize].cmp(&en_count[b.0 as usize]))
                .then(
                    en_words[b.0 as usize]
                        .len()
                        .cmp(&en_words[a.0 as usize].len()),
                )
                .then(en_keys[a.0 as usize].cmp(&en_keys[b.0 as usize]))
        });
        let (best, best_links) = list[0];
        if best_links < params.min_count {
            continue;
        }
        report.candidates += 1;
        let best_words = &en_words[best as usize];
        let rival_links = list[1..]
            .iter()
            .find(|(e, _)| !en_words[*e as usize].iter().any(|w| best_words.contains(w)))
            .map_or(0, |&(_, l)| l);
        let score = dice(z, best, best_links);
        let key = &en_keys[best as usize];
        if score < params.min_score
            || f64::from(best_links) < params.min_lead * f64::from(rival_links)
            || f64::from(best_links) < MUTUAL_SHARE * f64::from(top_links[best as usize])
            || !en_is_term(key)
        {
            continue;
        }
        // One more word around the best phrase says it better when the
        // word is seen with the longer phrase nearly as often
        // (`WIDEN_SHARE`) and the longer one goes with it better (no lower
        // Dice): linking can take "bearings" for 轴承 and leave "ball" to
        // 球轴承, whose titles say "ball bearings".
        let best_co = co.get(&(z, best)).copied().unwrap_or(0);
        let padded = format!(" {key} ");
        let phrase = co_by_zh
            .get(&z)
            .into_iter()
            .flatten()
            .filter(|&&(e, c)| {
                en_words[e as usize].len() == best_words.len() + 1
                    && f64::from(c) >= WIDEN_SHARE * f64::from(best_co)
                    && dice(z, e, c) >= dice(z, best, best_co)
                    && format!(" {} ", en_keys[e as usize]).contains(&padded)
                    && en_is_term(&en_keys[e as usize])
            })
            .max_by(|a, b| {
                dice(z, a.0, a.1)
                    .total_cmp(&dice(z, b.0, b.1))
                    .then(b.0.cmp(&a.0))
            })
            .map_or(best, |&(e, _)| e);
        let surface = en_surfaces[phrase as usize]
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(s, _)| s.clone())
            .unwrap_or_else(|| key.clone());
        report.terms.push(MinedTerm {
            zh: name.clone(),
            en: surface,
            links: best_links,
            zh_count: zh_count[z as usize],
            en_count: en_count[phrase as usize],
            score,
            rival_links,
        });
    }
    report
        .terms
        .sort_by(|a, b| b.links.cmp(&a.links).then(a.zh.cmp(&b.zh)));
    report
}

/// The mined terms as a term-list file (the columns of `terms.tsv`, domain
/// `mined`, then the evidence: links and score), after `header` (comment
/// lines, each written with a leading `# `).
pub fn to_tsv(terms: &[MinedTerm], header: &[String]) -> String {
    let mut out = String::new();
    for line in header {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    out.push_str("zh\ten\tics\tdomain\tlinks\tscore\n");
    for t in terms {
        out.push_str(&format!(
            "{}\t{}\t\tmined\t{}\t{:.3}\n",
            t.zh, t.en, t.links, t.score
        ));
    }
    out
}

// ---------------------------------------------------------------------------------------
// Pairs from the national standards list.

/// The Chinese title of the adopted standard in the catalogue's 采标情况
/// text: what follows `采标中文名称:` up to the end, without the final `。`.
pub fn adopted_title_zh(adoption_text: &str) -> Option<&str> {
    let marker = "采标中文名称";
    let at = adoption_text.find(marker)? + marker.len();
    let rest = adoption_text[at..].trim_start_matches([':', '：', ' ']);
    let rest = rest.split("; ").next().unwrap_or(rest);
    let title = rest.trim().trim_end_matches(['。', '.', ';']).trim();
    (!title.is_empty()).then_some(title)
}

/// The edition an `adopted_international` cell names, when it is one ISO or
/// IEC code: full-width colons and parentheses made plain, a trailing
/// `(Ed5.1)` / `(E)` and amendments (`/Amd.1:2005`, `+A1:2004`) dropped.
pub fn adopted_code(cell: &str) -> Option<StdCode> {
    let mut s: String = cell
        .trim()
        .chars()
        .map(|c| match c {
            '：' => ':',
            '（' => '(',
            '）' => ')',
            '\u{3000}' => ' ',
            c => c,
        })
        .collect();
    if s.contains(['、', ',', ';', '，', '；']) {
        return None; // several standards: no single English title
    }
    while s.ends_with(')') {
        match s.rfind('(') {
            Some(open) => s.truncate(open),
            None => break,
        }
        s = s.trim_end().to_string();
    }
    let first_digit = s.find(|c: char| c.is_ascii_digit())?;
    if let Some(cut) = s[first_digit..].find(['/', '+']) {
        s.truncate(first_digit + cut);
    }
    let code = StdCode::parse(s.trim()).ok()?;
    matches!(code.family(), "ISO" | "IEC" | "ISO/IEC").then_some(code)
}

/// Counts of pair extraction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PairStats {
    /// Rows of the list read.
    pub rows: usize,
    /// Rows with an adopted standard's Chinese title.
    pub with_title: usize,
    /// Of those: the adopted code is not one ISO/IEC code we can read.
    pub unparsed: usize,
    /// Of those: the code reads but no ISO/IEC record (edition, or failing
    /// that the line's latest) with an English title is in the catalogue.
    pub not_found: usize,
    /// Pairs made (before deduplication).
    pub made: usize,
    /// Of those: found through the line's latest edition, not the adopted one.
    pub by_line: usize,
    /// Distinct adopted lines kept (one pair per line, see [`pairs_from_gb_csv`]).
    pub distinct: usize,
}

/// Title pairs from the national standards list (`gb_national.csv`):
/// the adopted standard's Chinese title beside its English title in
/// `catalogue`. One pair per adopted line (code without year), from its
/// newest adopted edition, so that editions of one standard count once as
/// evidence. `tick` is called once per row read.
pub fn pairs_from_gb_csv<R: std::io::Read>(
    reader: R,
    catalogue: &Catalogue,
    mut tick: impl FnMut(),
) -> Result<(Vec<(String, String)>, PairStats), csv::Error> {
    let mut stats = PairStats::default();
    let mut rdr = csv::Reader::from_reader(reader);
    let headers = rdr.headers()?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(adopted_col), Some(text_col)) =
        (col("adopted_international"), col("adoption_text_zh"))
    else {
        return Err(csv::Error::from(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "gb_national.csv needs the columns adopted_international and adoption_text_zh",
        )));
    };
    // Line → (adopted year, zh, en).
    let mut by_line: HashMap<String, (u16, String, String)> = HashMap::new();
    for record in rdr.records() {
        let record = record?;
        tick();
        stats.rows += 1;
        let Some(zh) = record.get(text_col).and_then(adopted_title_zh) else {
            continue;
        };
        stats.with_title += 1;
        let Some(code) = record.get(adopted_col).and_then(adopted_code) else {
            stats.unparsed += 1;
            continue;
        };
        let exact = catalogue
            .get(&code.edition_id())
            .filter(|s| !s.title_en.is_empty());
        let found = exact.or_else(|| {
            catalogue
                .latest_of(&code.base())
                .filter(|s| !s.title_en.is_empty())
        });
        let Some(standard) = found else {
            stats.not_found += 1;
            continue;
        };
        stats.made += 1;
        if exact.is_none() {
            stats.by_line += 1;
        }
        let year = code.year.unwrap_or(0);
        let entry = by_line
            .entry(code.base())
            .or_insert_with(|| (year, zh.to_string(), standard.title_en.clone()));
        if year > entry.0 {
            *entry = (year, zh.to_string(), standard.title_en.clone());
        }
    }
    let mut lines: Vec<(String, (u16, String, String))> = by_line.into_iter().collect();
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    stats.distinct = lines.len();
    Ok((
        lines.into_iter().map(|(_, (_, zh, en))| (zh, en)).collect(),
        stats,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(z, e)| (z.to_string(), e.to_string()))
            .collect()
    }

    /// Three words each in three to four titles, in varied company.
    fn fixture() -> Vec<(String, String)> {
        pairs(&[
            (
                "家用和类似用途电器的安全 第2-40部分：热泵、空调器和除湿机的特殊要求",
                "Household and similar electrical appliances - Safety - Part 2-40: Particular requirements for electrical heat pumps, air-conditioners and dehumidifiers",
            ),
            (
                "热泵热水器 能效试验方法",
                "Heat pump water heaters - Energy efficiency test methods",
            ),
            ("热泵 噪声测量", "Heat pumps - Measurement of noise"),
            ("空调器 噪声测量", "Air-conditioners - Measurement of noise"),
            ("空调器 能效", "Air-conditioners - Energy efficiency"),
            ("除湿机 性能试验", "Dehumidifiers - Performance testing"),
            ("除湿机 噪声", "Dehumidifiers - Noise"),
            (
                "除湿机 能效 要求",
                "Dehumidifiers - Energy efficiency requirements",
            ),
            ("热水器 安全", "Water heaters - Safety"),
            ("热水器 噪声", "Water heaters - Noise"),
        ])
    }

    #[test]
    fn chinese_words_drop_boilerplate_and_single_characters() {
        let w: Vec<String> =
            zh_words("家用和类似用途电器的安全 第2-40部分：热泵、空调器和除湿机的特殊要求")
                .into_iter()
                .map(|w| w.word)
                .collect();
        assert!(w.contains(&"热泵".to_string()), "{w:?}");
        assert!(w.contains(&"空调器".to_string()), "{w:?}");
        assert!(!w.iter().any(|x| x.contains("家用")), "{w:?}");
        assert!(w.iter().all(|x| x.chars().count() >= 2), "{w:?}");
        assert!(!zh_is_term("部分") && zh_is_term("热泵"));
    }

    #[test]
    fn english_phrases_stay_inside_runs() {
        let keys: Vec<String> = en_phrases(
            "Household and similar electrical appliances - Safety - Part 2-40: Particular requirements for electrical heat pumps, air-conditioners and dehumidifiers",
        )
        .into_iter()
        .map(|p| p.key)
        .collect();
        assert!(keys.contains(&"heat pump".to_string()), "{keys:?}");
        assert!(keys.contains(&"air-conditioner".to_string()), "{keys:?}");
        assert!(keys.contains(&"dehumidifier".to_string()), "{keys:?}");
        // Not across the comma, nor through "and", nor the boilerplate.
        assert!(!keys.iter().any(|k| k.contains("pump air")), "{keys:?}");
        assert!(!keys.iter().any(|k| k.contains("household")), "{keys:?}");
        assert!(
            !keys.iter().any(|k| k.chars().any(|c| c.is_ascii_digit())),
            "{keys:?}"
        );
        assert_eq!(fold("batteries"), "battery");
        assert_eq!(fold("switches"), "switch");
        assert_eq!(fold("glass"), "glass");
        assert!(!en_is_term("test method") && en_is_term("heat pump"));
    }

    #[test]
    fn mining_aligns_product_words() {
        let params = MineParams {
            min_count: 2,
            min_score: 0.3,
            min_lead: 2.0,
        };
        let report = mine(&fixture(), &params);
        let found: HashMap<&str, &str> = report
            .terms
            .iter()
            .map(|t| (t.zh.as_str(), t.en.as_str()))
            .collect();
        assert_eq!(found.get("热泵"), Some(&"heat pumps"), "{report:#?}");
        assert_eq!(
            found.get("空调器"),
            Some(&"air-conditioners"),
            "{report:#?}"
        );
        assert_eq!(found.get("除湿机"), Some(&"dehumidifiers"), "{report:#?}");
        assert_eq!(found.get("噪声"), Some(&"noise"), "{report:#?}");
        assert_eq!(found.get("热水器"), Some(&"water heaters"), "{report:#?}");
        // Generic words are linked but never output.
        assert!(!found.contains_key("要求") && !found.contains_key("试验方法"));
    }

    #[test]
    fn thresholds_drop_rare_and_contested_words() {
        let strict = MineParams {
            min_count: 4,
            ..MineParams::default()
        };
        let report = mine(&fixture(), &strict);
        assert!(
            report.terms.iter().all(|t| t.links >= 4),
            "{:#?}",
            report.terms
        );
        assert!(!report.terms.iter().any(|t| t.zh == "热泵"), "3 pairs only");
        // A word linked to two unrelated phrases equally often has no clear lead.
        let tied = pairs(&[
            ("电池", "Batteries"),
            ("电池", "Batteries"),
            ("电池", "Batteries"),
            ("电池", "Cells"),
            ("电池", "Cells"),
            ("电池", "Cells"),
            ("噪声", "Noise"),
            ("噪声", "Noise"),
        ]);
        let three = MineParams {
            min_count: 3,
            ..MineParams::default()
        };
        let report = mine(&tied, &three);
        assert!(report.terms.is_empty(), "{:#?}", report.terms);
        let lead = MineParams {
            min_lead: 1.0,
            min_score: 0.0,
            ..three
        };
        assert_eq!(mine(&tied, &lead).terms.len(), 1);
    }

    #[test]
    fn adoption_cells_are_read() {
        let text = "本标准等同采用IEC国际标准：IEC 60335-2-40:2005。; 采标中文名称:家用和类似用途电器的安全 第2-40部分：热泵、空调器和除湿机的特殊要求。";
        assert_eq!(
            adopted_title_zh(text),
            Some("家用和类似用途电器的安全 第2-40部分：热泵、空调器和除湿机的特殊要求")
        );
        assert_eq!(
            adopted_title_zh("本标准等同采用ISO国际标准：ISO 1:2002。"),
            None
        );
        let id = |s: &str| adopted_code(s).map(|c| c.edition_id());
        assert_eq!(
            id("IEC 60335-2-40:2005").as_deref(),
            Some("IEC 60335-2-40:2005")
        );
        assert_eq!(id("ISO 20671-3：2023").as_deref(), Some("ISO 20671-3:2023"));
        assert_eq!(
            id("IEC 60335-2-6:2005(Ed5.1)").as_deref(),
            Some("IEC 60335-2-6:2005")
        );
        assert_eq!(
            id("IEC 60335-1:2001/Amd.1:2004").as_deref(),
            Some("IEC 60335-1:2001")
        );
        assert_eq!(
            id("ISO/IEC 17025:2005").as_deref(),
            Some("ISO/IEC 17025:2005")
        );
        assert_eq!(id("ISO 1:2002、ISO 2:2003"), None);
        assert_eq!(id("ASTM D1234:2005"), None);
        assert_eq!(id("联合国关于危险货物运输建议书"), None);
    }
}
