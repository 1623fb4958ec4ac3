//! What regulations name for the products of an industry in a market.
//!
//! A CCC implementation rule, a food safety general standard or a list of
//! harmonised standards under an EU directive names the lines every maker of
//! a product kind must meet: GB 4706.1, GB 4343.1 and GB 17625.1 for a
//! household appliance sold in China; IEC 60335-1, CISPR 14-1 and
//! IEC 61000-3-2 for one sold in the EU; ISO 12100 and IEC 60204-1 for a
//! machine. The project's data file `core/data/regulation.tsv` keeps them
//! per GB/T 4754-2017 division, group or class and market regime, written
//! from the regulations themselves (not from the check set), each row with
//! the regulation it comes from. Where the mined co-citation table
//! ([`crate::cocited`]) knows an industry from the check set's dev half, this
//! table knows every industry the regulations cover.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::cocited::industry_keys_at;

/// Written by the project from public regulations (core/data/README.md).
const REGULATION: &str = include_str!("../data/regulation.tsv");
/// The data file's header row.
const COLUMNS: &str = "key\tline\tweight\tsource";
/// What regulations name per product kind, written as the table above.
const PRODUCTS: &str = include_str!("../data/products.tsv");
/// The product file's header row.
const PRODUCT_COLUMNS: &str = "regime\tterms\tline\tweight\tsource";

/// The lines a regulation names for one kind of product in one regime:
/// a CCC rule's product unit, a food product standard's scope, the
/// harmonised standards of one machine or appliance type. A class of
/// GB/T 4754 holds many kinds (class 3821 makes transformers and EV
/// chargers), so these say which of its lines fit the enterprise's product.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductRule {
    /// `CN` or `EU`.
    pub regime: String,
    /// The kind's names in Chinese and English, prepared for matching.
    term_names: Vec<ProductName>,
    /// The names joined by spaces, lower case: the kind's wording, for
    /// checks against a product's qualifiers.
    wording: String,
    /// The lines named, with how broadly (as in the industry table).
    pub lines: Vec<(String, f32)>,
}

/// How much a row of a key with this many GB/T 4754 digits says about one
/// enterprise's products: a class's rule (4) fully, a group's (3) three
/// quarters, a division's (2) half. Ranking the check set's dev half by the
/// table alone, scaling thus found more of its lines in the first ten than
/// the weight alone (docs/EVALUATION.md).
pub fn key_specificity(digits: usize) -> f32 {
    match digits {
        0..=2 => 0.5,
        3 => 0.75,
        _ => 1.0,
    }
}

impl ProductRule {
    /// A kind named by `terms` (any case) with its lines.
    pub fn new(regime: &str, terms: &[&str], lines: Vec<(String, f32)>) -> Self {
        let term_names: Vec<ProductName> = terms
            .iter()
            .map(|t| ProductName::new(t))
            .filter(|t| !t.text.is_empty())
            .collect();
        let wording = term_names
            .iter()
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        Self {
            regime: regime.to_string(),
            term_names,
            wording,
            lines,
        }
    }

    /// The kind's names joined by spaces, lower case.
    pub fn wording(&self) -> &str {
        &self.wording
    }

    /// Whether an enterprise's product name names this kind (see
    /// [`term_names`]).
    pub fn names(&self, product: &ProductName) -> bool {
        self.term_names.iter().any(|term| term_names(term, product))
    }

    /// Whether one of the kind's names lies within the product's name (the
    /// product says this kind), not only the name within one of them (a
    /// broader name: 轮椅 for 手动轮椅车 and 电动轮椅).
    pub fn named_within(&self, product: &ProductName) -> bool {
        self.term_names
            .iter()
            .any(|term| lies_within(term, product))
    }
}

/// Whether a kind's term names a product: a Chinese term within the name
/// or a name of two characters or more (not a generic word alone) within a
/// term; English by words in order, a term's within the name or (for a name
/// with a word that is not generic) the name's within a term, plurals
/// folded. A term that holds the name names it only as a kind of it
/// ([`narrows`]); a short name (锅炉, "boiler") so names a family of kinds,
/// whose lines the candidates weigh by the share of its kinds naming them.
fn term_names(term: &ProductName, product: &ProductName) -> bool {
    if product.text.is_empty() {
        return false;
    }
    if lies_within(term, product) {
        return true;
    }
    if term.cjk || product.cjk {
        product.chars >= 2
            && !GENERIC_HEADS_ZH.contains(&product.text.as_str())
            && holds(&term.text, &product.text)
            && narrows(term, product)
    } else {
        !term.words.is_empty()
            && product.named
            && in_order(&product.words, &term.words)
            && narrows(term, product)
    }
}

/// Whether a kind's term lies within a product's name: a Chinese term of two
/// characters or more in its text, an English term's words in its words in
/// order.
fn lies_within(term: &ProductName, product: &ProductName) -> bool {
    if term.cjk || product.cjk {
        term.chars >= 2 && (holds(&product.text, &term.text) || segments_within(term, product))
    } else {
        !term.words.is_empty() && in_order(&term.words, &product.words)
    }
}

/// Whether a Chinese term's words lie in a product's words in order, as an
/// English term's do, and end it: 游艇转向系统 in 游艇液压转向系统 (a word
/// between), not in 游艇液压转向系统油管 (another head). Both names must end
/// alike, and the term's characters lie in the product's in order, before
/// either is cut into words.
fn segments_within(term: &ProductName, product: &ProductName) -> bool {
    if !term.cjk
        || !product.cjk
        || term.text.chars().last() != product.text.chars().last()
        || product.text.contains(NEGATION_ZH)
        || !chars_in_order(&term.text, &product.text)
    {
        return false;
    }
    let (inner, outer) = (term.segments(), product.segments());
    inner.len() >= 2
        && outer.len() > inner.len()
        && inner.last() == outer.last()
        && in_order(inner, outer)
}

/// Whether `inner`'s characters occur in `outer` in order, as they must
/// where its words do: a check that spares most pairs the cut into words.
fn chars_in_order(inner: &str, outer: &str) -> bool {
    let mut rest = outer.chars();
    inner.chars().all(|c| rest.any(|o| o == c))
}

/// Whether a Chinese `text` holds `name` other than negated: 非车载充电机
/// (an off-board charger) is no 车载充电机, nor 非道路移动机械 a 道路 vehicle.
fn holds(text: &str, name: &str) -> bool {
    text.match_indices(name)
        .any(|(at, _)| !text[..at].ends_with(NEGATION_ZH))
}

/// The character that negates the Chinese name it precedes.
const NEGATION_ZH: char = '非';

/// Chinese words that end a name without narrowing what it names: a
/// 短距离无线设备 is a 短距离无线 product.
const GENERIC_HEADS_ZH: &[&str] = &[
    "设备", "装置", "器材", "产品", "系统", "仪器", "机械", "用品",
];

/// Chinese words that end the name of a service taking in what it names
/// as waste or material (电池回收, 报废汽车拆解, 钢材加工); with
/// [`SERVICING_ZH`] the words of a service on a product, whose head is the
/// product's: 变压器维修 is about 变压器, 气瓶检验 about 气瓶.
const TAKING_IN_ZH: &[&str] = &["回收", "拆解", "加工"];

/// English words of such a service, as [`TAKING_IN_ZH`].
const TAKING_IN_WORDS: &[&str] = &["recycling", "dismantling", "processing"];

/// Chinese and English words ending the name of a service recovering waste
/// (电池回收, 报废汽车拆解, "battery recycling"): what it takes in is not
/// its product, so a title is about such a service only where it speaks
/// of recovery or waste ([`RECOVERY_IN_TITLE_ZH`]): a dismantler of
/// end-of-life vehicles makes no headlamps, a battery recycler no batteries.
const RECOVERY_ZH: &[&str] = &["回收", "拆解"];
const RECOVERY_WORDS: &[&str] = &["recycling", "dismantling"];

/// What a title about recovering waste says (再生铜、铝、铅、锌工业污染物排放标准,
/// 报废机动车回收拆解企业技术规范).
const RECOVERY_IN_TITLE_ZH: &[&str] = &["回收", "拆解", "再生", "再利用", "废旧", "报废", "废弃"];
const RECOVERY_IN_TITLE_WORDS: &[&str] = &["waste", "scrap", "secondary", "end", "reuse"];

/// Whether a Chinese word names a service on what the name says before it.
fn is_service_zh(word: &str) -> bool {
    SERVICING_ZH.contains(&word) || TAKING_IN_ZH.contains(&word)
}

/// Whether an English word names a service on what the name says before it.
fn is_service_word(word: &str) -> bool {
    SERVICING_WORDS.contains(&word) || TAKING_IN_WORDS.contains(&word)
}

/// Chinese words ending the name of a service that keeps a product fit for
/// use (repair, maintenance, inspection, calibration, remanufacture,
/// refilling), longest first: the serviced thing must still meet its own
/// product's standards, unlike the scrap a recycler takes in. 定期 (periodic)
/// goes with the service word after it.
const SERVICING_ZH: &[&str] = &[
    "维修保养",
    "维护保养",
    "再制造",
    "维修",
    "检修",
    "修理",
    "维护",
    "保养",
    "维保",
    "检验",
    "检测",
    "校验",
    "改造",
    "大修",
    "翻新",
    "充装",
    "定期",
];

/// English words of such a service, and "periodic" before one.
const SERVICING_WORDS: &[&str] = &[
    "repair",
    "repairing",
    "maintenance",
    "servicing",
    "overhaul",
    "inspection",
    "testing",
    "calibration",
    "requalification",
    "retrofit",
    "refurbishment",
    "remanufacturing",
    "rewinding",
    "recharging",
    "refilling",
    "periodic",
];

/// Whether a longer `term` holding `product` names a kind of it: the product
/// is the term's head, its end (before a generic word). An 电动自行车 is a
/// 自行车 and a "driverless industrial truck" an "industrial truck"; a
/// 自行车头盔 is not a 自行车, nor a "heat pump dryer" a "heat pump".
fn narrows(term: &ProductName, product: &ProductName) -> bool {
    if term.cjk || product.cjk {
        let product = product.text.as_str();
        term.text.ends_with(product)
            || GENERIC_HEADS_ZH
                .iter()
                .filter_map(|generic| term.text.strip_suffix(generic))
                .any(|rest| rest.ends_with(product))
    } else {
        matches!(
            (head_word(&term.words), head_word(&product.words)),
            (Some((_, t)), Some((_, p))) if t == p
        )
    }
}

