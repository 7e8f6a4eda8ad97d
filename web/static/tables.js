// On a phone a table's rows are shown as cards (console.css): label each cell with its column.
document.querySelectorAll("table.list").forEach((table) => {
  // a sortable header names its column in data-name, without the arrow its link shows
  const heads = [...table.querySelectorAll("thead th")].map((th) => th.dataset.name || th.textContent.trim());
  table.querySelectorAll("tbody tr").forEach((row) => {
    [...row.children].forEach((cell, n) => {
      if (heads[n] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", heads[n]);
    });
  });
});
