// GOV.UK Frontend's components start only where the browser supports them: the class the
// Design System's page template sets inline, set from a file (the CSP allows no inline script)
document.body.className += ` js-enabled${"noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : ""}`;
