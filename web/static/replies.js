// Response templates. The report page (web/routes/reports.py): choosing one fills the status
// form at once (the move it is for, and its note, still editable). Without JavaScript the
// picker's 填入说明 button asks the server for the same thing.
const picker = document.getElementById("reply-template");
const form = document.getElementById("status-form");
if (picker && form) {
  const button = document.querySelector("#reply-pick button");
  if (button) button.hidden = true;
  picker.addEventListener("change", () => {
    const option = picker.selectedOptions[0];
    if (!option || !option.dataset.to) return;
    form.elements.to.value = option.dataset.to;
    form.elements.note.value = option.dataset.note;
    form.elements.note.focus();
  });
}

// /replies: a delete asks first (without JavaScript the button deletes at once).
document.querySelectorAll("form[data-confirm]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});
