//! Benchmark data: a deterministic, realistic news site (articles of about 800 words in categories
//! and tags, threaded comments), written straight into a Gazette database in large batches.

/// A small, fast, seeded random generator: the same seed gives the same site.
pub mod rng;
/// The site's shape: articles, comments, threads.
pub mod site;
/// Writing the site as SQL batches.
pub mod sql;
