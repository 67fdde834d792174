"""Swap matching: who can host whom, reciprocal pairs and 3–4-home cycles, ranked with a one-line reason.

Home H *can host* the household of home G (an edge G → H of the matching graph) when a wish of G's owner
covers H's public point (the reverse search's predicate, `exchanges.filters.wish_covers_sql`), H sleeps
that wish's party, H belongs to someone else, H is in another région than G (setting
MATCHING_CROSS_REGION), and one of H's availability periods leaves at least MATCHING_MIN_NIGHTS nights
free inside the wish's dates widened by its flexibility. Only published homes take part: publication
requires an eligible owner and the daily `homes_follow_eligibility` pauses the others.

A pair needs an edge each way and a common window; a cycle A → B → C (→ D) → A needs every host's period
to be open to any request (a "reciprocal only" period is for pairs) and one window common to every stay.
The window of an edge is the set of nights it offers (the union of its pieces); a suggestion is valid
when the intersection of its edges' windows has a run of MATCHING_MIN_NIGHTS nights.

- `graph`: the edges as they come from the database (one SQL, filtered by guests and/or hosts);
- `engine`: the search in memory: pairs and cycles through one home, ranked; every 2- and 3-cycle;
- `selectors`: what the API and the page read; `services`: the refresh of the stored suggestions.
"""
