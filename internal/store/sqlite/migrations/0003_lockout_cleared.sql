-- lockout_cleared_at is store.User.LockoutClearedAt: when an administrator
-- last lifted the account's sign-in lockout (rampart user unlock), in Unix
-- nanoseconds, NULL for never. The portal builds the lockout key from it.
ALTER TABLE users ADD COLUMN lockout_cleared_at INTEGER;