/// An English name's head, its last word that is not generic, with its
/// place: "moulding" of "injection moulding machine"; before "for" or "of"
/// when a product word (neither generic nor a service's) comes first, since
/// what follows says what the product serves ("engine" of "inboard engines
/// for recreational craft", not "craft"), while a service's object follows
/// it ("inspection of gas cylinders").
fn head_word(words: &[String]) -> Option<(usize, &str)> {
    let product_word = |w: &String| !GENERIC_WORDS.contains(&w.as_str()) && !is_service_word(w);
    let end = words
        .iter()
        .position(|w| HEAD_ENDING_PREPOSITIONS.contains(&w.as_str()))
        .filter(|&at| words[..at].iter().any(product_word))
        .unwrap_or(words.len());
    words[..end]
        .iter()
        .enumerate()
        .rev()
        .find(|(_, w)| !GENERIC_WORDS.contains(&w.as_str()))
        .map(|(at, w)| (at, w.as_str()))
}

/// Whether `inner` lies strictly inside `outer`: a shorter Chinese text
/// within it or its words in order in outer's ([`segments_within`], as a
/// term names a product), or fewer English words in its order.
fn strictly_within(inner: &ProductName, outer: &ProductName) -> bool {
    if inner.cjk || outer.cjk {
        outer.chars > inner.chars
            && (holds(&outer.text, &inner.text) || segments_within(inner, outer))
    } else {
        outer.words.len() > inner.words.len() && in_order(&inner.words, &outer.words)
    }
}

/// Whether `term` still names `product` outside every place `longer` names
/// it (自行车 in 自行车及电动自行车 beside 电动自行车).
fn names_beside(term: &ProductName, longer: &ProductName, product: &ProductName) -> bool {
    if term.cjk || product.cjk {
        holds(&product.text.replace(longer.text.as_str(), "|"), &term.text)
    } else {
        let n = longer.words.len();
        let mut rest: Vec<String> = Vec::with_capacity(product.words.len());
        let mut i = 0;
        while i < product.words.len() {
            if product.words[i..].starts_with(&longer.words) {
                rest.push("|".to_string());
                i += n;
            } else {
                rest.push(product.words[i].clone());
                i += 1;
            }
        }
        in_order(&term.words, &rest)
    }
}

/// Of the kinds a product names, those no other names more specifically: a
/// kind goes when each of its terms that the product holds lies inside a
/// longer term of another of the kinds there, and not beside it ("truck"
/// inside "forklift truck", 自行车 inside 电动自行车): the longer name is the
/// product, the shorter one only shares its head word. A kind with a term
/// that is the product or holds it stays, and a kind only a longer term of
/// names (电动自行车 for 自行车) stays only while no kind names the product
/// itself: the bicycle maker is not an e-bike maker, while a maker of 热水器
/// may make any of its kinds.
pub fn most_specific_kinds<'a, T>(
    product: &ProductName,
    kinds: Vec<(T, &'a ProductRule)>,
) -> Vec<(T, &'a ProductRule)> {
    // Each kind's terms that name the product, and whether one of them
    // holds the whole product.
    let naming: Vec<(Vec<&ProductName>, bool)> = kinds
        .iter()
        .map(|(_, rule)| {
            let terms: Vec<&ProductName> = rule
                .term_names
                .iter()
                .filter(|t| term_names(t, product))
                .collect();
            let whole = terms
                .iter()
                .any(|t| t.text == product.text || strictly_within(product, t));
            (terms, whole)
        })
        .collect();
    let keep: Vec<bool> = naming
        .iter()
        .enumerate()
        .map(|(a, (terms, whole))| {
            *whole
                || terms.is_empty()
                || !terms.iter().all(|t| {
                    naming.iter().enumerate().any(|(b, (others, _))| {
                        b != a
                            && others
                                .iter()
                                .any(|u| strictly_within(t, u) && !names_beside(t, u, product))
                    })
                })
        })
        .collect();
    // Whether each kind has a term that is the product or lies in it,
    // rather than only terms that hold it.
    let own_level: Vec<bool> = naming
        .iter()
        .map(|(terms, _)| terms.iter().any(|t| !strictly_within(product, t)))
        .collect();
    let named_itself = keep.iter().zip(&own_level).any(|(keep, own)| *keep && *own);
    // Whether each kind names what the product is (a term at its end or
    // holding it), rather than only a word qualifying it: 汽车 of 汽车防冻液,
    // "truck" of "truck tyres".
    let headed: Vec<bool> = naming
        .iter()
        .map(|(terms, _)| terms.iter().any(|t| heads_product(t, product)))
        .collect();
    let head_named = keep
        .iter()
        .zip(&own_level)
        .zip(&headed)
        .any(|((keep, own), headed)| *keep && (*own || !named_itself) && *headed);
    kinds
        .into_iter()
        .zip(keep.into_iter().zip(own_level).zip(headed))
        .filter_map(|(kind, ((keep, own), headed))| {
            (keep && (own || !named_itself) && (headed || !head_named)).then_some(kind)
        })
        .collect()
}

/// Whether a kind's term naming `product` names what it is: the product's
/// end (before a generic word) in Chinese, its head word in English, or a
/// term holding the whole name; not a word qualifying it (汽车 of 汽车防冻液).
fn heads_product(term: &ProductName, product: &ProductName) -> bool {
    if term.text == product.text || strictly_within(product, term) {
        return true;
    }
    if term.cjk || product.cjk {
        let text = product.text.as_str();
        text.ends_with(term.text.as_str())
            || GENERIC_HEADS_ZH
                .iter()
                .filter_map(|generic| text.strip_suffix(generic))
                .any(|rest| rest.ends_with(term.text.as_str()))
            || segments_within(term, product)
    } else {
        matches!(
            (head_word(&term.words), head_word(&product.words)),
            (Some((_, t)), Some((_, p))) if t == p
        )
    }
}

/// Characters naming a broad class of thing: as the last character of a
/// name they say what kind of thing it is, not which (注塑机 and 炼塑机 are
/// both 机).
const BROAD_HEAD_CHARS_ZH: &[char] = &[
    '机', '器', '仪', '具', '件', '品', '剂', '料', '材', '物', '车', '船', '体',
];

/// The heads of a Chinese name a title about the same product holds (see
/// [`ProductName::head_in_title`]): its last jieba word once generic and
/// service words are dropped (with the word before when it is a single
/// character), and each tail of that word left after a modifier that is a
/// dictionary word, unless the tail is a lone broad-class character.
fn heads_zh(name: &str) -> Vec<String> {
    let jieba = crate::text::jieba();
    let words = crate::text::words_zh(name);
    let mut end = words.len();
    while end > 1 && (GENERIC_HEADS_ZH.contains(&words[end - 1]) || is_service_zh(words[end - 1])) {
        end -= 1;
    }
    let Some(last) = end.checked_sub(1).map(|i| words[i]) else {
        return Vec::new();
    };
    let specific = |tail: &str| {
        let mut chars = tail.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => !BROAD_HEAD_CHARS_ZH.contains(&c),
            _ => jieba.has_word(tail),
        }
    };
    let mut heads = Vec::new();
    if last.chars().count() == 1 && end >= 2 {
        heads.push(format!("{}{last}", words[end - 2]));
        if specific(last) {
            heads.push(last.to_string());
        }
        return heads;
    }
    heads.push(last.to_string());
    for (at, _) in last.char_indices().skip(2) {
        let (modifier, tail) = last.split_at(at);
        if jieba.has_word(modifier) && specific(tail) {
            heads.push(tail.to_string());
        }
    }
    heads
}

/// Last characters of a word naming a made thing (a machine, a vehicle, a
/// device, an agent …), unlike 事件, 条件 or 文件 (件) and 污染物 (物).
const THING_CHARS_ZH: &[char] = &[
    '机', '器', '仪', '车', '船', '剂', '具', '炉', '灯', '柜', '箱', '油',
];

/// Last characters of a word of three characters or more naming an
/// instrument (体温计, 车速表), unlike the shorter 设计 or 代表.
const INSTRUMENT_CHARS_ZH: &[char] = &['计', '表'];

/// Whether a jieba word names a made thing ([`THING_CHARS_ZH`],
/// [`INSTRUMENT_CHARS_ZH`]).
fn names_a_thing_zh(word: &str) -> bool {
    let count = word.chars().count();
    word.chars().last().is_some_and(|c| {
        (count >= 2 && THING_CHARS_ZH.contains(&c))
            || (count >= 3 && INSTRUMENT_CHARS_ZH.contains(&c))
    })
}

/// Characters that join a qualifier to its head without qualifying it
/// (玩具用涂料, 家用的).
const JOINING_CHARS_ZH: &[char] = &['用', '的', '类', '型', '式', '等'];

/// Words qualifying a head by whom or what the product serves or guards
/// (婴儿配方食品, 实验动物配合饲料, 儿童高椅, 防护服装): a title so qualified
/// is about that product alone, not about a name that says nothing of it
/// (方便食品, 配合饲料, 金属家具, 服装), whatever else they share. Not 医用:
/// a 婴儿培养箱 is 医用 by nature and seldom says so.
const MARKED_QUALIFIERS_ZH: &[&str] = &[
    "婴儿",
    "幼儿",
    "儿童",
    "孕妇",
    "老年",
    "实验动物",
    "宠物",
    "防护",
    "防火",
    "防爆",
];

/// A title's lead naming the series of a whole field, not its product:
/// every food safety standard reads 食品安全国家标准 before its own subject
/// (饼干, 婴儿配方食品).
const SERIES_LEADS_ZH: &[&str] = &["食品安全国家标准"];

/// Characters that separate the items of a list in a Chinese title.
const LIST_SEPARATORS_ZH: &[char] = &['、', '，', ',', '和', '及', '与', '或'];

/// The characters of a Chinese text that qualify what follows them: its
/// CJK characters but those joining (的, 用 …).
fn qualifying_zh(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| crate::text::is_cjk(*c) && !JOINING_CHARS_ZH.contains(c))
        .collect()
}

/// Pairs of adjacent characters of a text.
fn bigrams(text: &str) -> impl Iterator<Item = (char, char)> + '_ {
    text.chars().zip(text.chars().skip(1))
}

/// A product name or a kind's term, prepared once for matching: lower
/// case, whether it is Chinese, and its English words with plurals folded.
#[derive(Debug, Clone)]
pub struct ProductName {
    text: String,
    chars: usize,
    cjk: bool,
    words: Vec<String>,
    /// A Chinese name's jieba words, cut when first asked for (see
    /// [`ProductName::segments`]).
    segments: OnceLock<Vec<String>>,
    /// A word that is not generic: a name of generic words alone
    /// ("equipment") names no kind it lies within.
    named: bool,
}

