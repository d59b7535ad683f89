use crate::dates;
use jiff::tz::TimeZone;
use minijinja::Environment;
use serde::Serialize;
use std::path::Path;

/// The templates Gazette ships, compiled into the binary. An operator may override any of them by
/// putting a file of the same name in the templates folder.
const EMBEDDED: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("list.html", include_str!("../templates/list.html")),
    ("article.html", include_str!("../templates/article.html")),
    ("comment.html", include_str!("../templates/comment.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("search.html", include_str!("../templates/search.html")),
    (
        "corrections.html",
        include_str!("../templates/corrections.html"),
    ),
    (
        "admin_base.html",
        include_str!("../templates/admin_base.html"),
    ),
    (
        "admin_login.html",
        include_str!("../templates/admin_login.html"),
    ),
    (
        "admin_dashboard.html",
        include_str!("../templates/admin_dashboard.html"),
    ),
    (
        "admin_articles.html",
        include_str!("../templates/admin_articles.html"),
    ),
    (
        "admin_editor.html",
        include_str!("../templates/admin_editor.html"),
    ),
    (
        "admin_comments.html",
        include_str!("../templates/admin_comments.html"),
    ),
    (
        "admin_comment_edit.html",
        include_str!("../templates/admin_comment_edit.html"),
    ),
    (
        "admin_bans.html",
        include_str!("../templates/admin_bans.html"),
    ),
    (
        "admin_redirects.html",
        include_str!("../templates/admin_redirects.html"),
    ),
    (
        "admin_pages.html",
        include_str!("../templates/admin_pages.html"),
    ),
    (
        "admin_page_editor.html",
        include_str!("../templates/admin_page_editor.html"),
    ),
    ("page.html", include_str!("../templates/page.html")),
    (
        "admin_import.html",
        include_str!("../templates/admin_import.html"),
    ),
    (
        "admin_media.html",
        include_str!("../templates/admin_media.html"),
    ),
    (
        "admin_media_item.html",
        include_str!("../templates/admin_media_item.html"),
    ),
    (
        "admin_import_run.html",
        include_str!("../templates/admin_import_run.html"),
    ),
    (
        "admin_settings.html",
        include_str!("../templates/admin_settings.html"),
    ),
    (
        "admin_users.html",
        include_str!("../templates/admin_users.html"),
    ),
    (
        "admin_audit.html",
        include_str!("../templates/admin_audit.html"),
    ),
];

/// A template could not be loaded or rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// An override file could not be read.
    #[error("reading template override {path}: {source}")]
    Override {
        /// The file that failed.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A template failed to compile or render.
    #[error("template: {0}")]
    Template(#[from] minijinja::Error),
}

/// The compiled page templates.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// Compiles the embedded templates, replacing any that `override_dir` has a file for, with dates
    /// shown in `timezone`.
    pub fn load(override_dir: Option<&Path>, timezone: TimeZone) -> Result<Self, RenderError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        for (name, embedded) in EMBEDDED {
            let source = match override_dir.map(|dir| dir.join(name)) {
                Some(path) if path.is_file() => {
                    std::fs::read_to_string(&path).map_err(|source| RenderError::Override {
                        path: path.display().to_string(),
                        source,
                    })?
                }
                _ => (*embedded).to_owned(),
            };
            env.add_template_owned(*name, source)?;
        }
        for (filter, pattern) in [
            ("date", dates::DATE),
            ("datetime", dates::DATETIME),
            ("isotime", dates::ISO),
        ] {
            let tz = timezone.clone();
            env.add_filter(filter, move |seconds: i64| {
                dates::format(seconds, &tz, pattern)
            });
        }
        env.add_filter("thousands", gazette_domain::text::group_thousands);
        Ok(Self { env })
    }

    /// Renders template `name` with `context`.
    pub fn render(&self, name: &str, context: impl Serialize) -> Result<String, RenderError> {
        let context = minijinja::Value::from(minijinja::value::Serde(context));
        Ok(self.env.get_template(name)?.render(context)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_override_file_replaces_the_embedded_template() {
        let dir = std::env::temp_dir().join(format!("gazette-tpl-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("error.html"), "custom {{ status }}").expect("write");
        let templates = Templates::load(Some(&dir), TimeZone::UTC).expect("load");
        let html = templates
            .render("error.html", minijinja::context! { status => 404 })
            .expect("render");
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(html, "custom 404");
    }
}
