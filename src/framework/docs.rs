//! Registry documentation rendered from schemas: one Markdown page per resource or data source
//! (frontmatter, example, arguments, attributes, nested blocks, timeouts, import) and the provider's
//! index page. Only schema types go in, so the pages cannot drift from what Terraform is told; the
//! words (descriptions, examples, import IDs) come from the caller.

use std::fmt::Write;

use super::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use super::value::{Type, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageKind {
    Resource,
    DataSource,
}

impl PageKind {
    fn title(self) -> &'static str {
        match self {
            PageKind::Resource => "Resource",
            PageKind::DataSource => "Data Source",
        }
    }
}

/// How to import a resource: what the ID is, and an example of one.
pub struct ImportDoc {
    /// Markdown prose describing the ID format.
    pub prose: String,
    /// The resource address in the example, e.g. `awsecs_iam_role.example`.
    pub address: String,
    /// An example import ID.
    pub id: String,
}

/// Everything one resource or data source page is made of.
pub struct Page<'a> {
    pub kind: PageKind,
    pub type_name: &'a str,
    /// The binary's name, e.g. `terraform-provider-foo` (shown in the page title).
    pub provider_binary: &'a str,
    pub subcategory: &'a str,
    pub schema: &'a Schema,
    /// HCL of the example usage.
    pub example: Option<&'a str>,
    pub import: Option<&'a ImportDoc>,
}

/// One line in the index page's list of resources and data sources.
pub struct IndexEntry<'a> {
    pub kind: PageKind,
    pub type_name: &'a str,
    /// The page's file stem (the type name without the provider prefix).
    pub file_stem: &'a str,
    pub summary: &'a str,
}

pub struct IndexPage<'a> {
    pub provider_name: &'a str,
    pub description: &'a str,
    /// Markdown placed between the summary and the example (e.g. authentication).
    pub intro: &'a str,
    pub example: &'a str,
    pub schema: &'a Schema,
    pub entries: &'a [IndexEntry<'a>],
}

/// The name of a timeouts block; it is documented in its own section.
const TIMEOUTS: &str = "timeouts";

pub fn render_page(p: &Page) -> String {
    let block = &p.schema.block;
    let summary = one_line(&block.description);
    let mut out = String::new();
    frontmatter(
        &mut out,
        &format!("{} {} - {}", p.type_name, p.kind.title(), p.provider_binary),
        Some(p.subcategory),
        &summary,
    );
    let _ = writeln!(out, "# {} ({})\n", p.type_name, p.kind.title());
    if let Some(d) = &block.deprecation {
        let _ = writeln!(out, "~> **Deprecated:** {d}\n");
    }
    let _ = writeln!(out, "{}\n", block.description.trim());
    if let Some(e) = p.example {
        example(&mut out, e);
    }
    let style = Style {
        replacement_notes: p.kind == PageKind::Resource,
    };
    let nested = render_block_body(&mut out, block, style);
    nested_sections(&mut out, nested, style);
    if let Some(t) = block.nested(TIMEOUTS) {
        timeouts(&mut out, t);
    }
    if let Some(imp) = p.import {
        import(&mut out, imp);
    }
    finish(out)
}

pub fn render_index(p: &IndexPage) -> String {
    let mut out = String::new();
    frontmatter(
        &mut out,
        &format!("Provider: {}", p.provider_name),
        None,
        &one_line(p.description),
    );
    let _ = writeln!(out, "# {} Provider\n", p.provider_name);
    let _ = writeln!(out, "{}\n", p.description.trim());
    if !p.intro.trim().is_empty() {
        let _ = writeln!(out, "{}\n", p.intro.trim());
    }
    example(&mut out, p.example);
    let _ = writeln!(out, "## Argument Reference\n");
    let style = Style {
        replacement_notes: false,
    };
    let nested = attribute_lists(&mut out, &p.schema.block, "", false, false, style);
    nested_sections(&mut out, nested, style);
    for (kind, heading, dir) in [
        (PageKind::Resource, "Resources", "resources"),
        (PageKind::DataSource, "Data Sources", "data-sources"),
    ] {
        let _ = writeln!(out, "## {heading}\n");
        for e in p.entries.iter().filter(|e| e.kind == kind) {
            let _ = writeln!(
                out,
                "- [`{}`]({dir}/{}.md): {}",
                e.type_name,
                e.file_stem,
                one_line(e.summary)
            );
        }
        out.push('\n');
    }
    finish(out)
}

/// Paths of attributes and blocks (the schema's own block included, as "") with no description.
pub fn missing_descriptions(schema: &Schema) -> Vec<String> {
    let mut missing = Vec::new();
    if schema.block.description.trim().is_empty() {
        missing.push(String::new());
    }
    walk_missing(&schema.block, "", &mut missing);
    missing
}