/// Equal names are equal texts: the rest is derived from the text, and
/// whether the words were cut yet says nothing of the name.
impl PartialEq for ProductName {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl ProductName {
    pub fn new(name: &str) -> Self {
        let text = name.trim().to_lowercase();
        let mut words: Vec<String> = Vec::new();
        let mut prefix: Option<&str> = None;
        for word in text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            if NEGATING_PREFIXES.contains(&word) {
                prefix = Some(word);
                continue;
            }
            // "non-invasive" is one word: no "invasive" monitor.
            match prefix.take() {
                Some(prefix) => words.push(format!("{prefix}{}", singular(word))),
                None => words.push(singular(word)),
            }
        }
        words.extend(prefix.map(str::to_string));
        let named = words.iter().any(|w| !GENERIC_WORDS.contains(&w.as_str()));
        Self {
            chars: text.chars().count(),
            cjk: text.chars().any(crate::text::is_cjk),
            text,
            words,
            segments: OnceLock::new(),
            named,
        }
    }

    /// A Chinese name's jieba words, cut once and only where a match needs
    /// them ([`segments_within`]): most names never do, and cutting every
    /// name a request builds would cost the advice its latency.
    fn segments(&self) -> &[String] {
        self.segments.get_or_init(|| {
            crate::text::words_zh(&self.text)
                .into_iter()
                .map(str::to_string)
                .collect()
        })
    }

    /// The name in lower case.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Shorter names ending as this one ends, longest first, to fall back
    /// on where it names no kind: its head with fewer modifiers. English
    /// keeps the words before a preposition ("fans for potentially
    /// explosive atmospheres" → "fan") and drops leading words ("sterile
    /// single-use syringes" → "single use syringe" → "use syringe" →
    /// "syringe"), down to one word that is not generic; Chinese drops
    /// leading characters down to two that are not a generic word
    /// (道路交通信号灯 → 路交通信号灯 → … → 信号灯 → 号灯 → 灯 is too short).
    pub fn heads(&self) -> Vec<ProductName> {
        if let Some(object) = self.serviced_object() {
            let mut heads = object.heads();
            heads.insert(0, object);
            return heads;
        }
        if self.cjk {
            let chars: Vec<char> = self.text.chars().collect();
            (1..chars.len().saturating_sub(1))
                .filter(|&start| chars[start - 1] != NEGATION_ZH)
                .map(|start| chars[start..].iter().collect::<String>())
                .filter(|head| {
                    let head = head.as_str();
                    !GENERIC_HEADS_ZH.contains(&head) && !is_service_zh(head)
                })
                .map(|head| ProductName::new(&head))
                .collect()
        } else {
            let phrase = match self
                .words
                .iter()
                .position(|w| PREPOSITIONS.contains(&w.as_str()))
            {
                Some(at) if at > 0 => &self.words[..at],
                _ => &self.words[..],
            };
            let first = if phrase.len() < self.words.len() {
                0
            } else {
                1
            };
            (first..phrase.len())
                .map(|start| ProductName::new(&phrase[start..].join(" ")))
                .filter(|head| head.named && !head.is_service_alone())
                .collect()
        }
    }

    /// The thing a repair, maintenance, inspection or remanufacturing
    /// service works on ([`SERVICING_ZH`], [`SERVICING_WORDS`]): 灭火器 of
    /// 灭火器维修保养, "safety valve" of "safety valve calibration". None for
    /// a name of no such service, or of the service alone.
    pub fn serviced_object(&self) -> Option<ProductName> {
        if self.cjk {
            let mut rest = self.text.as_str();
            let mut stripped = false;
            while let Some(shorter) = SERVICING_ZH.iter().find_map(|word| rest.strip_suffix(word)) {
                // 定期 alone is no service (定期 of 不定期).
                stripped |= !rest.ends_with("定期");
                rest = shorter;
            }
            let object = ProductName::new(rest);
            (stripped && object.chars >= 2 && !GENERIC_HEADS_ZH.contains(&object.text()))
                .then_some(object)
        } else {
            let end = self
                .words
                .iter()
                .rposition(|w| !SERVICING_WORDS.contains(&w.as_str()))
                .map_or(0, |at| at + 1);
            let stripped = self.words[end..].iter().any(|w| w != "periodic");
            let object = ProductName::new(&self.words[..end].join(" "));
            (stripped && object.named).then_some(object)
        }
    }

    /// Whether an English name is only words of a service ("repair",
    /// "recycling"): it names no product.
    fn is_service_alone(&self) -> bool {
        self.words.iter().all(|w| is_service_word(w))
    }

    /// Whether a standard's title holds this name's head, what says what
    /// the product is. Chinese: the name's last word (jieba), after a
    /// generic or service word (电池 of 汽车启动电池, 储能 of 储能系统, 变压器
    /// of 变压器维修), or a head inside that word after a modifier word
    /// (玩具 of 塑料玩具, 锅 of 高压锅) — never a lone character naming a
    /// broad class (机 of 注塑机: 炼塑机 is another machine). English: the
    /// name's last word that is not generic, plurals folded. A title
    /// sharing only a modifier is about another product (汽车用车速表 for
    /// 汽车启动电池, 高压钠灯 for 高压锅). A title in the other language, or
    /// none, says nothing: true.
    pub fn head_in_title(&self, title_zh: &str, title_en: &str) -> bool {
        if self.cjk {
            if title_zh.is_empty() {
                return true;
            }
            let title = title_zh.to_lowercase();
            let title = SERIES_LEADS_ZH
                .iter()
                .find_map(|lead| title.trim_start().strip_prefix(lead))
                .unwrap_or(&title);
            if RECOVERY_ZH.iter().any(|w| self.text.ends_with(w)) {
                return RECOVERY_IN_TITLE_ZH.iter().any(|w| title.contains(w));
            }
            let heads = heads_zh(&self.text);
            // A head the title does not hold has no place to fit.
            heads.is_empty() || heads.iter().any(|head| self.modifier_fits(title, head))
        } else {
            let Some((at, head)) = head_word(&self.words) else {
                return true;
            };
            // A service on a product is about the product, qualifiers and all
            // ("fire detector servicing" is not about intrusion detectors); one
            // recovering waste about recovery ("battery recycling"); one
            // processing material about what it processes ("steel processing").
            if let Some(object) = self.serviced_object() {
                return object.head_in_title(title_zh, title_en);
            }
            if RECOVERY_WORDS.contains(&head) {
                return ProductName::new(title_en).words.iter().any(|w| {
                    w.starts_with("recycl")
                        || w.starts_with("dismantl")
                        || RECOVERY_IN_TITLE_WORDS.contains(&w.as_str())
                });
            }
            let object = is_service_word(head)
                .then(|| head_word(&self.words[..at]))
                .flatten()
                .map(|(_, w)| w);
            if title_en.is_empty() {
                return true;
            }
            let words = ProductName::new(title_en).words;
            if let Some(object) = object {
                return words.iter().any(|w| w == head || w == object);
            }
            words.iter().any(|w| w == head)
                && heads_a_phrase_en(title_en, head)
                && self.qualifier_fits_en(title_en, head, at)
        }
    }

    /// [`ProductName::modifier_fits`] for English titles of a series' part
    /// ("… - Part 2-14: Machines for …"): in the part's title, the words
    /// qualifying the head (after a list's comma, "and", "or" or a
    /// preposition) share a word with those qualifying it in the name, or
    /// one of them has none. A title of one segment names its product as it
    /// likes ("Lead-acid starter batteries" are car batteries).
    fn qualifier_fits_en(&self, title: &str, head: &str, at: usize) -> bool {
        let plain = |w: &&String| {
            !GENERIC_WORDS.contains(&w.as_str()) && !PREPOSITIONS.contains(&w.as_str())
        };
        let own: Vec<&String> = self.words[..at].iter().filter(plain).collect();
        let segments = segments_en(title);
        if own.is_empty() || segments.len() < 2 {
            return true;
        }
        let Some(part) = last_holding(segments.iter().copied(), head)
            .and_then(|s| last_holding(s.split(','), head))
        else {
            return true;
        };
        let words = ProductName::new(part).words;
        let end = words.iter().rposition(|w| w == head).unwrap_or(0);
        let start = words[..end]
            .iter()
            .rposition(|w| matches!(w.as_str(), "and" | "or") || PREPOSITIONS.contains(&w.as_str()))
            .map_or(0, |i| i + 1);
        let theirs: Vec<&String> = words[start..end].iter().filter(plain).collect();
        theirs.is_empty() || theirs.iter().any(|w| own.contains(w))
    }

    /// Whether a Chinese title that holds `head` is about this name's kind
    /// of it: in the title's last segment holding the head (the part's
    /// title, after spaces, colons and 第N部分), what qualifies the head
    /// shares a character with what qualifies it in the name, or one of
    /// them qualifies it by nothing. 消防车 第17部分：排烟消防车 is another
    /// fire engine than 泡沫消防车, 钢结构防火涂料 another coating than
    /// 食品罐内壁涂料; 铝压力锅 is a 高压锅 (压), and a plain 变压器 takes any.
    /// Where that segment leaves the head bare, an earlier one qualifying it
    /// says which kind: 道路车辆 车辆识别代号 is a road vehicle's, not an
    /// industrial vehicle's (工业车辆).
    fn modifier_fits(&self, title: &str, head: &str) -> bool {
        if !title.contains(head) {
            return false;
        }
        let own = self
            .text
            .rfind(head)
            .map(|at| qualifying_zh(&self.text[..at]))
            .unwrap_or_default();
        title
            .split(|c: char| c.is_whitespace() || matches!(c, '：' | ':' | '—'))
            .filter(|s| s.contains(head))
            .rev()
            .find_map(|segment| self.segment_fits(segment, head, &own))
            .unwrap_or(true)
    }

