// Live comments in a real browser (Chromium through playwright-core), run by
// crates/gazette/tests/browser.rs: node live-comments.cjs BASE_URL GAZETTE_BIN DB_URL SLUG
// Exits non-zero, saying why, when the page does not behave.
"use strict";
const { chromium } = require("playwright-core");
const { execFileSync } = require("node:child_process");

const [base, bin, db, slug] = process.argv.slice(2);
const page_url = `${base}/articles/${slug}`;

async function post(body, email, parent) {
  const html = await (await fetch(page_url)).text();
  const token = html.split('name="form_token" value="')[1].split('"')[0];
  const form = new URLSearchParams({ comment: body, author: "Hana", email, form_token: token });
  if (parent) form.set("comment_parent", String(parent));
  const response = await fetch(`${page_url}/comments`, { method: "POST", body: form, redirect: "manual" });
  if (response.status !== 303) throw new Error(`posting answered ${response.status}`);
  return Number(response.headers.get("location").split("-").pop());
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--headless=new"],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(page_url);
    expect((await page.textContent("#comments-title")).includes("Be the first to comment"), "empty state first");

    // A held comment is not shown to this reader, live or otherwise.
    const held = await post("Held back for now", "ivo@example.org");
    // A first comment from Hana, approved by a moderator in another process.
    const first = await post("Glad to see **boats** again", "hana@example.org");
    execFileSync(bin, ["comments", "approve", String(first), "--db", db]);
    await page.waitForSelector(`#comment-${first}`, { timeout: 5000 });
    expect(
      (await page.innerHTML(`#comment-${first} .comment-body`)).includes("<strong>boats</strong>"),
      "the comment keeps its formatting",
    );
    // Hana is known now: her reply is approved at once and nests under her comment.
    const reply = await post("And a reply", "hana@example.org", first);
    await page.waitForSelector(`li:has(> #comment-${first}) > ol.children #comment-${reply}`, { timeout: 5000 });
    expect(
      (await page.textContent("#comments-title")) === "2 Comments on “Harbour reopens”",
      `heading reads ${await page.textContent("#comments-title")}`,
    );
    expect((await page.textContent(".live-status")).includes("2 new comments"), "status line");
    expect((await page.$(`#comment-${held}`)) === null, "the held comment never appeared");
    expect(errors.length === 0, `script errors: ${errors.join("; ")}`);
    console.log("live comments behave in Chromium");
  } finally {
    await browser.close();
  }
})().catch((error) => {
  console.error(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