fn walk_missing(block: &Block, prefix: &str, missing: &mut Vec<String>) {
    for a in &block.attributes {
        if a.description.trim().is_empty() {
            missing.push(format!("{prefix}{}", a.name));
        }
    }
    for b in &block.blocks {
        let path = format!("{prefix}{}", b.name);
        if b.block.description.trim().is_empty() && b.name != TIMEOUTS {
            missing.push(path.clone());
        }
        walk_missing(&b.block, &format!("{path}."), missing);
    }
}

fn finish(out: String) -> String {
    let mut s = out.trim_end().to_string();
    s.push('\n');
    s
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn frontmatter(out: &mut String, title: &str, subcategory: Option<&str>, description: &str) {
    let _ = writeln!(out, "---");
    let _ = writeln!(out, "page_title: {}", yaml_string(title));
    if let Some(s) = subcategory {
        let _ = writeln!(out, "subcategory: {}", yaml_string(s));
    }
    let _ = writeln!(out, "description: |-\n  {description}");
    let _ = writeln!(out, "---\n");
}

fn yaml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn example(out: &mut String, hcl: &str) {
    let _ = writeln!(out, "## Example Usage\n");
    let _ = writeln!(out, "```terraform\n{}\n```\n", hcl.trim());
}

fn import(out: &mut String, imp: &ImportDoc) {
    let _ = writeln!(out, "## Import\n");
    let _ = writeln!(out, "{}\n", imp.prose.trim());
    let _ = writeln!(
        out,
        "In Terraform v1.5.0 and later, use an `import` block:\n\n```terraform\nimport {{\n  to = {}\n  id = {}\n}}\n```\n",
        imp.address,
        hcl_string(&imp.id)
    );
    let _ = writeln!(
        out,
        "With older versions, use `terraform import`:\n\n```console\n% terraform import {} {}\n```\n",
        imp.address,
        shell_word(&imp.id)
    );
}

fn timeouts(out: &mut String, t: &NestedBlock) {
    let _ = writeln!(out, "## Timeouts\n");
    let _ = writeln!(
        out,
        "A `timeouts` block sets how long each operation may take, as a duration such as `\"30m\"` or `\"1h\"`:\n"
    );
    for a in sorted_attributes(&t.block) {
        let desc = if a.description.trim().is_empty() {
            String::new()
        } else {
            format!(" {}", one_line(&a.description))
        };
        let _ = writeln!(out, "- `{}`{desc}", a.name);
    }
    out.push('\n');
}

/// What differs between page kinds.
#[derive(Clone, Copy)]
struct Style {
    /// Say which arguments replace the resource (meaningless for data sources and the provider).
    replacement_notes: bool,
}

/// A nested block still to document: its anchor path and the block.
struct Pending<'a> {
    path: String,
    nested: &'a NestedBlock,
}

/// A resource's or data source's "Argument Reference" and "Attribute Reference".
fn render_block_body<'a>(out: &mut String, block: &'a Block, style: Style) -> Vec<Pending<'a>> {
    let _ = writeln!(out, "## Argument Reference\n");
    let has_args =
        block.attributes.iter().any(|a| !is_read_only(a)) || arg_blocks(block).next().is_some();
    let pending = if has_args {
        attribute_lists(out, block, "", false, true, style)
    } else {
        let _ = writeln!(out, "No arguments.\n");
        Vec::new()
    };
    let _ = writeln!(out, "## Attribute Reference\n");
    let read_only: Vec<&Attribute> = block
        .attributes
        .iter()
        .filter(|a| is_read_only(a))
        .collect();
    if read_only.is_empty() {
        let _ = writeln!(out, "No attributes beyond the arguments above.\n");
    } else {
        let _ = writeln!(
            out,
            "In addition to the arguments above, these attributes are exported:\n"
        );
        for a in read_only {
            attribute_line(out, a, style);
        }
        out.push('\n');
    }
    pending
}

/// Attributes in name order, as the registry pages of other providers list them.
fn sorted_attributes(block: &Block) -> Vec<&Attribute> {
    let mut attrs: Vec<&Attribute> = block.attributes.iter().collect();
    attrs.sort_by(|a, b| a.name.cmp(&b.name));
    attrs
}

/// Computed-only attributes, plus a computed `id`: Terraform's conventional resource ID, which
/// some schemas declare optional only for compatibility and nobody sets.
fn is_read_only(a: &Attribute) -> bool {
    a.computed && !a.required && (!a.optional || a.name == "id")
}

fn arg_blocks(block: &Block) -> impl Iterator<Item = &NestedBlock> {
    block.blocks.iter().filter(|b| b.name != TIMEOUTS)
}

