// Small behaviours that need no inline script (the CSP forbids inline scripts).
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.matches("[data-autosubmit]")) {
    field.form.requestSubmit();
  }
});