    /// [`Self::modifier_fits`] for one segment of a title: `Some(true)` when
    /// a place holding the head fits the name's kind, `Some(false)` when
    /// none does, `None` when the head stands bare there (unqualified, for
    /// a name that qualifies it) and an earlier segment must tell.
    fn segment_fits(&self, segment: &str, head: &str, own: &[char]) -> Option<bool> {
        let mut bare = false;
        // Any place the segment holds the head may be where it is about it
        // (汽车、挂车及汽车列车: the first 汽车 is).
        for (at, _) in segment.match_indices(head) {
            // A head followed by a word naming a made thing qualifies that
            // thing, joined or not: 玩具滑板车 is a scooter, 电池充电器 a
            // charger, 推车式灭火器 an extinguisher, 玻璃体温计 a thermometer.
            let after = segment[at + head.len()..].trim_start_matches(JOINING_CHARS_ZH);
            let names_another = crate::text::jieba()
                .cut(after, false)
                .first()
                .is_some_and(|t| names_a_thing_zh(t.word));
            if names_another {
                continue;
            }
            let before = &segment[..at];
            // 第17部分 numbers the part, and a list's other items (热泵、空调器
            // 和除湿机) are other products: neither qualifies the head.
            let before = before
                .rfind("部分")
                .map_or(before, |at| &before[at + "部分".len()..]);
            let before = before.rfind(LIST_SEPARATORS_ZH).map_or(before, |at| {
                before[at..].trim_start_matches(LIST_SEPARATORS_ZH)
            });
            // A qualifier naming whom the product serves must be the name's
            // too (儿童鞋 for 童鞋: a shared character will do).
            let marked_elsewhere = MARKED_QUALIFIERS_ZH.iter().any(|marker| {
                before.contains(marker) && !marker.chars().any(|c| self.text.contains(c))
            });
            if marked_elsewhere {
                continue;
            }
            let theirs = qualifying_zh(before);
            if own.is_empty() || theirs.iter().any(|c| own.contains(c)) {
                return Some(true);
            }
            bare |= theirs.is_empty();
        }
        (!bare).then_some(false)
    }

    /// How an enterprise's product name reads: the name itself and, when it
    /// ends in parentheses, the name without them and the items inside
    /// (split at commas, 、 and slashes) as names of their own. A
    /// regulation's category reads "Forklift trucks (powered industrial
    /// trucks)" or 建筑用安全玻璃（钢化、夹层、防火）, and "Contact lenses (US
    /// market)" is a contact lens wherever its market is written. A group
    /// inside the name qualifies it ("non-electric (pneumatic) power
    /// tools", 给水用聚乙烯（PE）管材) and stays in it, without its brackets.
    pub fn readings(name: &str) -> Readings {
        let mut outer = String::with_capacity(name.len());
        let mut items: Vec<String> = Vec::new();
        let mut group = String::new();
        let mut depth = 0usize;
        for c in name.chars() {
            match c {
                '(' | '（' => {
                    depth += 1;
                    if depth == 1 {
                        group.clear();
                    }
                }
                ')' | '）' if depth > 0 => {
                    depth -= 1;
                    if depth == 0 {
                        items.push(std::mem::take(&mut group));
                    }
                }
                _ if depth > 0 => group.push(c),
                _ => {
                    // Text after a group: the group qualified the name.
                    if !c.is_whitespace() && !items.is_empty() {
                        let spaced = outer.ends_with(char::is_whitespace);
                        for item in items.drain(..) {
                            outer.push_str(&item);
                        }
                        if spaced {
                            outer.push(' ');
                        }
                    }
                    outer.push(c);
                }
            }
        }
        if depth > 0 {
            items.push(group);
        }
        let outer = outer.split_whitespace().collect::<Vec<_>>().join(" ");
        let items = items
            .iter()
            .flat_map(|group| group.split([',', '，', '、', ';', '；', '/']))
            .map(|item| {
                let item = item.trim();
                ["including ", "incl. ", "e.g. ", "含", "包括"]
                    .iter()
                    .find_map(|lead| item.strip_prefix(lead))
                    .unwrap_or(item)
            })
            .map(ProductName::new)
            .filter(|item| !item.text.is_empty());
        // A coordinated name reads as the names it joins, not as itself:
        // "truck and bus tyres" is no truck.
        let mut names = coordinated(&outer)
            .unwrap_or_else(|| vec![outer])
            .into_iter()
            .map(|name| ProductName::new(&name));
        let name = names.next().unwrap_or_else(|| ProductName::new(""));
        Readings {
            name,
            items: names.chain(items).collect(),
        }
    }
}

/// The names a coordinated name joins, each with the head they share:
/// "truck and bus tyres" → truck tyres, bus tyres; "power, control and
/// communication cables for buildings" → power cables for buildings, …;
/// 蓝牙耳机与音箱 → 蓝牙耳机, 音箱. `None` for a name joining nothing.
fn coordinated(name: &str) -> Option<Vec<String>> {
    if name.chars().any(crate::text::is_cjk) {
        let parts: Vec<&str> = name.split(['与', '及']).map(str::trim).collect();
        return (parts.len() == 2 && parts.iter().all(|p| p.chars().count() >= 2))
            .then(|| parts.iter().map(|p| p.to_string()).collect());
    }
    let words: Vec<&str> = name.split(' ').collect();
    // The noun phrase ends at its first preposition; the rest is shared.
    let end = words
        .iter()
        .position(|w| PREPOSITIONS.contains(&w.to_lowercase().as_str()))
        .unwrap_or(words.len());
    let (phrase, tail) = words.split_at(end);
    let joins: Vec<usize> = (0..phrase.len())
        .filter(|&i| matches!(phrase[i].to_lowercase().as_str(), "and" | "or" | "&"))
        .collect();
    let &[at] = joins.as_slice() else {
        return None;
    };
    let (left, right) = (phrase[..at].join(" "), &phrase[at + 1..]);
    let head = right.last()?;
    if left.trim().is_empty() {
        return None;
    }
    let tail = tail.join(" ");
    let mut names: Vec<String> = left
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            if right.len() > 1 {
                format!("{item} {head}")
            } else {
                item.to_string()
            }
        })
        .collect();
    names.push(right.join(" "));
    Some(
        names
            .into_iter()
            .map(|name| format!("{name} {tail}").trim().to_string())
            .collect(),
    )
}

/// An enterprise's product name as [`ProductName::readings`] reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Readings {
    /// The name, without a closing parenthesised group.
    pub name: ProductName,
    /// The items of that group: other names of the product (UPS, wallboxes)
    /// or kinds of it (直流充电桩 for an EV charger, treadmills for fitness
    /// equipment), each naming kinds as the name does.
    pub items: Vec<ProductName>,
}

impl Readings {
    /// The name and its items, each a name of the product.
    pub fn all(self) -> Vec<ProductName> {
        std::iter::once(self.name).chain(self.items).collect()
    }
}

/// Whether `needle`'s words occur in `hay` in order, at most one other word
/// between two of them: `ev charger` in `ev dc charger`, but not
/// `water pump` in `heat pump water heater`.
fn in_order(needle: &[String], hay: &[String]) -> bool {
    (0..hay.len()).any(|start| {
        let mut at = start;
        needle.iter().enumerate().all(|(i, word)| {
            let window = if i == 0 {
                at..at + 1
            } else {
                at..(at + 2).min(hay.len())
            };
            match hay
                .get(window.clone())
                .and_then(|w| w.iter().position(|h| h == word))
            {
                Some(found) => {
                    at = window.start + found + 1;
                    true
                }
                None => false,
            }
        })
    })
}

/// The prepositions ending a name's head phrase (see [`head_word`]): not
/// those of compounds ("built-in", "ride-on", "ready-to-wear").
const HEAD_ENDING_PREPOSITIONS: &[&str] = &["for", "of"];

/// Words that end an English product's noun phrase: what follows says what
/// it is for or made of, not what it is.
const PREPOSITIONS: &[&str] = &[
    "for", "of", "with", "in", "to", "against", "on", "from", "by", "under", "up",
];

