use crate::publishing::ArticleRequest;
use crate::{CoreResult, Site};
use gazette_domain::{NewUser, Role};

const SEEDED: &str = "site.welcome_article";

/// On a brand-new site (no articles, never seeded), writes the welcome article by a "Gazette"
/// author who cannot log in. Several nodes starting at once agree on one of them doing it.
pub(crate) async fn seed_once(site: &Site) -> CoreResult<()> {
    if site.store.count_articles().await? > 0 {
        return Ok(());
    }
    let mut token = [0u8; 16];
    getrandom::fill(&mut token)
        .map_err(|e| crate::CoreError::Storage(format!("no system randomness: {e}")))?;
    let token = hex::encode(token);
    if site.store.put_setting_if_absent(SEEDED, &token).await? != token {
        return Ok(());
    }
    let author = match site.store.user_by_username("gazette").await {
        Ok(user) => user,
        Err(_) => {
            site.store
                .create_user(NewUser {
                    username: "gazette".into(),
                    display_name: "The Gazette Team".into(),
                    slug: "gazette-team".into(),
                    email: "gazette@localhost.invalid".into(),
                    role: Role::Author,
                    password_hash: None,
                    created_at: site.now(),
                })
                .await?
        }
    };
    site.publish_article(ArticleRequest {
        title: "Welcome to Gazette".into(),
        author: author.username,
        body_markdown: WELCOME.into(),
        slug: Some("welcome-to-gazette".into()),
        categories: vec!["Gazette".into()],
        tags: vec!["getting started".into()],
        comments_open: true,
        ..Default::default()
    })
    .await?;
    Ok(())
}

const WELCOME: &str = r#"Gazette is a news publishing server: it publishes your articles and gives every one of them a
discussion that readers can join without an account, and that stays clean without a third-party
service. It is one program, with its database built in, so this page is already the whole site.

## What you are looking at

This article is the front page's first story. Below it, the discussion is empty, so it invites the
first comment. Post one: a first comment from an email address waits for a moderator, as on most news
sites; its author sees it marked as awaiting moderation, and nobody else sees it at all. Once a
moderator approves someone, their later comments appear at once.

Your email address is never published: not on the page, not in the page's source, not in the
API. The picture beside each comment is drawn from a secret, per-site fingerprint of the address.

## Publishing

Create your staff account, then publish from a Markdown file:

```
gazette user add alice --email alice@example.com --role admin --password-stdin
gazette article new --title "City council approves budget" --author alice \
    --file budget.md --category Politics --tag budget
```

Add `--draft` to keep an article private until it is ready.

## Moderating

```
gazette comments list --held
gazette comments approve 42
gazette comments spam 43
gazette comments trash 44
```

Each held comment is listed with its author, email address, article and the start of its text.

## Running it

Gazette keeps everything in `gazette.db` next to where it was started. When the site outgrows one
machine, point several Gazette processes at one PostgreSQL database with `--db postgres://…`: the
same program runs either way.
"#;
