use serde::Serialize;

/// Which page of a list to read: 1-based page number and page size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based.
    pub page: u32,
    /// Items per page, at least 1.
    pub per_page: u32,
}

impl PageRequest {
    /// A request for `page` (clamped to at least 1) of `per_page` (clamped to at least 1).
    pub fn new(page: u32, per_page: u32) -> Self {
        Self {
            page: page.max(1),
            per_page: per_page.max(1),
        }
    }

    /// Rows to skip.
    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    /// Rows to read.
    pub fn limit(self) -> i64 {
        i64::from(self.per_page)
    }
}

/// One page of a list with the total, so the page can link to its neighbours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// 1-based page number.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
    /// Items across all pages.
    pub total: i64,
}

impl<T> Page<T> {
    /// Number of pages (at least 1, so an empty list still has its first page).
    pub fn total_pages(&self) -> u32 {
        let per_page = i64::from(self.per_page.max(1));
        let pages = (self.total + per_page - 1) / per_page;
        u32::try_from(pages.max(1)).unwrap_or(u32::MAX)
    }

    /// Whether a later page exists.
    pub fn has_next(&self) -> bool {
        self.page < self.total_pages()
    }

    /// Whether the page asked for lies past the end (and is not the first).
    pub fn is_past_the_end(&self) -> bool {
        self.page > self.total_pages()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_count_rounds_up_and_never_drops_below_one() {
        let page = |total| Page::<()> {
            items: vec![],
            page: 1,
            per_page: 10,
            total,
        };
        assert_eq!(page(0).total_pages(), 1);
        assert_eq!(page(10).total_pages(), 1);
        assert_eq!(page(11).total_pages(), 2);
        assert!(page(11).has_next());
    }

    #[test]
    fn offset_follows_the_page_number() {
        assert_eq!(PageRequest::new(3, 20).offset(), 40);
        assert_eq!(PageRequest::new(0, 0).offset(), 0);
    }
}
