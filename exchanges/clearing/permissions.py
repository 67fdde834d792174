"""Who sees the runs (officers and administrators) and who launches one by hand (administrators)."""

import rules

from marketplace.organisations.permissions import is_admin, is_officer

rules.add_perm("clearing.view_runs", is_officer | is_admin)
rules.add_perm("clearing.launch_run", is_admin)