/// "Required" and "Optional" lists of a block's arguments (and, unless `skip_read_only`, a
/// "Read-Only" list), as `###` headings at the top level or `Title:` lines inside a nested
/// section; returns the nested blocks to document below.
fn attribute_lists<'a>(
    out: &mut String,
    block: &'a Block,
    prefix: &str,
    nested: bool,
    skip_read_only: bool,
    style: Style,
) -> Vec<Pending<'a>> {
    let heading = |title: &str| {
        if nested {
            format!("{title}:\n")
        } else {
            format!("### {title}\n")
        }
    };
    let mut pending = Vec::new();
    let attrs = sorted_attributes(block);
    let required: Vec<&Attribute> = attrs.iter().copied().filter(|a| a.required).collect();
    let optional: Vec<&Attribute> = attrs
        .iter()
        .copied()
        .filter(|a| a.optional && !a.required && !is_read_only(a))
        .collect();
    let read_only: Vec<&Attribute> = attrs.iter().copied().filter(|a| is_read_only(a)).collect();
    let mut blocks: Vec<&NestedBlock> = arg_blocks(block).collect();
    blocks.sort_by(|a, b| a.name.cmp(&b.name));
    let (req_blocks, opt_blocks): (Vec<&NestedBlock>, Vec<&NestedBlock>) =
        blocks.into_iter().partition(|b| b.min_items > 0);
    for (title, attrs, blocks) in [
        ("Required", &required, &req_blocks),
        ("Optional", &optional, &opt_blocks),
    ] {
        if attrs.is_empty() && blocks.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{}", heading(title));
        for a in attrs.iter() {
            attribute_line(out, a, style);
        }
        for b in blocks.iter() {
            let path = format!("{prefix}{}", b.name);
            block_line(out, b, &path, style);
            pending.push(Pending { path, nested: b });
        }
        out.push('\n');
    }
    if !skip_read_only && !read_only.is_empty() {
        let _ = writeln!(out, "{}", heading("Read-Only"));
        for a in read_only {
            attribute_line(out, a, style);
        }
        out.push('\n');
    }
    pending
}

fn nested_sections(out: &mut String, mut pending: Vec<Pending>, style: Style) {
    while !pending.is_empty() {
        let mut next = Vec::new();
        for p in pending {
            let _ = writeln!(out, "<a id=\"{}\"></a>", anchor(&p.path));
            let _ = writeln!(out, "### Nested Schema for `{}`\n", p.path);
            let b = &p.nested.block;
            if !b.description.trim().is_empty() {
                let _ = writeln!(out, "{}\n", one_line(&b.description));
            }
            next.extend(attribute_lists(
                out,
                b,
                &format!("{}.", p.path),
                true,
                false,
                style,
            ));
        }
        pending = next;
    }
}

fn anchor(path: &str) -> String {
    format!("nestedblock--{}", path.replace('.', "--"))
}

fn attribute_line(out: &mut String, a: &Attribute, style: Style) {
    let mut s = format!("- `{}` ({})", a.name, type_name(&a.ty));
    if a.sensitive {
        s.push_str(" **Sensitive**");
    }
    let desc = one_line(&a.description);
    if !desc.is_empty() {
        s.push(' ');
        s.push_str(&desc);
        if !desc.ends_with(['.', '!', '?', ')']) {
            s.push('.');
        }
    }
    if let Some(d) = &a.default {
        if !d.is_null() {
            let _ = write!(s, " Defaults to `{}`.", hcl_value(d));
        }
    }
    if a.force_new && style.replacement_notes {
        s.push_str(" Changing it forces a new resource.");
    }
    if !a.conflicts_with.is_empty() {
        let names: Vec<String> = a.conflicts_with.iter().map(|n| format!("`{n}`")).collect();
        let _ = write!(s, " Conflicts with {}.", names.join(", "));
    }
    if let Some(d) = &a.deprecation {
        let _ = write!(s, " **Deprecated:** {}", one_line(d));
    }
    let _ = writeln!(out, "{s}");
}

fn block_line(out: &mut String, b: &NestedBlock, path: &str, style: Style) {
    let kind = match b.nesting {
        Nesting::Single | Nesting::Group => "Block".to_string(),
        Nesting::List => "Block List".to_string(),
        Nesting::Set => "Block Set".to_string(),
        Nesting::Map => "Block Map".to_string(),
    };
    let mut limits = Vec::new();
    if b.min_items > 0 {
        limits.push(format!("Min: {}", b.min_items));
    }
    if b.max_items > 0 {
        limits.push(format!("Max: {}", b.max_items));
    }
    let kind = if limits.is_empty() {
        kind
    } else {
        format!("{kind}, {}", limits.join(", "))
    };
    let mut s = format!("- `{}` ({kind})", b.name);
    let desc = one_line(&b.block.description);
    if !desc.is_empty() {
        s.push(' ');
        s.push_str(&desc);
        if !desc.ends_with(['.', '!', '?', ')']) {
            s.push('.');
        }
    }
    if b.force_new && style.replacement_notes {
        s.push_str(" Changing it forces a new resource.");
    }
    let _ = write!(s, " See [below for nested schema](#{}).", anchor(path));
    let _ = writeln!(out, "{s}");
}

