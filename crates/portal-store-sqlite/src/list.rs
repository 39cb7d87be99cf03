//! Helpers shared by the list queries: page bounds and name prefix patterns.

use portal_core::StoreError;
use portal_core::model::PageRequest;

/// Escape character of the `LIKE` patterns built by [`prefix_pattern`], so queries use
/// `LIKE ? ESCAPE '\'`.
const LIKE_ESCAPE: char = '\\';

/// `LIMIT` and `OFFSET` of a page request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageBounds {
    pub limit: i64,
    pub offset: i64,
}

impl PageBounds {
    /// Converts a page request. Pages count from 1, so page 0 is rejected.
    pub(crate) fn new(page: PageRequest) -> Result<Self, StoreError> {
        if page.page == 0 {
            return Err(StoreError::Other("page numbers start at 1".into()));
        }
        let offset = i64::try_from(page.offset())
            .map_err(|_| StoreError::Other("page offset is too large".into()))?;
        Ok(Self {
            limit: i64::from(page.limit),
            offset,
        })
    }
}

/// Builds a `LIKE` pattern matching text that starts with `prefix`, where `%`, `_` and the
/// escape character in `prefix` match themselves. Returns `None` for an empty prefix, which
/// matches everything.
pub(crate) fn prefix_pattern(prefix: Option<&str>) -> Option<String> {
    let prefix = prefix.filter(|prefix| !prefix.is_empty())?;
    let mut pattern = String::with_capacity(prefix.len() + 2);
    for character in prefix.chars() {
        if matches!(character, '%' | '_' | LIKE_ESCAPE) {
            pattern.push(LIKE_ESCAPE);
        }
        pattern.push(character);
    }
    pattern.push('%');
    Some(pattern)
}

#[cfg(test)]
mod tests {
    use portal_core::model::PageRequest;

    use super::{PageBounds, prefix_pattern};

    #[test]
    fn pattern_escapes_wildcards() {
        assert_eq!(
            prefix_pattern(Some(r"a%b_c\d")).as_deref(),
            Some(r"a\%b\_c\\d%"),
            "wildcards and the escape character are escaped"
        );
    }

    #[test]
    fn pattern_empty_is_none() {
        assert_eq!(
            prefix_pattern(Some("")),
            None,
            "an empty prefix means no filter"
        );
    }

    #[test]
    fn bounds_page_zero() {
        let bounds = PageBounds::new(PageRequest { page: 0, limit: 10 });
        assert!(bounds.is_err(), "page 0 is rejected");
    }

    #[test]
    fn bounds_offset() {
        let bounds = PageBounds::new(PageRequest { page: 3, limit: 10 }).expect("valid page");
        assert_eq!(bounds.offset, 20, "page 3 of 10 starts after 20 items");
        assert_eq!(bounds.limit, 10, "limit is the page size");
    }
}
