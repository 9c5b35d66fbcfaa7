// nanoscout dashboard: small enhancements only; every page works without it.
document.addEventListener("DOMContentLoaded", () => {
  // "Select all" checkboxes: data-select-all="name" ticks every box of that name.
  for (const all of document.querySelectorAll("[data-select-all]")) {
    all.addEventListener("change", () => {
      const form = all.closest("form");
      for (const box of form.querySelectorAll(`input[type=checkbox][name="${all.dataset.selectAll}"]`)) box.checked = all.checked;
    });
  }
  // A shortlist picker shows its "new list name" box only for "a new shortlist…".
  for (const sel of document.querySelectorAll("select[data-new-name]")) {
    const input = document.getElementById(sel.dataset.newName);
    const sync = () => { if (input) input.hidden = sel.value !== "new"; };
    sel.addEventListener("change", sync);
    sync();
  }
  // Forms that destroy something ask first.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (e) => { if (!confirm(form.dataset.confirm)) e.preventDefault(); });
  }
});
