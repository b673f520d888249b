// Small DOM helpers shared by the page's modules.

export const $ = (id) => document.getElementById(id);

export function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  if (className) node.className = className;
  return node;
}

export function badge(level) {
  const known = ["high", "medium", "low", "none"].includes(level);
  return el("span", known ? level : "no answer", "badge x-" + (known ? level : "no-answer"));
}

export function link(url) {
  const a = el("a", url);
  a.href = url;
  a.rel = "noreferrer";
  return a;
}
