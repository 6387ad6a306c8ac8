//! The built-in catalog of AI tools (`data/catalog.json`): which hosts and pages belong to which
//! tool, and in which category. Policy rules name categories; the catalog turns them into
//! patterns, and the warn page names the tool a URL belongs to.

use serde::Deserialize;

use crate::url_filter::{FilterIndex, Ranked, RequestUrl, UrlFilter};

/// Catalog categories, as policy rules name them.
pub const CATEGORIES: &[&str] = &["ai-chat", "ai-code", "ai-api", "ai-media"];

const CATALOG_JSON: &str = include_str!("../data/catalog.json");

/// One catalog entry: a product face in one category.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    /// Unique, kebab-case; what the warn page and the CLI name the entry by.
    pub id: String,
    pub name: String,
    pub vendor: String,
    /// One of [`CATEGORIES`].
    pub category: String,
    /// URL filters in the policy's format (Chrome's URLBlocklist format).
    pub patterns: Vec<String>,
    /// Where the hosts come from: the tool's official site or documentation, or a maintained
    /// domain list; an absolute https URL.
    pub source: String,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogDoc {
    version: String,
    tools: Vec<Tool>,
}

/// The parsed catalog with an index from URL to tool.
#[derive(Clone, Debug)]
pub struct Catalog {
    pub version: String,
    pub tools: Vec<Tool>,
    /// Parsed patterns per tool, in `tools` order.
    pub filters: Vec<Vec<UrlFilter>>,
    index: FilterIndex<ToolRef>,
}

#[derive(Clone, Copy, Debug)]
struct ToolRef(u32);

impl Ranked for ToolRef {
    fn permissiveness(&self) -> u8 {
        0
    }
}

impl Catalog {
    /// The catalog compiled into this build.
    pub fn builtin() -> Catalog {
        // The catalog is checked by this crate's tests; a broken one never ships.
        Catalog::parse(CATALOG_JSON).expect("built-in catalog is valid")
    }

    /// Parses a catalog document, checking every pattern and category.
    pub fn parse(json: &str) -> Result<Catalog, String> {
        let doc: CatalogDoc = serde_json::from_str(json).map_err(|e| format!("catalog: {e}"))?;
        let mut indexed = Vec::new();
        let mut filters = Vec::with_capacity(doc.tools.len());
        for (i, tool) in doc.tools.iter().enumerate() {
            if !CATEGORIES.contains(&tool.category.as_str()) {
                return Err(format!("catalog: tool `{}`: unknown category `{}`", tool.id, tool.category));
            }
            match url::Url::parse(&tool.source) {
                Ok(u) if u.scheme() == "https" && u.host().is_some() => {}
                _ => return Err(format!("catalog: tool `{}`: source `{}` is not an absolute https URL", tool.id, tool.source)),
            }
            let mut parsed = Vec::with_capacity(tool.patterns.len());
            for p in &tool.patterns {
                let f = UrlFilter::parse(p)
                    .map_err(|e| format!("catalog: tool `{}`: pattern `{p}`: {e}", tool.id))?;
                indexed.push((f.clone(), ToolRef(i as u32)));
                parsed.push(f);
            }
            filters.push(parsed);
        }
        Ok(Catalog { version: doc.version, tools: doc.tools, filters, index: FilterIndex::build(indexed) })
    }

    /// The tool a URL belongs to, by the same selection rules as policy patterns.
    pub fn classify(&self, url: &RequestUrl<'_>) -> Option<&Tool> {
        self.index.lookup(url).map(|(_, t)| &self.tools[t.0 as usize])
    }

    /// Tools of one category, with their parsed patterns.
    pub fn in_category<'a>(
        &'a self,
        category: &'a str,
    ) -> impl Iterator<Item = (usize, &'a Tool, &'a [UrlFilter])> + 'a {
        self.tools
            .iter()
            .enumerate()
            .filter(move |(_, t)| t.category == category)
            .map(move |(i, t)| (i, t, self.filters[i].as_slice()))
    }
}
