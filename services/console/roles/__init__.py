"""One module per role: each declares the role's pages as ``SECTION`` (services.console.pages),
found by the console at start-up, so a role's pages are added without editing another's."""
