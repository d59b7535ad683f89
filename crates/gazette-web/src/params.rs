use crate::error::AppError;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use serde::Deserialize;

/// Query parameters the pages and API understand. All optional and read as text, so that a bad
/// value gets a message naming it rather than a generic rejection.
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    /// List page, 1-based.
    pub page: Option<String>,
    /// Comment page of an article, 1-based.
    pub cpage: Option<String>,
    /// Page size (API only).
    pub per_page: Option<String>,
    /// The comment being answered (`?replytocom=ID`, the no-JavaScript reply link).
    pub replytocom: Option<String>,
    /// Comma-separated article ids (the counts endpoint).
    pub articles: Option<String>,
}

/// The most pages any list can be asked for; beyond is certainly a mistake (or a scan).
const PAGE_MAX: u32 = 1_000_000;

impl Params {
    /// Reads the query, turning an unreadable one into a 400.
    pub fn from_query(query: Result<Query<Params>, QueryRejection>) -> Result<Self, AppError> {
        query.map(|Query(params)| params).map_err(|e| {
            AppError::BadRequest(format!(
                "The address's query could not be read: {}",
                e.body_text()
            ))
        })
    }

    /// `page`, 1 when absent.
    pub fn page(&self) -> Result<u32, AppError> {
        number(self.page.as_deref(), "page", 1, PAGE_MAX)
    }

    /// `cpage`, 1 when absent.
    pub fn cpage(&self) -> Result<u32, AppError> {
        number(self.cpage.as_deref(), "cpage", 1, PAGE_MAX)
    }

    /// `per_page` within 1..=max, `default` when absent.
    pub fn per_page(&self, default: u32, max: u32) -> Result<u32, AppError> {
        match self.per_page.as_deref() {
            None | Some("") => Ok(default),
            given => number(given, "per_page", 1, max),
        }
    }

    /// `replytocom`, if it is a positive number; anything else is ignored like an absent value, as
    /// a stale or mistyped reply link should still show the page.
    pub fn reply_to(&self) -> Option<i64> {
        self.replytocom
            .as_deref()?
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
    }
}

pub(crate) fn number(value: Option<&str>, name: &str, min: u32, max: u32) -> Result<u32, AppError> {
    let Some(text) = value.filter(|v| !v.is_empty()) else {
        return Ok(min);
    };
    match text.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(AppError::BadRequest(format!(
            "The {name} parameter must be a whole number from {min} to {max}; got {text:?}."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_and_empty_pages_are_the_first() {
        assert_eq!(Params::default().page().ok(), Some(1));
        let p = Params {
            page: Some(String::new()),
            ..Default::default()
        };
        assert_eq!(p.page().ok(), Some(1));
    }

    #[test]
    fn bad_pages_are_refused_with_their_name() {
        for bad in ["0", "-1", "x", "1.5", "99999999999"] {
            let p = Params {
                page: Some(bad.into()),
                ..Default::default()
            };
            match p.page() {
                Err(AppError::BadRequest(m)) => assert!(m.contains("page"), "{m}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn per_page_is_bounded() {
        let p = Params {
            per_page: Some("5000".into()),
            ..Default::default()
        };
        assert!(p.per_page(20, 100).is_err());
        assert_eq!(Params::default().per_page(20, 100).ok(), Some(20));
    }
}