fn type_name(t: &Type) -> String {
    match t {
        Type::String => "String".into(),
        Type::Number => "Number".into(),
        Type::Bool => "Boolean".into(),
        Type::List(e) => format!("List of {}", type_name(e)),
        Type::Set(e) => format!("Set of {}", type_name(e)),
        Type::Map(e) => format!("Map of {}", type_name(e)),
        Type::Object(fields) => {
            let names: Vec<String> = fields.keys().map(|k| format!("`{k}`")).collect();
            format!("Object with {}", names.join(", "))
        }
    }
}

fn hcl_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn shell_word(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./:@=,+".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn hcl_value(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Unknown => "(known after apply)".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => hcl_string(s),
        Value::List(items) | Value::Set(items) => {
            let parts: Vec<String> = items.iter().map(hcl_value).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Map(m) | Value::Object(m) => {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{k} = {}", hcl_value(v)))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        Schema::new(
            Block::new()
                .desc("Manages a widget.")
                .attr(
                    Attribute::string("name")
                        .required()
                        .force_new()
                        .desc("Widget name"),
                )
                .attr(Attribute::number("size").default(3).desc("Widget size."))
                .attr(
                    Attribute::string("secret")
                        .optional()
                        .sensitive()
                        .conflicts_with(&["name"])
                        .desc("A secret."),
                )
                .attr(
                    Attribute::string("arn")
                        .computed()
                        .desc("ARN of the widget."),
                )
                .block(
                    NestedBlock::list(
                        "part",
                        Block::new().desc("A part.").attr(
                            Attribute::bool("shiny")
                                .optional()
                                .desc("Whether it shines."),
                        ),
                    )
                    .min(1)
                    .max(2),
                )
                .timeouts(&["create"]),
        )
    }

    fn page(s: &Schema) -> String {
        let imp = ImportDoc {
            prose: "The ID is the widget name.".into(),
            address: "x_widget.example".into(),
            id: "my widget".into(),
        };
        render_page(&Page {
            kind: PageKind::Resource,
            type_name: "x_widget",
            provider_binary: "terraform-provider-x",
            subcategory: "Widgets",
            schema: s,
            example: Some("resource \"x_widget\" \"example\" {}\n"),
            import: Some(&imp),
        })
    }

    #[test]
    fn page_lists_arguments_attributes_blocks_timeouts_and_import() {
        let md = page(&schema());
        for want in [
            "page_title: \"x_widget Resource - terraform-provider-x\"",
            "subcategory: \"Widgets\"",
            "description: |-\n  Manages a widget.",
            "### Required\n\n- `name` (String) Widget name. Changing it forces a new resource.\n- `part` (Block List, Min: 1, Max: 2) A part. See [below for nested schema](#nestedblock--part).",
            "- `size` (Number) Widget size. Defaults to `3`.",
            "- `secret` (String) **Sensitive** A secret. Conflicts with `name`.",
            "## Attribute Reference",
            "- `arn` (String) ARN of the widget.",
            "<a id=\"nestedblock--part\"></a>\n### Nested Schema for `part`",
            "- `shiny` (Boolean) Whether it shines.",
            "## Timeouts\n",
            "- `create`",
            "import {\n  to = x_widget.example\n  id = \"my widget\"\n}",
            "% terraform import x_widget.example 'my widget'",
        ] {
            assert!(md.contains(want), "missing {want:?} in:\n{md}");
        }
        assert!(!md.contains("`timeouts` (Block"), "{md}");
        let args = md.split("## Attribute Reference").next().unwrap();
        assert!(
            !args.contains("`arn`"),
            "read-only attribute listed as argument:\n{md}"
        );
    }

    #[test]
    fn missing_descriptions_name_their_paths() {
        let s = Schema::new(
            Block::new()
                .attr(Attribute::string("a").optional())
                .block(NestedBlock::list(
                    "b",
                    Block::new().attr(Attribute::string("c").optional()),
                ))
                .timeouts(&["delete"]),
        );
        assert_eq!(missing_descriptions(&s), vec!["", "a", "b", "b.c"]);
        assert!(missing_descriptions(&schema()).is_empty());
    }
}
