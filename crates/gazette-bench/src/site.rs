use crate::rng::Rng;

const WORDS: &[&str] = &[
    "council",
    "budget",
    "harbour",
    "residents",
    "library",
    "school",
    "vote",
    "plan",
    "city",
    "mayor",
    "report",
    "week",
    "year",
    "people",
    "street",
    "market",
    "project",
    "money",
    "public",
    "local",
    "government",
    "police",
    "hospital",
    "bridge",
    "river",
    "weather",
    "storm",
    "festival",
    "museum",
    "station",
    "train",
    "bus",
    "road",
    "housing",
    "rent",
    "price",
    "business",
    "workers",
    "union",
    "strike",
    "election",
    "candidate",
    "debate",
    "policy",
    "tax",
    "service",
    "water",
    "energy",
    "community",
    "park",
    "court",
    "judge",
    "case",
    "decision",
    "officials",
    "said",
    "would",
    "could",
    "about",
    "after",
    "before",
    "during",
    "between",
    "under",
    "their",
    "there",
    "which",
    "while",
    "because",
    "although",
    "however",
    "meanwhile",
    "according",
    "statement",
    "interview",
    "data",
    "survey",
    "percent",
    "million",
    "thousand",
    "morning",
    "evening",
    "night",
    "weekend",
    "summer",
    "winter",
    "spring",
    "autumn",
    "north",
    "south",
    "east",
    "west",
    "centre",
    "district",
    "village",
];

const CATEGORIES: &[&str] = &[
    "Politics", "Business", "Local", "Sport", "Culture", "Science", "World", "Opinion",
];
const TAGS: &[&str] = &[
    "budget",
    "transport",
    "housing",
    "elections",
    "schools",
    "health",
    "climate",
    "courts",
    "arts",
    "football",
    "energy",
    "harbour",
    "crime",
    "weather",
    "jobs",
    "technology",
];
const NAMES: &[&str] = &[
    "Maria Santos",
    "Tom Becker",
    "Aisha Khan",
    "Lars Nilsson",
    "Chen Wei",
    "Fatima Diallo",
    "John Carter",
    "Sofia Rossi",
    "Ivan Petrov",
    "Grace Okafor",
    "Liam Murphy",
    "Yuki Tanaka",
];

/// How many rare words there are (see [`rare_word`]).
pub const RARE_WORDS: u64 = 2_000;

/// The rare word number `n`: two syllables and a third, like "kelvaro", unique for each `n`
/// below [`RARE_WORDS`].
pub fn rare_word(n: u64) -> String {
    const FIRST: &[&str] = &[
        "kel", "mar", "tos", "vin", "bra", "dul", "fen", "gor", "hal", "jun",
    ];
    const SECOND: &[&str] = &["va", "de", "ri", "lo", "mu", "sa", "te", "no", "pi", "ka"];
    const THIRD: &[&str] = &[
        "ro", "len", "dor", "mis", "tan", "bel", "quor", "zen", "fal", "wick", "ston", "by", "ham",
        "ford", "mouth", "gate", "holm", "wyn", "dale", "mere",
    ];
    let n = n % RARE_WORDS;
    format!(
        "{}{}{}",
        FIRST[(n % 10) as usize],
        SECOND[((n / 10) % 10) as usize],
        THIRD[((n / 100) % 20) as usize]
    )
}

/// Words of made-up prose, sentence-cased with full stops.
pub fn prose(rng: &mut Rng, words: usize) -> String {
    let mut out = String::with_capacity(words * 8);
    let mut sentence = 0;
    for i in 0..words {
        let word = rng.pick(WORDS);
        if sentence == 0 {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push_str(word);
        }
        sentence += 1;
        if sentence > 8 && rng.chance(0.15) || i + 1 == words {
            out.push('.');
            sentence = 0;
        }
        if i + 1 < words {
            out.push(' ');
        }
    }
    out
}

/// An article body of about `words` words in Markdown: paragraphs, a heading, a quote.
pub fn article_body(rng: &mut Rng, words: usize) -> String {
    let mut body = String::with_capacity(words * 8);
    let mut written = 0;
    let mut paragraph = 0;
    while written < words {
        let n = (40 + rng.below(60) as usize).min(words - written);
        if paragraph == 3 {
            body.push_str("## ");
            body.push_str(&prose(rng, 4).trim_end_matches('.').to_owned());
            body.push_str("\n\n");
        }
        if paragraph == 5 {
            body.push_str("> \"");
            body.push_str(&prose(rng, 14));
            body.push_str("\"\n\n");
        }
        body.push_str(&prose(rng, n));
        body.push_str("\n\n");
        written += n;
        paragraph += 1;
    }
    body
}

/// One generated article.
#[derive(Debug, Clone)]
pub struct GenArticle {
    /// Database id.
    pub id: i64,
    /// Permalink slug.
    pub slug: String,
    /// Headline.
    pub title: String,
    /// Markdown body.
    pub body: String,
    /// Publication time.
    pub published_at: i64,
    /// Category index into the categories list.
    pub category: usize,
    /// Tag indexes.
    pub tags: Vec<usize>,
    /// Comments it gets.
    pub comments: usize,
}

