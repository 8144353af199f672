"""Each slice's security event log (SATRE 2.5.03, 2.2.13, 2.2.14, 5.4.04).

What is recorded, on every service: authentication results (each token's first use in
a process, and every refusal), authorisation refusals, changes (every write through the
API: agreements, registry, rules, revocations, sweeps, uploads) and every response that
releases data (who, which route, which agreement or dataset). Never a request body, a
pseudonym or any value a caller sent.

- ``table``: the table (one per slice, made on its own base) and its migration;
- ``recorder``: appends events in the background, chained (``services.common.chain``);
- ``heads``: signs the chain's head and keeps it on a stream nobody may delete from;
- ``verify``: recomputes the chain and matches it with the heads, on a schedule;
- ``capture``: the middleware that turns requests into events;
- ``api``: reading, verifying and exporting the log.
"""