/// The segments of an English title (a series' title, a part's): between
/// colons, semicolons and dashes, trimmed, none empty.
fn segments_en(title: &str) -> Vec<&str> {
    title
        .split([':', ';', '—', '–'])
        .flat_map(|s| s.split(" - "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// The last of `pieces` of an English title whose words hold `head`.
fn last_holding<'t>(
    pieces: impl DoubleEndedIterator<Item = &'t str>,
    head: &str,
) -> Option<&'t str> {
    pieces
        .rev()
        .find(|piece| ProductName::new(piece).words.iter().any(|w| w == head))
}

/// Whether an English title holds `head` where it ends a noun phrase, in
/// the last piece holding it (segment, list item, bracket): last, or before
/// a preposition, a conjunction, a generic word, a word of what the title
/// rules ("safety", "test methods") or a number. Followed by another word
/// it qualifies that word's thing: "Beer bottles" are bottles, "Gasoline
/// engine oils" oils, and "Toys safety—Part 12: Toy scooters" is about
/// scooters.
fn heads_a_phrase_en(title: &str, head: &str) -> bool {
    let piece = last_holding(segments_en(title).into_iter(), head)
        .and_then(|s| last_holding(s.split(','), head))
        .and_then(|s| last_holding(s.split(['(', ')']), head));
    piece.is_none_or(|piece| {
        let words = ProductName::new(piece).words;
        let ends_phrase = |at: usize| {
            words.get(at).is_none_or(|next| {
                let next = next.as_str();
                PREPOSITIONS.contains(&next)
                    || matches!(next, "and" | "or" | "&")
                    || GENERIC_WORDS.contains(&next)
                    || ASPECT_WORDS.contains(&next)
                    || !next.chars().any(char::is_alphabetic)
            })
        };
        // A working part of the product ("steering mechanism"), or a
        // thing named generically after the next word ("fire alarm control
        // units"), is the product's.
        let own_part = |at: usize| {
            words
                .get(at)
                .is_some_and(|w| PART_WORDS.contains(&w.as_str()))
                || words
                    .get(at + 1)
                    .is_some_and(|w| GENERIC_WORDS.contains(&w.as_str()))
        };
        words
            .iter()
            .enumerate()
            .any(|(at, w)| w == head && (ends_phrase(at + 1) || own_part(at + 1)))
    })
}

/// English words naming what a title rules of its product, not another
/// thing (singular, as `ProductName` folds them): "Toys safety", "Cement
/// test methods".
const ASPECT_WORDS: &[&str] = &[
    "safety",
    "requirement",
    "specification",
    "test",
    "testing",
    "method",
    "performance",
    "limit",
    "code",
    "rule",
    "vocabulary",
    "terminology",
    "classification",
    "marking",
    "labelling",
    "labeling",
    "quality",
    "standard",
    "general",
    "design",
    "installation",
    "inspection",
    "measurement",
    "determination",
    "characteristic",
    "property",
    "dimension",
    "tolerance",
    "hygiene",
    "hygienic",
    "sampling",
    "grading",
    "grade",
    "production",
    "manufacturing",
    "manufacture",
    "processing",
    "industry",
    "used",
    "intended",
];

/// English words naming a working part of the product the word before them
/// names ("steering mechanism", "lock assembly").
const PART_WORDS: &[&str] = &["mechanism", "assembly", "control"];

/// English prefixes, often written apart, that turn the word after them
/// into its opposite: a non-invasive blood pressure monitor is no invasive
/// one, nor an anti-static floor a static one.
const NEGATING_PREFIXES: &[&str] = &["non", "anti"];

/// English words that name no kind of product on their own.
const GENERIC_WORDS: &[&str] = &[
    "machine",
    "machinery",
    "equipment",
    "device",
    "product",
    "part",
    "system",
    "apparatus",
    "unit",
    "tool",
    "component",
    "accessory",
    "material",
    "article",
    "good",
];

/// Words ending in "s" that are singular: their plurals add "es".
const SINGULAR_IN_S: &[&str] = &["lens", "gas", "bus", "chassis", "series", "species"];

/// `chargers` → `charger`, `glasses` → `glass`, `batteries` → `battery`,
/// `boxes` → `box`, `lenses` → `lens` (and `lens` stays `lens`).
fn singular(word: &str) -> String {
    if SINGULAR_IN_S.contains(&word) {
        return word.to_string();
    }
    if let Some(stem) = word.strip_suffix("es")
        && (SINGULAR_IN_S.contains(&stem) || stem.ends_with('x'))
    {
        return stem.to_string();
    }
    if let Some(stem) = word.strip_suffix("ies")
        && stem.len() >= 3
    {
        return format!("{stem}y");
    }
    if let Some(stem) = word.strip_suffix("sses") {
        return format!("{stem}ss");
    }
    if word.ends_with("ches") || word.ends_with("shes") {
        return word[..word.len() - 2].to_string();
    }
    match word.strip_suffix('s') {
        Some(stem) if stem.len() >= 3 && !stem.ends_with('s') && !stem.ends_with('u') => {
            stem.to_string()
        }
        _ => word.to_string(),
    }
}

/// At most how many kinds of product a line is named for to be their
/// particular standard rather than one across the industry: GB 19645
/// (pasteurised milk) and GB 25190 (sterilised milk) are one kind's each,
/// GB 14881 (food hygiene) eight kinds', GB 2760 (additives) forty.
const PARTICULAR_KINDS: u32 = 2;

/// Lines named per industry key (`@<GB/T 4754 code>/<regime>`), with how
/// broadly the regulation names them: 1 for essentially every product of
/// the industry, less for many or some; and per kind of product.
#[derive(Debug, Default)]
pub struct NamedByRegulation {
    by_key: HashMap<String, Vec<(String, f32)>>,
    /// Every line named under any key or for any product kind.
    lines: HashSet<String>,
    products: Vec<ProductRule>,
    /// How many kinds of product each (regime, line) is named for.
    kinds_naming: HashMap<(String, String), u32>,
    /// (kind, term) by each pair of adjacent characters of the term: a
    /// Chinese name and a term that match share one.
    terms_by_bigram: HashMap<(char, char), Vec<(u32, u32)>>,
    /// (kind, term) by each word of an English term: an English name and a
    /// term that match share their first word.
    terms_by_word: HashMap<String, Vec<(u32, u32)>>,
}

impl NamedByRegulation {
    /// The bundled table, parsed once; empty when `STDNAV_REGULATION=off`
    /// (to measure what it adds, docs/EVALUATION.md).
    pub fn get() -> &'static NamedByRegulation {
        static TABLE: OnceLock<NamedByRegulation> = OnceLock::new();
        TABLE.get_or_init(|| {
            if std::env::var("STDNAV_REGULATION").is_ok_and(|v| v == "off") {
                NamedByRegulation::default()
            } else if std::env::var("STDNAV_PRODUCT_RULES").is_ok_and(|v| v == "off") {
                NamedByRegulation::parse(REGULATION)
            } else {
                NamedByRegulation::parse(REGULATION).with_products(PRODUCTS)
            }
        })
    }

    /// Reads the data file's rows; comment lines and malformed rows are
    /// skipped (the file is the project's own, checked by a test).
    pub fn parse(text: &str) -> Self {
        let mut by_key: HashMap<String, Vec<(String, f32)>> = HashMap::new();
        for row in text
            .lines()
            .filter(|l| !l.starts_with('#') && *l != COLUMNS && !l.trim().is_empty())
        {
            let mut cols = row.split('\t');
            let (Some(key), Some(line), Some(weight)) = (cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            let Ok(weight) = weight.trim().parse::<f32>() else {
                continue;
            };
            let weight = weight.clamp(0.0, 1.0);
            let lines = by_key.entry(key.trim().to_string()).or_default();
            match lines.iter_mut().find(|(l, _)| l == line.trim()) {
                Some(entry) => entry.1 = entry.1.max(weight),
                None => lines.push((line.trim().to_string(), weight)),
            }
        }
        let lines = by_key
            .values()
            .flat_map(|v| v.iter().map(|(l, _)| l.clone()))
            .collect();
        Self {
            by_key,
            lines,
            ..Default::default()
        }
    }

    /// Adds the product kinds of a product file (`regime terms line weight
    /// source`, terms `;`-separated); rows of one regime and terms make one
    /// kind. Malformed rows are skipped, as in [`NamedByRegulation::parse`].
    pub fn with_products(mut self, text: &str) -> Self {
        let mut index: HashMap<(String, String), usize> = HashMap::new();
        for row in text
            .lines()
            .filter(|l| !l.starts_with('#') && *l != PRODUCT_COLUMNS && !l.trim().is_empty())
        {
            let cols: Vec<&str> = row.split('\t').map(str::trim).collect();
            let [regime, terms, line, weight, ..] = cols[..] else {
                continue;
            };
            let Ok(weight) = weight.parse::<f32>() else {
                continue;
            };
            if line.is_empty() || !matches!(regime, "CN" | "EU") {
                continue;
            }
            let i = *index
                .entry((regime.to_string(), terms.to_string()))
                .or_insert_with(|| {
                    let terms: Vec<&str> = terms.split(';').collect();
                    self.products
                        .push(ProductRule::new(regime, &terms, Vec::new()));
                    self.products.len() - 1
                });
            let lines = &mut self.products[i].lines;
            let weight = weight.clamp(0.0, 1.0);
            match lines.iter_mut().find(|(l, _)| l == line) {
                Some(entry) => entry.1 = entry.1.max(weight),
                None => {
                    lines.push((line.to_string(), weight));
                    *self
                        .kinds_naming
                        .entry((regime.to_string(), line.to_string()))
                        .or_default() += 1;
                }
            }
            self.lines.insert(line.to_string());
        }
        self.terms_by_bigram.clear();
        self.terms_by_word.clear();
        for (k, rule) in self.products.iter().enumerate() {
            for (t, term) in rule.term_names.iter().enumerate() {
                let at = (k as u32, t as u32);
                for pair in bigrams(&term.text) {
                    let list = self.terms_by_bigram.entry(pair).or_default();
                    if list.last() != Some(&at) {
                        list.push(at);
                    }
                }
                if !term.cjk {
                    for word in &term.words {
                        let list = self.terms_by_word.entry(word.clone()).or_default();
                        if list.last() != Some(&at) {
                            list.push(at);
                        }
                    }
                }
            }
        }
        self
    }

    /// The kinds of the regimes of these markets a product name names, each
    /// with its place in the file, in the file's order: what
    /// [`ProductRule::names`] over every kind finds, through the term indexes.
    pub fn kinds_named_by(
        &self,
        product: &ProductName,
        markets: &[String],
    ) -> Vec<(usize, &ProductRule)> {
        let regimes = crate::market::Regimes::of(markets).regulated();
        let mut candidates: Vec<(u32, u32)> = if product.cjk {
            bigrams(&product.text)
                .filter_map(|pair| self.terms_by_bigram.get(&pair))
                .flatten()
                .copied()
                .collect()
        } else {
            let by_word: Vec<(u32, u32)> = product
                .words
                .iter()
                .filter_map(|w| self.terms_by_word.get(w))
                .flatten()
                .copied()
                .collect();
            // A Chinese term may hold an English name ("led灯" holds "led").
            let by_pair = bigrams(&product.text)
                .take(1)
                .filter_map(|pair| self.terms_by_bigram.get(&pair))
                .flatten()
                .copied()
                .filter(|(k, t)| self.products[*k as usize].term_names[*t as usize].cjk);
            by_word.into_iter().chain(by_pair).collect()
        };
        candidates.sort_unstable();
        candidates.dedup();
        let mut kinds: Vec<u32> = candidates
            .into_iter()
            .filter(|(k, t)| {
                term_names(&self.products[*k as usize].term_names[*t as usize], product)
            })
            .map(|(k, _)| k)
            .collect();
        kinds.dedup();
        kinds
            .into_iter()
            .map(|k| (k as usize, &self.products[k as usize]))
            .filter(|(_, rule)| regimes.contains(&rule.regime))
            .collect()
    }

    /// The product kinds of the regimes of these markets.
    #[cfg(test)]
    fn product_rules(&self, markets: &[String]) -> impl Iterator<Item = &ProductRule> {
        let regimes = crate::market::Regimes::of(markets).regulated();
        self.products
            .iter()
            .filter(move |r| regimes.contains(&r.regime))
    }

    /// Whether some regulation names this line for some industry: evidence
    /// that the line is in force, since regulations name standards in force.
    pub fn names_line(&self, line: &str) -> bool {
        self.lines.contains(line)
    }

    /// The lines regulations name for an enterprise of these GB/T 4754
    /// codes selling in these markets, each with its strongest value over
    /// the enterprise's division, group and class: the row's weight times
    /// [`key_specificity`] (a rule for the class says more about its products
    /// than one for the whole division); sorted by line.
    pub fn for_industries(&self, industries: &[String], markets: &[String]) -> Vec<(&str, f32)> {
        let mut lines: HashMap<&str, f32> = HashMap::new();
        for level in [2, 3, 4] {
            for key in industry_keys_at(industries, markets, &[level]) {
                for (line, weight) in self.by_key.get(&key).map_or(&[][..], Vec::as_slice) {
                    let best = lines.entry(line.as_str()).or_insert(0.0);
                    *best = best.max(weight * key_specificity(level));
                }
            }
        }
        let mut out: Vec<(&str, f32)> = lines.into_iter().collect();
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }

    /// The GB/T 4754 code of the enterprise (its class, else its group)
    /// whose regulation in one of its markets names `line` for every
    /// product of that industry (a row of weight 1.0: GB 14881 for a dairy,
    /// GB 4706.1 for a household appliance maker); `None` when none is so
    /// covered. A division is too broad to say so of every product
    /// (division 34 holds bearings as well as machines).
    pub fn industry_requiring(
        &self,
        industries: &[String],
        markets: &[String],
        line: &str,
    ) -> Option<String> {
        industries.iter().find_map(|code| {
            let code = code.trim();
            [4, 3]
                .into_iter()
                .filter(|&digits| code.len() >= digits && code.is_char_boundary(digits))
                .find(|&digits| {
                    industry_keys_at(&[code.to_string()], markets, &[digits])
                        .iter()
                        .filter_map(|key| self.by_key.get(key))
                        .flatten()
                        .any(|(l, weight)| l == line && *weight >= 1.0)
                })
                .map(|digits| code[..digits].to_string())
        })
    }

    /// Whether the regulations of these markets name `line` for a few kinds
    /// of product only ([`PARTICULAR_KINDS`]): a standard of those products
    /// (GB 19645 of pasteurised milk), which an industry's rule naming it
    /// does not make every product's.
    pub fn names_for_particular_kinds(&self, markets: &[String], line: &str) -> bool {
        let named: u32 = crate::market::Regimes::of(markets)
            .regulated()
            .iter()
            .filter_map(|regime| self.kinds_naming.get(&(regime.clone(), line.to_string())))
            .sum();
        (1..=PARTICULAR_KINDS).contains(&named)
    }

    /// Every (key, line) row, for checks of the data file.
    #[cfg(test)]
    fn rows(&self) -> impl Iterator<Item = (&str, &str, f32)> {
        self.by_key
            .iter()
            .flat_map(|(k, v)| v.iter().map(move |(l, w)| (k.as_str(), l.as_str(), *w)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn a_line_named_for_a_few_kinds_is_theirs() {
        let table = NamedByRegulation::get();
        let cn = ["CN".to_string()];
        // Pasteurised milk's product standard; food hygiene and additives
        // are named for many kinds.
        assert!(table.names_for_particular_kinds(&cn, "GB 19645"));
        assert!(!table.names_for_particular_kinds(&cn, "GB 2760"));
        assert!(!table.names_for_particular_kinds(&cn, "GB 14881"));
        // A line no kind names, or no kind of the market's regime.
        assert!(!table.names_for_particular_kinds(&cn, "GB 99999"));
        assert!(!table.names_for_particular_kinds(&["US".to_string()], "GB 19645"));
    }

    #[test]
    fn lines_by_class_group_and_division_in_the_enterprise_markets() {
        let table = NamedByRegulation::parse(
            "# comment\nkey\tline\tweight\tsource\n\
             @38/EU\tIEC 61000-3-2\t0.6\tEMC\n\
             @385/EU\tIEC 60335-1\t1.0\tLVD\n\
             @3852/EU\tIEC 61000-3-2\t1.0\tEMC\n\
             @385/CN\tGB 4706.1\t1.0\tCCC\n\
             @386/EU\tISO 9999\tbad\tmalformed weight\n",
        );
        let requiring = |codes: &[&str], markets: &[&str], line: &str| {
            table.industry_requiring(&s(codes), &s(markets), line)
        };
        assert_eq!(
            requiring(&["3851", "3852"], &["DE"], "IEC 61000-3-2").as_deref(),
            Some("3852")
        );
        assert_eq!(
            requiring(&["3852"], &["DE"], "IEC 60335-1").as_deref(),
            Some("385")
        );
        // A row of another regime, or of a lesser weight, requires nothing.
        assert_eq!(requiring(&["3852"], &["CN"], "IEC 61000-3-2"), None);
        assert_eq!(requiring(&["3831"], &["DE"], "IEC 61000-3-2"), None);
        assert_eq!(
            table.for_industries(&s(&["3852"]), &s(&["DE"])),
            vec![("IEC 60335-1", 0.75), ("IEC 61000-3-2", 1.0)]
        );
        // The division's row counts half, the group's three quarters.
        assert_eq!(
            table.for_industries(&s(&["3851"]), &s(&["FR"])),
            vec![("IEC 60335-1", 0.75), ("IEC 61000-3-2", 0.3)]
        );
        assert_eq!(
            table.for_industries(&s(&["3852"]), &s(&["CN"])),
            vec![("GB 4706.1", 0.75)]
        );
        assert!(table.for_industries(&s(&["3852"]), &s(&["US"])).is_empty());
        assert_eq!(table.rows().count(), 4);
    }

    #[test]
    fn product_kinds_by_their_names_in_either_language() {
        let table = NamedByRegulation::default().with_products(
            "regime\tterms\tline\tweight\tsource\n\
             CN\t充电桩;直流充电机;EV charger;charging station\tGB/T 18487.1\t1.0\tCN rule\n\
             CN\t充电桩;直流充电机;EV charger;charging station\tGB/T 20234.3\t0.6\tCN rule\n\
             EU\t充电桩;EV charger\tIEC 61851-1\t1.0\tEU rule\n\
             CN\t燃气热水器;gas water heater\tGB 6932\t1.0\tCN rule\n\
             XX\tbad regime\tGB 1\t1.0\tx\n\
             CN\tbad weight\tGB 2\tmany\tx\n",
        );
        let cn: Vec<&ProductRule> = table.product_rules(&s(&["CN"])).collect();
        assert_eq!(cn.len(), 2);
        assert_eq!(
            cn[0].lines,
            vec![
                ("GB/T 18487.1".to_string(), 1.0),
                ("GB/T 20234.3".to_string(), 0.6)
            ]
        );
        assert_eq!(table.product_rules(&s(&["DE"])).count(), 1);
        assert!(table.product_rules(&s(&["US"])).next().is_none());
        let names = |rule: &ProductRule, name: &str| rule.names(&ProductName::new(name));
        let charger = cn[0];
        for yes in [
            "充电桩",
            "电动汽车充电桩",
            "ev dc chargers",
            "ev charger",
            "public charging stations",
            "直流充电机",
            // A one-word name names every kind it heads, as a family.
            "charger",
            "station",
        ] {
            assert!(names(charger, yes), "{yes}");
        }
        for no in ["充电", "机", "battery charger", "equipment"] {
            assert!(!names(charger, no), "{no}");
        }
        let gas = cn[1];
        assert!(names(gas, "燃气热水器") && names(gas, "Gas water heaters"));
        assert!(!names(gas, "电热水器") && !names(gas, "electric water heater"));
        assert!(table.names_line("GB 6932") && !table.names_line("GB 1"));
        let pump = ProductRule::new("EU", &["水泵", "Water pump"], Vec::new());
        assert!(names(&pump, "submersible water pumps") && names(&pump, "深井水泵"));
        assert!(!names(&pump, "heat pump water heater") && !names(&pump, "热泵热水器"));
    }

    #[test]
    fn a_kind_whose_name_lies_inside_another_kinds_name_gives_way() {
        let truck = ProductRule::new("CN", &["货车", "truck", "载货汽车"], Vec::new());
        let forklift = ProductRule::new("CN", &["叉车", "forklift truck"], Vec::new());
        let bicycle = ProductRule::new("CN", &["自行车", "bicycle"], Vec::new());
        let ebike = ProductRule::new("CN", &["电动自行车", "electric bicycle"], Vec::new());
        let kinds = [&truck, &forklift, &bicycle, &ebike];
        let kept = |name: &str| kept_kinds(name, &kinds);
        assert_eq!(kept("electric forklift trucks"), [1]);
        assert_eq!(kept("forklift truck"), [1]);
        assert_eq!(kept("heavy truck"), [0]);
        assert_eq!(kept("电动自行车"), [3]);
        // A kind whose longer name holds the product gives way to the kind
        // that names the product itself …
        assert_eq!(kept("自行车"), [2]);
        assert_eq!(kept("bicycle"), [2]);
        // Two products in one name keep both kinds.
        assert_eq!(kept("自行车及电动自行车"), [2, 3]);
        // … and stays while no kind names the product itself.
        let electric = ProductRule::new("CN", &["电热水器"], Vec::new());
        let gas = ProductRule::new("CN", &["燃气热水器"], Vec::new());
        let product = ProductName::new("热水器");
        let named = vec![(0, &electric), (1, &gas)];
        assert!(named.iter().all(|(_, k)| k.names(&product)));
        let kept: Vec<usize> = most_specific_kinds(&product, named)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        assert_eq!(kept, [0, 1]);
    }

    /// The places in `kinds` of the kinds `name` names, most specific.
    fn kept_kinds(name: &str, kinds: &[&ProductRule]) -> Vec<usize> {
        let product = ProductName::new(name);
        let named: Vec<(usize, &ProductRule)> = kinds
            .iter()
            .enumerate()
            .filter(|(_, k)| k.names(&product))
            .map(|(i, k)| (i, *k))
            .collect();
        most_specific_kinds(&product, named)
            .into_iter()
            .map(|(i, _)| i)
            .collect()
    }

    #[test]
    fn a_chinese_kind_s_words_name_a_product_with_a_word_between_as_english_ones_do() {
        let kept = kept_kinds;
        let craft = ProductRule::new("EU", &["游艇", "yacht"], Vec::new());
        let steering =
            ProductRule::new("EU", &["游艇转向系统", "boat steering system"], Vec::new());
        // The steering kind names the product, not only the craft it is for.
        assert_eq!(kept("游艇液压转向系统", &[&craft, &steering]), [1]);
        assert_eq!(
            kept("boat hydraulic steering system", &[&craft, &steering]),
            [1]
        );
        // Another head is another product: the steering system's hose is no
        // steering system.
        assert!(!steering.names(&ProductName::new("游艇液压转向系统油管")));
        // A kind whose name lies in another kind's longer name by its words
        // gives way to it, as in English: the marine navigation receiver is
        // no satellite TV receiver.
        let satellite_tv =
            ProductRule::new("EU", &["卫星接收机", "satellite receiver"], Vec::new());
        let navigation = ProductRule::new(
            "EU",
            &["船用卫星导航接收机", "marine satellite navigation receiver"],
            Vec::new(),
        );
        let both = [&satellite_tv, &navigation];
        assert!(satellite_tv.names(&ProductName::new("船用卫星导航接收机")));
        assert_eq!(kept("船用卫星导航接收机", &both), [1]);
        assert_eq!(kept("marine satellite navigation receiver", &both), [1]);
    }

    #[test]
    fn a_kind_named_by_a_qualifying_word_gives_way_to_the_head_s() {
        let kept = kept_kinds;
        let car = ProductRule::new("CN", &["汽车", "car", "truck"], Vec::new());
        let coolant = ProductRule::new("CN", &["防冻液", "tyre"], Vec::new());
        assert_eq!(kept("汽车防冻液", &[&car, &coolant]), [1]);
        assert_eq!(kept("truck tyres", &[&car, &coolant]), [1]);
        // With no kind for the head, the qualifier's kind is what is known.
        assert_eq!(kept("汽车防冻液", &[&car]), [0]);
        let valve = ProductRule::new("CN", &["安全阀"], Vec::new());
        assert_eq!(kept("安全阀维修", &[&valve]), [0]);
        // What follows "for" says what the product serves, not what it is.
        let ev = ProductRule::new("CN", &["electric vehicle"], Vec::new());
        let battery = ProductRule::new("CN", &["traction battery"], Vec::new());
        let for_ev = "traction batteries for electric vehicles";
        assert_eq!(kept(for_ev, &[&ev, &battery]), [1]);
        assert_eq!(
            kept("electric vehicle traction batteries", &[&ev, &battery]),
            [1]
        );
        // A service's object follows its "of".
        let cylinder = ProductRule::new("CN", &["gas cylinder"], Vec::new());
        let inspection = ProductName::new("periodic inspection of gas cylinders");
        assert_eq!(kept(inspection.text(), &[&cylinder]), [0]);
        assert!(inspection.head_in_title("", "Gas cylinders - Periodic inspection"));
    }

    #[test]
    fn a_longer_name_names_a_product_it_is_a_kind_of() {
        let within = ProductRule::new("CN", &["轮椅", "手动轮椅车"], Vec::new());
        assert!(within.named_within(&ProductName::new("电动轮椅")));
        assert!(!within.named_within(&ProductName::new("椅")));
        let broader = ProductRule::new("EU", &["manual wheelchair"], Vec::new());
        assert!(broader.names(&ProductName::new("wheelchair")));
        assert!(!broader.named_within(&ProductName::new("wheelchair")));
        let names = |term: &str, product: &str| {
            ProductRule::new("CN", &[term], Vec::new()).names(&ProductName::new(product))
        };
        for (term, product) in [
            ("电动自行车", "自行车"),
            ("短距离无线设备", "短距离无线"),
            ("driverless industrial truck", "industrial truck"),
            ("medical face masks", "face mask"),
            // One word or two characters name the family (share weighs it).
            ("蒸汽锅炉", "锅炉"),
            ("steam boiler", "boiler"),
        ] {
            assert!(names(term, product), "{term} names {product}");
        }
        for (term, product) in [
            ("短距离无线设备", "设备"),
            ("medical equipment", "equipment"),
            ("自行车头盔", "自行车"),
            ("电动自行车充电器", "电动自行车"),
            ("高压锅炉用无缝钢管", "高压锅"),
            ("electric bicycle battery", "electric bicycle"),
            ("heat pump dryer", "heat pump"),
            ("remote control toy", "remote control"),
        ] {
            assert!(!names(term, product), "{term} does not name {product}");
        }
    }

    #[test]
    fn a_name_with_parentheses_reads_as_its_name_and_each_item_inside() {
        let texts = |name: &str| -> (String, Vec<String>) {
            let readings = ProductName::readings(name);
            (
                readings.name.text().to_string(),
                readings
                    .items
                    .iter()
                    .map(|r| r.text().to_string())
                    .collect(),
            )
        };
        let read = |name: &str, items: &[&str]| {
            (
                name.to_string(),
                items.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(texts("Set-top box"), read("set-top box", &[]));
        assert_eq!(
            texts("Forklift trucks (powered industrial trucks)"),
            read("forklift trucks", &["powered industrial trucks"])
        );
        assert_eq!(
            texts("工业防护涂料（含船舶、地坪涂料）"),
            read("工业防护涂料", &["船舶", "地坪涂料"])
        );
        // A group inside the name qualifies it.
        assert_eq!(
            texts("给水用聚乙烯（PE）管材"),
            read("给水用聚乙烯pe管材", &[])
        );
        assert_eq!(
            texts("Hand-held non-electric (pneumatic) power tools"),
            read("hand-held non-electric pneumatic power tools", &[])
        );
        assert_eq!(
            texts("(smart home devices"),
            read("", &["smart home devices"])
        );
        let rule = ProductRule::new("EU", &["contact lens"], Vec::new());
        assert!(rule.names(&ProductName::readings("Contact lenses (US market)").name));
    }

    /// The names' texts, in order.
    fn texts_of(names: &[ProductName]) -> Vec<String> {
        names.iter().map(|n| n.text().to_string()).collect()
    }

    #[test]
    fn a_negated_name_names_no_kind_of_what_it_negates() {
        let invasive = ProductRule::new("EU", &["invasive blood pressure monitor"], Vec::new());
        let monitor = ProductRule::new("EU", &["blood pressure monitor"], Vec::new());
        let on_board = ProductRule::new("CN", &["车载充电机"], Vec::new());
        let name = |n: &str| ProductName::readings(n).name;
        let product = name("Automated non-invasive blood pressure monitors");
        assert!(!invasive.names(&product));
        assert!(monitor.names(&product));
        assert!(invasive.names(&name("Invasive blood pressure monitor")));
        assert!(!on_board.names(&name("电动汽车非车载传导式充电机")));
        assert!(!on_board.names(&name("非车载充电机")));
        assert!(on_board.names(&name("电动汽车车载充电机")));
        // Nor does a negated name name the kind by its head.
        let heads = texts_of(&name("非车载充电机").heads());
        assert!(!heads.contains(&"车载充电机".to_string()), "{heads:?}");
        assert_eq!(
            name("anti-static flooring").words,
            ["antistatic", "flooring"]
        );
    }

    #[test]
    fn a_coordinated_name_reads_as_the_names_it_joins() {
        let read = |name: &str| texts_of(&ProductName::readings(name).all());
        assert_eq!(read("Truck and bus tyres"), ["truck tyres", "bus tyres"]);
        assert_eq!(
            read("Power, control and communication cables for buildings (CPR)"),
            [
                "power cables for buildings",
                "control cables for buildings",
                "communication cables for buildings",
                "cpr"
            ]
        );
        assert_eq!(
            read("Fireworks and firecrackers"),
            ["fireworks", "firecrackers"]
        );
        assert_eq!(read("蓝牙耳机与音箱"), ["蓝牙耳机", "音箱"]);
        assert_eq!(
            read("Fans for heating and cooling"),
            ["fans for heating and cooling"]
        );
        assert_eq!(
            read("Nuts, bolts or screws and washers"),
            ["nuts, bolts or screws and washers"]
        );
        let tyres = ProductRule::new("CN", &["truck tyres"], Vec::new());
        let trucks = ProductRule::new("CN", &["truck"], Vec::new());
        let kinds = [(0, &tyres), (1, &trucks)];
        let named: Vec<usize> = ProductName::readings("Truck and bus tyres")
            .all()
            .iter()
            .flat_map(|name| {
                let naming = kinds
                    .iter()
                    .filter(|(_, k)| k.names(name))
                    .copied()
                    .collect();
                most_specific_kinds(name, naming)
            })
            .map(|(i, _)| i)
            .collect();
        assert_eq!(named, [0]);
    }

    #[test]
    fn a_title_about_the_product_holds_its_head() {
        let battery = ProductName::new("汽车启动电池");
        assert!(battery.head_in_title("起动用铅酸蓄电池", ""));
        assert!(!battery.head_in_title("汽车用车速表", "Speedometers for motor vehicles"));
        let cooker = ProductName::new("高压锅");
        assert!(cooker.head_in_title("铝压力锅安全及性能要求", ""));
        assert!(!cooker.head_in_title("高压钠灯能效限定值及能效等级", ""));
        let storage = ProductName::new("储能系统");
        assert!(storage.head_in_title("电化学储能电站安全规程", ""));
        let english = ProductName::new("car batteries");
        assert!(english.head_in_title("", "Lead-acid starter batteries"));
        assert!(!english.head_in_title("", "Motor vehicles - Speedometers"));
        assert!(
            ProductName::new("injection moulding machine").head_in_title(
                "",
                "Plastics and rubber machines - Injection moulding machines - Safety requirements"
            )
        );
        // A service's object is its head.
        assert!(ProductName::new("变压器维修").head_in_title("电力变压器能效限定值及能效等级", ""));
        assert!(
            ProductName::new("transformer repair").head_in_title("", "Power transformers - Part 1")
        );
        assert!(!ProductName::new("变压器维修").head_in_title("电动汽车充电设备", ""));
        // A broad class shared is no head shared: open mixing mills are no
        // injection moulding machines.
        let moulder = ProductName::new("注塑机");
        assert!(!moulder.head_in_title("开放式炼胶机炼塑机安全要求", ""));
        assert!(moulder.head_in_title("塑料注塑机安全要求", ""));
        let heater = ProductName::new("燃气热水器");
        assert!(heater.head_in_title("家用燃气快速热水器", ""));
        assert!(!heater.head_in_title("燃气采暖炉", ""));
        let toys = ProductName::new("塑料玩具");
        assert!(toys.head_in_title("玩具安全 第1部分：基本规范", ""));
        assert!(!toys.head_in_title("塑料管材", ""));
        assert!(ProductName::new("led灯").head_in_title("LED筒灯性能要求", ""));
        // The part's title says which kind of the head it is about.
        let foam = ProductName::new("泡沫消防车");
        assert!(!foam.head_in_title("消防车 第17部分：排烟消防车", ""));
        assert!(foam.head_in_title("消防车 第3部分：泡沫消防车", ""));
        assert!(foam.head_in_title("消防车 第1部分：通用技术条件", ""));
        // Where the part leaves the head bare, the series' lead says which
        // kind it is about.
        let industrial = ProductName::new("工业车辆");
        assert!(!industrial.head_in_title("道路车辆 车辆识别代号（VIN）", ""));
        assert!(ProductName::new("道路车辆").head_in_title("道路车辆 车辆识别代号（VIN）", ""));
        assert!(industrial.head_in_title("工业车辆 安全要求和验证 第1部分：自行式工业车辆", ""));
        let plush = ProductName::new("毛绒玩具");
        assert!(!plush.head_in_title("电玩具的安全", ""));
        assert!(plush.head_in_title("玩具安全 第2部分：机械与物理性能", ""));
        assert!(!ProductName::new("食品罐内壁涂料").head_in_title("钢结构防火涂料", ""));
        assert!(ProductName::new("食品接触用涂料").head_in_title("食品接触用涂料及涂层", ""));
        assert!(!ProductName::new("儿童鞋").head_in_title("足部防护 电绝缘鞋", ""));
        // A title qualifying its head by whom it serves or guards is about
        // that product alone; the food series' lead names no product.
        let convenience = ProductName::new("方便食品");
        assert!(!convenience.head_in_title("食品安全国家标准 婴儿配方食品", ""));
        assert!(!convenience.head_in_title("食品安全国家标准 饼干", ""));
        assert!(ProductName::new("方便面").head_in_title("食品安全国家标准 方便面", ""));
        assert!(!ProductName::new("服装").head_in_title("防护服装 阻燃服", ""));
        assert!(ProductName::new("阻燃服").head_in_title("防护服装 阻燃服", ""));
        assert!(ProductName::new("童鞋").head_in_title("儿童鞋安全技术规范", ""));
        assert!(!ProductName::new("自行车").head_in_title("儿童自行车安全要求", ""));
        assert!(ProductName::new("婴儿培养箱").head_in_title("医用婴儿培养箱", ""));
        assert!(!ProductName::new("涂料").head_in_title("钢结构防火涂料", ""));
        // A head joined to a made thing qualifies the thing.
        assert!(!ProductName::new("推车").head_in_title("推车式灭火器", ""));
        assert!(!ProductName::new("钢化玻璃").head_in_title("玻璃体温计", ""));
        assert!(!ProductName::new("汽油").head_in_title("汽油机油", ""));
        assert!(ProductName::new("汽油").head_in_title("车用汽油", ""));
        // English: a head followed by another noun qualifies that noun.
        assert!(!ProductName::new("beer").head_in_title("", "Beer bottles"));
        assert!(!ProductName::new("gasoline").head_in_title("", "Gasoline engine oils"));
        assert!(
            !ProductName::new("plastic toys")
                .head_in_title("", "Toys safety—Part 12: Toy scooters")
        );
        assert!(ProductName::new("gasoline").head_in_title("", "Motor gasoline"));
        assert!(ProductName::new("toys").head_in_title(
            "",
            "Safety of toys—Part 1: Mechanical and physical properties"
        ));
        assert!(
            ProductName::new("plastic toys").head_in_title("", "Toys safety—Part 1: Basic code")
        );
        assert!(ProductName::new("battery").head_in_title("", "Battery systems for vehicles"));
        // English: a part's title says which kind of the head it is about.
        let moulder = ProductName::new("injection moulding machine");
        assert!(!moulder.head_in_title(
            "",
            "Woodworking machines - Safety - Part 14: Two-side moulding machines"
        ));
        let aircon = ProductName::new("room air conditioner");
        assert!(aircon.head_in_title(
            "",
            "Household and similar electrical appliances - Safety - Part 2-40: \
             Particular requirements for electrical heat pumps, air-conditioners and dehumidifiers"
        ));
        // Another item of a list qualifies nothing.
        assert!(ProductName::new("房间空调器").head_in_title(
            "家用和类似用途电器的安全 热泵、空调器和除湿机的特殊要求",
            ""
        ));
        assert!(!foam.head_in_title("汽车及挂车转向信号灯配光性能 第2部分：排烟消防车", ""));
        // A head that qualifies another thing.
        assert!(!plush.head_in_title("玩具安全 第12部分：玩具滑板车", ""));
        assert!(!ProductName::new("动力电池").head_in_title("电池充电器的特殊要求", ""));
        assert!(ProductName::new("动力电池").head_in_title("电动汽车用动力蓄电池安全要求", ""));
        assert!(ProductName::new("三轮汽车").head_in_title("汽车事件数据记录系统", ""));
        assert!(
            ProductName::new("三轮汽车")
                .head_in_title("汽车、挂车及汽车列车外廓尺寸、轴荷及质量限值", "")
        );
        // No title in the name's language says nothing.
        assert!(battery.head_in_title("", "Speedometers"));
        assert!(english.head_in_title("汽车用车速表", ""));
    }

    #[test]
    fn a_name_falls_back_on_its_head() {
        let heads = |name: &str| texts_of(&ProductName::new(name).heads());
        assert_eq!(
            heads("Sterile single-use syringes"),
            ["single use syringe", "use syringe", "syringe"]
        );
        assert_eq!(heads("Fans for potentially explosive atmospheres"), ["fan"]);
        assert_eq!(heads("Medical equipment"), Vec::<String>::new());
        assert_eq!(heads("道路交通信号灯")[0], "路交通信号灯");
        assert_eq!(heads("道路交通信号灯").last().unwrap(), "号灯");
        assert!(!heads("智能联网设备").contains(&"设备".to_string()));
    }

    #[test]
    fn a_service_on_a_product_falls_back_on_the_product() {
        let heads = |name: &str| texts_of(&ProductName::new(name).heads());
        assert_eq!(heads("灭火器维修保养")[0], "灭火器");
        assert_eq!(heads("气瓶定期检验")[0], "气瓶");
        assert_eq!(heads("安全阀校验")[0], "安全阀");
        assert_eq!(
            heads("safety valve calibration")[..2],
            ["safety valve", "valve"]
        );
        assert_eq!(heads("Cylinder periodic inspection"), ["cylinder"]);
        // A service word alone names no product, nor does a recycler's
        // scrap stand for the product it came from.
        assert!(heads("维修").is_empty());
        assert!(heads("repair").is_empty());
        assert!(!heads("电池回收").iter().any(|h| h == "回收" || h == "电池"));
        assert!(heads("battery recycling").is_empty());
        let recycling = ProductName::new("报废汽车拆解");
        assert!(!recycling.head_in_title("汽车用LED前照灯", ""));
        assert!(recycling.head_in_title("报废机动车回收拆解企业技术规范", ""));
        let recycling = ProductName::new("lead-acid battery recycling");
        assert!(!recycling.head_in_title("", "Safety requirements for power batteries"));
        assert!(recycling.head_in_title("", "Emission standard of pollutants for secondary lead"));
        let servicing = ProductName::new("fire detector servicing");
        assert!(servicing.head_in_title("", "Point-type smoke fire detectors"));
        assert!(!servicing.head_in_title("", "Intrusion detectors—Part 1: General requirements"));
        assert!(
            ProductName::new("transformer repair")
                .head_in_title("", "Power transformers—Part 1: General")
        );
        assert_eq!(ProductName::new("不定期").serviced_object(), None);
        assert_eq!(ProductName::new("设备维修").serviced_object(), None);
    }

    #[test]
    fn plurals_fold_to_the_singular_a_term_is_written_in() {
        for (plural, singular_form) in [
            ("lenses", "lens"),
            ("lens", "lens"),
            ("boxes", "box"),
            ("buses", "bus"),
            ("gases", "gas"),
            ("glasses", "glass"),
            ("batteries", "battery"),
            ("switches", "switch"),
            ("hoses", "hose"),
            ("chargers", "charger"),
        ] {
            assert_eq!(singular(plural), singular_form, "{plural}");
        }
    }

    #[test]
    fn the_term_indexes_find_what_a_scan_of_every_kind_finds() {
        let table = NamedByRegulation::default().with_products(PRODUCTS);
        let markets = s(&["CN", "EU"]);
        for name in [
            "房间空调器",
            "热泵热水器",
            "led灯",
            "LED",
            "Heat pump water heater",
            "EV DC chargers",
            "wireless earphones",
            "白酒",
            "injection moulding machine",
            "燃气热水器",
            "—",
            "x",
        ] {
            let product = ProductName::new(name);
            let scanned: Vec<usize> = table
                .product_rules(&markets)
                .enumerate()
                .filter(|(_, rule)| rule.names(&product))
                .map(|(k, _)| k)
                .collect();
            let indexed: Vec<usize> = table
                .kinds_named_by(&product, &markets)
                .into_iter()
                .map(|(k, _)| k)
                .collect();
            assert_eq!(indexed, scanned, "{name}");
        }
    }

    #[test]
    fn the_bundled_product_file_is_well_formed() {
        let mut seen = std::collections::HashSet::new();
        let mut rows = 0;
        for row in PRODUCTS
            .lines()
            .filter(|l| !l.starts_with('#') && *l != PRODUCT_COLUMNS)
        {
            let cols: Vec<&str> = row.split('\t').collect();
            assert_eq!(cols.len(), 5, "{row}");
            assert!(matches!(cols[0], "CN" | "EU"), "{row}");
            let terms: Vec<&str> = cols[1].split(';').collect();
            assert!(terms.iter().all(|t| !t.trim().is_empty()), "{row}");
            assert!(
                terms.iter().any(|t| t.chars().any(crate::text::is_cjk)),
                "{row}"
            );
            assert!(terms.iter().any(|t| t.is_ascii()), "{row}");
            assert!(!cols[2].is_empty() && !cols[2].contains(':'), "{row}");
            assert!(matches!(cols[3], "1.0" | "0.6" | "0.3"), "{row}");
            assert!(!cols[4].is_empty(), "{row}");
            assert!(seen.insert((cols[0], cols[1], cols[2])), "duplicate {row}");
            rows += 1;
        }
        let kinds = NamedByRegulation::default()
            .with_products(PRODUCTS)
            .products;
        assert_eq!(kinds.iter().map(|k| k.lines.len()).sum::<usize>(), rows);
    }

    #[test]
    fn the_bundled_file_is_well_formed() {
        let mut rows = 0;
        let mut seen = std::collections::HashSet::new();
        for row in REGULATION.lines().filter(|l| !l.starts_with('#')).skip(1) {
            let cols: Vec<&str> = row.split('\t').collect();
            assert_eq!(cols.len(), 4, "{row}");
            let (code, regime) = cols[0]
                .strip_prefix('@')
                .and_then(|k| k.split_once('/'))
                .unwrap_or_else(|| panic!("bad key in {row}"));
            assert!(
                (2..=4).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit()),
                "{row}"
            );
            assert!(matches!(regime, "CN" | "EU"), "{row}");
            assert!(!cols[1].is_empty() && !cols[1].contains(':'), "{row}");
            assert!(matches!(cols[2], "1.0" | "0.6" | "0.3"), "{row}");
            assert!(!cols[3].is_empty(), "{row}");
            assert!(seen.insert((cols[0], cols[1])), "duplicate {row}");
            rows += 1;
        }
        assert!(rows > 2000, "{rows} rows");
        assert_eq!(NamedByRegulation::parse(REGULATION).rows().count(), rows);
    }
}