/// One generated comment.
#[derive(Debug, Clone)]
pub struct GenComment {
    /// Database id.
    pub id: i64,
    /// Its article.
    pub article_id: i64,
    /// Parent comment id.
    pub parent_id: Option<i64>,
    /// Materialised path.
    pub path: String,
    /// Depth, 1 for top level.
    pub depth: i64,
    /// Name.
    pub name: &'static str,
    /// Email (a few thousand distinct commenters).
    pub email: String,
    /// Markdown body.
    pub body: String,
    /// Time.
    pub created_at: i64,
}

/// Category names.
pub fn categories() -> &'static [&'static str] {
    CATEGORIES
}

/// Tag names.
pub fn tags() -> &'static [&'static str] {
    TAGS
}

/// How many comments each of `articles` articles gets so that they sum to `comments`, with the
/// bench article (the first) getting exactly `bench` of them.
pub fn comment_counts(rng: &mut Rng, articles: usize, comments: usize, bench: usize) -> Vec<usize> {
    let mut counts = vec![0usize; articles];
    if articles == 0 {
        return counts;
    }
    counts[0] = bench.min(comments);
    let rest = comments - counts[0];
    if articles > 1 {
        for _ in 0..rest {
            counts[1 + rng.below(articles as u64 - 1) as usize] += 1;
        }
    } else {
        counts[0] += rest;
    }
    counts
}

/// The comments of one article: ids from `first_id`, threads up to 5 deep (about 40% top level).
pub fn thread(
    rng: &mut Rng,
    article_id: i64,
    first_id: i64,
    count: usize,
    start: i64,
) -> Vec<GenComment> {
    let mut comments: Vec<GenComment> = Vec::with_capacity(count);
    for i in 0..count {
        let id = first_id + i as i64;
        let parent = if comments.is_empty() || rng.chance(0.4) {
            None
        } else {
            let candidate = &comments[rng.below(comments.len() as u64) as usize];
            (candidate.depth < 5).then(|| (candidate.id, candidate.path.clone(), candidate.depth))
        };
        let segment = format!("{id:012}");
        let (parent_id, path, depth) = match parent {
            Some((pid, ppath, pdepth)) => (Some(pid), format!("{ppath}.{segment}"), pdepth + 1),
            None => (None, segment, 1),
        };
        let commenter = rng.below(5000);
        let words = 10 + rng.below(50) as usize;
        comments.push(GenComment {
            id,
            article_id,
            parent_id,
            path,
            depth,
            name: *rng.pick(NAMES),
            email: format!("reader{commenter}@example.org"),
            body: prose(rng, words),
            created_at: start + i as i64 * 60,
        });
    }
    comments
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The same seed gives the same site.
    pub seed: u64,
    /// Articles.
    pub articles: usize,
    /// Comments across all articles.
    pub comments: usize,
    /// Comments on the bench article (the first, and the newest).
    pub bench_comments: usize,
    /// Words per article.
    pub words: usize,
    /// The bench article is published an hour before this; each next one an hour earlier.
    pub now: i64,
}

/// One article with its comments.
#[derive(Debug, Clone)]
pub struct Story {
    /// 0 for the bench article.
    pub index: usize,
    /// The article.
    pub article: GenArticle,
    /// Its comments in id order.
    pub comments: Vec<GenComment>,
}

/// The site, article by article, with ids counted from the given first ids. Gazette's and
/// WordPress's writers read the same stories, so both sites hold the same text.
pub fn stories(
    plan: &Plan,
    first_article: i64,
    first_comment: i64,
) -> impl Iterator<Item = Story> + use<> {
    let mut rng = Rng::new(plan.seed);
    let counts = comment_counts(&mut rng, plan.articles, plan.comments, plan.bench_comments);
    let plan = plan.clone();
    let mut next_comment = first_comment;
    (0..plan.articles).map(move |index| {
        let id = first_article + index as i64;
        let published_at = plan.now - 3600 - index as i64 * 3600;
        let title_words = 6 + rng.below(6) as usize;
        let title = prose(&mut rng, title_words)
            .trim_end_matches('.')
            .to_owned();
        let mut body = article_body(&mut rng, plan.words);
        // Three rarer words per article (each in about one article in 1,500 of a large site),
        // from a separate generator so the rest of the site is as it was: what a search for a
        // name or a place finds among the common words.
        let mut rare = Rng::new(plan.seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        body.push_str("\n\nAlso mentioned: ");
        let names: Vec<String> = (0..3).map(|_| rare_word(rare.below(RARE_WORDS))).collect();
        body.push_str(&names.join(", "));
        body.push_str(".\n");
        let category = rng.below(CATEGORIES.len() as u64) as usize;
        let tags = vec![rng.below(TAGS.len() as u64) as usize];
        let count = counts[index];
        let comments = thread(&mut rng, id, next_comment, count, published_at + 60);
        next_comment += count as i64;
        Story {
            index,
            article: GenArticle {
                id,
                slug: if index == 0 {
                    "bench-article".into()
                } else {
                    format!("story-{index}")
                },
                title,
                body,
                published_at,
                category,
                tags,
                comments: count,
            },
            comments,
        }
    })
}
