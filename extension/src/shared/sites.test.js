import assert from "node:assert/strict";
import { test } from "node:test";
import { isSiteOn, siteOf, switchSite } from "./sites.js";

test("a site is the registrable domain: www. and subdomains are the same site", () => {
  for (const host of ["example.com", "www.example.com", "news.example.com", "a.b.news.example.com", "WWW.Example.COM"]) {
    assert.equal(siteOf(host), "example.com", host);
  }
  assert.equal(siteOf("news.bbc.co.uk"), "bbc.co.uk"); // a two-level public suffix
  assert.equal(siteOf("alice.github.io"), "alice.github.io"); // a private suffix: each user's own site
  assert.notEqual(siteOf("example.org"), siteOf("example.com"));
});

test("hosts without a registrable domain are their own site; typed addresses are read as hosts", () => {
  assert.equal(siteOf("127.0.0.1"), "127.0.0.1");
  assert.equal(siteOf("localhost"), "localhost");
  assert.equal(siteOf("[::1]"), "::1");
  assert.equal(siteOf("https://www.example.com/news/1?x=2"), "example.com");
  assert.equal(siteOf("news.example.com:8080"), "example.com");
  assert.equal(siteOf("  "), "");
  assert.equal(siteOf("not a host"), "");
});

test("every-site mode: on unless the site is turned off; the switch edits disabledSites", () => {
  let settings = { siteMode: "all", disabledSites: [], enabledSites: [] };
  assert.equal(isSiteOn(settings, "www.example.com"), true);
  settings = { ...settings, ...switchSite(settings, "www.example.com", false) };
  assert.deepEqual(settings.disabledSites, ["example.com"]);
  assert.equal(isSiteOn(settings, "news.example.com"), false);
  assert.equal(isSiteOn(settings, "example.org"), true);
  settings = { ...settings, ...switchSite(settings, "example.com", true) };
  assert.deepEqual(settings.disabledSites, []);
});

test("opt-in mode: off unless the site is turned on; the switch edits enabledSites", () => {
  let settings = { siteMode: "opt-in", disabledSites: ["example.com"], enabledSites: [] };
  assert.equal(isSiteOn(settings, "example.org"), false);
  settings = { ...settings, ...switchSite(settings, "news.example.org", true) };
  assert.deepEqual(settings.enabledSites, ["example.org"]);
  assert.deepEqual(settings.disabledSites, ["example.com"]); // the other mode's list is kept
  assert.equal(isSiteOn(settings, "www.example.org"), true);
  settings = { ...settings, ...switchSite(settings, "example.org", false) };
  assert.equal(isSiteOn(settings, "example.org"), false);
});
