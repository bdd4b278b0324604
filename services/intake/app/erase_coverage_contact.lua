-- Removes an erased contact (docs/privacy.md) from one account's coverage
-- (docs/state.md, `cov:<account>`), keeping the hash's summary of its
-- contacts (coverage_summary.lua). Idempotent: a hash without the contact is
-- left as it is.
--
-- KEYS[1]  the account's contacts  lf:{intake}:cov:<account>
-- ARGV[1]  the contact id
--
-- Returns 1.
-- @include intake/app/coverage_summary.lua
cov_del(KEYS[1], ARGV[1])
return 1
