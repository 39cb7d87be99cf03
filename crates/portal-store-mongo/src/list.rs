//! Helpers shared by the list queries: page bounds, name prefix filters and name lookups.

use std::collections::HashMap;

use bson::{Bson, Document, doc};
use futures::TryStreamExt;
use mongodb::Cursor;
use portal_core::StoreError;
use portal_core::model::PageRequest;
use portal_core::store::StoreResult;
use uuid::Uuid;

use crate::MongoStore;
use crate::codec::{self, encode_uuid};
use crate::error::store_error;

/// `skip` and `limit` of a page request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageBounds {
    pub skip: u64,
    pub limit: i64,
}

impl PageBounds {
    /// Converts a page request. Pages count from 1, so page 0 is rejected.
    pub(crate) fn new(page: PageRequest) -> StoreResult<Self> {
        if page.page == 0 {
            return Err(StoreError::Other("page numbers start at 1".into()));
        }
        Ok(Self {
            skip: page.offset(),
            limit: i64::from(page.limit),
        })
    }

    /// Returns true when the page can hold no items. MongoDB reads a limit of 0 as "no limit",
    /// so such a page must not be queried.
    pub(crate) fn is_empty(&self) -> bool {
        self.limit == 0
    }
}

/// Builds a filter matching documents whose `first_name_lower` or `last_name_lower` starts
/// with `prefix`. Returns `None` for a missing or empty prefix, which matches everything.
///
/// The prefix is lower-cased and escaped with [`regex::escape`], so every character of it,
/// `.`, `*`, `^`, `$` and `\` included, matches only itself.
pub(crate) fn name_prefix_filter(prefix: Option<&str>) -> Option<Document> {
    let prefix = prefix.filter(|prefix| !prefix.is_empty())?;
    let pattern = format!("^{}", regex::escape(&prefix.to_lowercase()));
    Some(doc! {
        "$or": [
            { "first_name_lower": { "$regex": &pattern } },
            { "last_name_lower": { "$regex": &pattern } },
        ]
    })
}

/// Combines filters with `$and`, dropping missing ones.
pub(crate) fn all_of(filters: impl IntoIterator<Item = Option<Document>>) -> Document {
    let filters: Vec<Bson> = filters.into_iter().flatten().map(Bson::Document).collect();
    match filters.len() {
        0 => Document::new(),
        _ => doc! { "$and": filters },
    }
}

/// Reads every document of a cursor.
pub(crate) async fn collect(cursor: Cursor<Document>) -> StoreResult<Vec<Document>> {
    cursor.try_collect().await.map_err(store_error)
}

impl MongoStore {
    /// Returns "First Last" for each of the accounts in `ids` that exists.
    pub(crate) async fn full_names(
        &self,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> StoreResult<HashMap<Uuid, String>> {
        let mut ids: Vec<String> = ids.into_iter().map(encode_uuid).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let cursor = self
            .users
            .find(doc! { "_id": { "$in": ids } })
            .projection(doc! { "first_name": 1, "last_name": 1 })
            .await
            .map_err(store_error)?;
        collect(cursor)
            .await?
            .iter()
            .map(|user| {
                let name = format!(
                    "{} {}",
                    codec::text(user, "first_name")?,
                    codec::text(user, "last_name")?
                );
                Ok((codec::uuid(user, "_id")?, name))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use bson::doc;
    use portal_core::model::PageRequest;

    use super::{PageBounds, name_prefix_filter};

    #[test]
    fn prefix_is_escaped() {
        let filter = name_prefix_filter(Some(r"Per%.*^$\")).expect("a filter");
        let pattern = r"^per%\.\*\^\$\\";
        assert_eq!(
            filter,
            doc! { "$or": [
                { "first_name_lower": { "$regex": pattern } },
                { "last_name_lower": { "$regex": pattern } },
            ] },
            "regular expression characters are escaped and the prefix lower-cased"
        );
    }

    #[test]
    fn prefix_empty_is_none() {
        assert_eq!(
            name_prefix_filter(Some("")),
            None,
            "an empty prefix means no filter"
        );
        assert_eq!(name_prefix_filter(None), None, "no prefix means no filter");
    }

    #[test]
    fn bounds_page_zero() {
        let bounds = PageBounds::new(PageRequest { page: 0, limit: 10 });
        assert!(bounds.is_err(), "page 0 is rejected");
    }

    #[test]
    fn bounds_skip() {
        let bounds = PageBounds::new(PageRequest { page: 3, limit: 10 }).expect("valid page");
        assert_eq!(bounds.skip, 20, "page 3 of 10 starts after 20 items");
        assert_eq!(bounds.limit, 10, "limit is the page size");
    }
}
