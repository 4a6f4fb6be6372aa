using System.Text.Json;
using Dspt.IO;

namespace Dspt.Suspects;

/// <summary>One card of the review page.</summary>
public sealed record PageItem(string Path, string Given, string Suggested, double Suspicion, string Thumbnail, IReadOnlyDictionary<string, double> Scores, int Fold);

/// <summary>
/// suspects.html: one self-contained page that works from file:// (no server, no network): the
/// items as JSON inside the page, their thumbnails as files in a folder beside it (so a large
/// dataset does not make one huge page). Cards are sorted by suspicion; filters by given and
/// suggested class; the scores show on hover; a click or the arrow keys select a card, then
/// A (or the button) accepts the suggestion, K keeps the label, R marks the item for removal,
/// U undoes. Decisions are kept in localStorage under a key naming the page, so a reload
/// continues. "Export corrections" downloads corrections.csv (path,action,new_label), the file
/// `dspt train --corrections` reads.
/// </summary>
public static class SuspectsPage
{
    public const string FileName = "suspects.html";
    public const string ThumbnailFolder = "thumbs";

    public static void Write(string directory, string title, string storageKey, IReadOnlyList<string> classNames, IReadOnlyList<PageItem> items)
    {
        var data = JsonSerializer.Serialize(new
        {
            title,
            storage_key = storageKey,
            classes = classNames,
            items = items.Select(i => new { path = i.Path, given = i.Given, suggested = i.Suggested, suspicion = i.Suspicion, thumb = i.Thumbnail, scores = i.Scores, fold = i.Fold }),
        });
        // The default encoder escapes <, > and &, so the JSON cannot close the script element.
        string html = Template.Replace("__TITLE__", System.Net.WebUtility.HtmlEncode(title)).Replace("__DATA__", data);
        AtomicFile.WriteAllText(System.IO.Path.Combine(directory, FileName), html);
    }

