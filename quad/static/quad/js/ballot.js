// The ballot: one "Your ranking" select per candidate (it works without this file). This adds a spoken
// and visible summary of the ranking so far, and says at once if a ranking is given twice or skipped;
// the server checks the same and refuses such a ballot.
(() => {
  const form = document.querySelector("[data-ballot]");
  if (!form) return;
  const summary = form.querySelector("[data-ballot-summary]");
  const rows = [...form.querySelectorAll("fieldset")].map((fieldset) => ({
    name: fieldset.querySelector("[data-ballot-name]").textContent.trim(),
    select: fieldset.querySelector("select"),
  }));

  const ordinal = (select, rank) => select.querySelector(`option[value="${rank}"]`).textContent;
  const join = (names) => (names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`);

  const update = () => {
    const byRank = new Map();
    for (const row of rows) {
      const rank = Number(row.select.value);
      if (rank) byRank.set(rank, [...(byRank.get(rank) || []), row.name]);
    }
    const ranks = [...byRank.keys()].sort((a, b) => a - b);
    if (!ranks.length) {
      summary.textContent = "Nobody is ranked yet.";
      summary.classList.remove("ballot-summary-problem");
      return;
    }
    const some = rows[0].select;
    const parts = ranks.map((rank) => `${ordinal(some, rank)} ${join(byRank.get(rank))}`);
    const problems = [];
    for (const rank of ranks) {
      if (byRank.get(rank).length > 1) problems.push(`${ordinal(some, rank)} is given to ${join(byRank.get(rank))}.`);
    }
    const missing = [];
    for (let rank = 1; rank < ranks.at(-1); rank += 1) if (!byRank.has(rank)) missing.push(ordinal(some, rank));
    if (missing.length) problems.push(`Nobody is ranked ${join(missing)}.`);
    summary.textContent = `Your ballot so far: ${parts.join(", ")}.` + (problems.length ? ` Check: ${problems.join(" ")}` : "");
    summary.classList.toggle("ballot-summary-problem", problems.length > 0);
  };

  summary.hidden = false;
  form.addEventListener("change", update);
  update();
})();
