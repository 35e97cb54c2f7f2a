// Loaded synchronously as the first element of <body>: GOV.UK Frontend's styles hide or show
// enhanced components by these classes. It is a file, not inline, because the CSP forbids inline script.
document.body.classList.add('js-enabled')
if ('noModule' in HTMLScriptElement.prototype) {
  document.body.classList.add('govuk-frontend-supported')
}