    const string Template = """
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>__TITLE__</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0; background: #f4f4f4; }
header { position: sticky; top: 0; background: #fff; padding: 8px 12px; border-bottom: 1px solid #ccc; z-index: 1; }
header label { margin-right: 12px; }
#grid { display: flex; flex-wrap: wrap; gap: 8px; padding: 12px; }
.card { width: 132px; background: #fff; border: 2px solid #ddd; border-radius: 4px; padding: 4px; font-size: 12px; cursor: pointer; }
.card.selected { border-color: #1565c0; }
.card.relabel { background: #e3f2fd; } .card.keep { background: #e8f5e9; } .card.remove { background: #ffebee; }
.card img { width: 120px; height: 120px; object-fit: contain; display: block; margin: 0 auto; image-rendering: pixelated; }
.card .labels { margin: 2px 0; } .card .given { color: #b71c1c; } .card .suggested { color: #1b5e20; }
.card button { font-size: 11px; padding: 1px 4px; }
.card .decision { font-weight: bold; }
</style>
</head>
<body>
<header>
<strong id="title"></strong>
<label>given <select id="filter-given"><option value="">all</option></select></label>
<label>suggested <select id="filter-suggested"><option value="">all</option></select></label>
<span id="progress"></span>
<button id="export">Export corrections</button>
<button id="reset">Forget decisions</button>
<div><small>Click or arrow keys to select; A accept the suggestion, K keep the label, R remove, U undo.</small></div>
</header>
<div id="grid"></div>
<script id="data" type="application/json">__DATA__</script>
<script>
"use strict";
const data = JSON.parse(document.getElementById("data").textContent);
const storageKey = "dspt-suspects/" + data.storage_key;
let decisions = {};
try { decisions = JSON.parse(localStorage.getItem(storageKey) || "{}"); } catch (e) { decisions = {}; }
const items = data.items.slice().sort((a, b) => b.suspicion - a.suspicion);
let visible = items;
let selected = 0;
document.getElementById("title").textContent = data.title;
document.title = data.title;
for (const id of ["filter-given", "filter-suggested"]) {
  const select = document.getElementById(id);
  for (const name of data.classes) {
    const option = document.createElement("option");
    option.value = name; option.textContent = name;
    select.appendChild(option);
  }
  select.addEventListener("change", render);
}
function save() {
  try { localStorage.setItem(storageKey, JSON.stringify(decisions)); } catch (e) { }
}
function decide(item, action) {
  if (action === null) delete decisions[item.path];
  else decisions[item.path] = action;
  save();
  render();
}
function describe(item) {
  const lines = ["path: " + item.path, "given: " + item.given, "suggested: " + item.suggested, "fold: " + item.fold];
  for (const [name, value] of Object.entries(item.scores)) lines.push(name + ": " + Number(value).toFixed(4));
  return lines.join("\n");
}
function render() {
  const given = document.getElementById("filter-given").value;
  const suggested = document.getElementById("filter-suggested").value;
  visible = items.filter(i => (!given || i.given === given) && (!suggested || i.suggested === suggested));
  if (selected >= visible.length) selected = Math.max(0, visible.length - 1);
  const grid = document.getElementById("grid");
  grid.replaceChildren();
  visible.forEach((item, index) => {
    const card = document.createElement("div");
    const action = decisions[item.path];
    card.className = "card" + (index === selected ? " selected" : "") + (action ? " " + action : "");
    card.dataset.path = item.path;
    card.title = describe(item);
    const img = document.createElement("img");
    img.src = item.thumb; img.alt = item.path; img.loading = "lazy";
    card.appendChild(img);
    const labels = document.createElement("div");
    labels.className = "labels";
    labels.innerHTML = '<span class="given"></span> &rarr; <span class="suggested"></span>';
    labels.querySelector(".given").textContent = item.given;
    labels.querySelector(".suggested").textContent = item.suggested;
    card.appendChild(labels);
    const decision = document.createElement("div");
    decision.className = "decision";
    decision.textContent = action === "relabel" ? "relabel to " + item.suggested : (action || "");
    card.appendChild(decision);
    for (const [text, act] of [["accept", "relabel"], ["keep", "keep"], ["remove", "remove"]]) {
      const button = document.createElement("button");
      button.textContent = text; button.className = "act-" + act;
      button.addEventListener("click", e => { e.stopPropagation(); selected = index; decide(item, act); });
      card.appendChild(button);
    }
    card.addEventListener("click", () => { selected = index; render(); });
    grid.appendChild(card);
  });
  const done = items.filter(i => decisions[i.path]).length;
  document.getElementById("progress").textContent = done + " of " + items.length + " reviewed, " + visible.length + " shown";
}
document.addEventListener("keydown", e => {
  if (e.target.tagName === "SELECT") return;
  const item = visible[selected];
  const key = e.key.toLowerCase();
  if (key === "arrowright" || key === "arrowdown") selected = Math.min(visible.length - 1, selected + 1);
  else if (key === "arrowleft" || key === "arrowup") selected = Math.max(0, selected - 1);
  else if (item && key === "a") { decide(item, "relabel"); selected = Math.min(visible.length - 1, selected + 1); }
  else if (item && key === "k") { decide(item, "keep"); selected = Math.min(visible.length - 1, selected + 1); }
  else if (item && key === "r") { decide(item, "remove"); selected = Math.min(visible.length - 1, selected + 1); }
  else if (item && key === "u") decide(item, null);
  else return;
  e.preventDefault();
  render();
  const card = document.querySelectorAll(".card")[selected];
  if (card) card.scrollIntoView({ block: "nearest" });
});
function csvField(text) {
  return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}
document.getElementById("export").addEventListener("click", () => {
  const lines = ["path,action,new_label"];
  for (const item of items) {
    const action = decisions[item.path];
    if (!action) continue;
    lines.push([item.path, action, action === "relabel" ? item.suggested : ""].map(csvField).join(","));
  }
  const blob = new Blob([lines.join("\n") + "\n"], { type: "text/csv" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = "corrections.csv";
  document.body.appendChild(link);
  link.click();
  link.remove();
});
document.getElementById("reset").addEventListener("click", () => { decisions = {}; save(); render(); });
render();
</script>
</body>
</html>
""";
}
